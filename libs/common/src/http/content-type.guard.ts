import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../problem/problem.exception';
import { ProblemCode } from '../problem/problem.types';

export const ACCEPTED_CONTENT_TYPES_KEY = 'accepted_content_types';

/** Declares the media types a handler's request body may have (default: application/json). */
export const AcceptsContentTypes = (...types: string[]) =>
  SetMetadata(ACCEPTED_CONTENT_TYPES_KEY, types);

const DEFAULT_TYPES = ['application/json'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** 415 for a request body whose media type the handler does not take. */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return true;
    const accepted =
      this.reflector.getAllAndOverride<string[]>(ACCEPTED_CONTENT_TYPES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? DEFAULT_TYPES;
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!accepted.includes(mediaType)) {
      throw new ProblemException(
        415,
        ProblemCode.UnsupportedMediaType,
        `Content-Type ${mediaType || '(none)'} is not supported here; use ${accepted.join(' or ')}`,
      );
    }
    return true;
  }
}
