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
/** What the JSON parser reads (type-is patterns). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** True when a request to a body-taking method carries a body. */
export function hasBody(req: Request): boolean {
  if (!BODY_METHODS.has(req.method)) return false;
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** The media type of the request's body, lower-case, without parameters. */
export function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[^/]+\+json$/.test(mediaType);
}

/** The declared charset parameter, lower-case, if any. */
function charsetOf(req: Request): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '');
  return match?.[1].toLowerCase();
}

/**
 * 415 for a request body whose media type the handler does not take, or that declares a charset
 * other than UTF-8: JSON is UTF-8 (RFC 8259), and so is every body this service reads. Checked
 * before anything is parsed.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!hasBody(req)) return true;
    const accepted =
      this.reflector.getAllAndOverride<string[]>(ACCEPTED_CONTENT_TYPES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? DEFAULT_TYPES;
    const mediaType = mediaTypeOf(req);
    if (!accepted.includes(mediaType)) {
      throw new ProblemException(
        415,
        ProblemCode.UnsupportedMediaType,
        `Content-Type ${mediaType || '(none)'} is not supported here; use ${accepted.join(' or ')}`,
      );
    }
    const charset = charsetOf(req);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ProblemException(
        415,
        ProblemCode.UnsupportedMediaType,
        `charset=${charset} is not supported: request bodies are UTF-8 (RFC 8259 for JSON)`,
      );
    }
    return true;
  }
}
