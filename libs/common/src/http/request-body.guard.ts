import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RequestBodyReader } from './request-body.reader';

export const TAKES_UPLOAD_KEY = 'takes_upload';

/**
 * Marks a handler whose body is a bulk upload, read by a guard of the route's own (through
 * `RequestBodyReader` and `receiveBody`) after what must be refused before any byte is received.
 */
export const TakesUpload = () => SetMetadata(TAKES_UPLOAD_KEY, true);

/**
 * The last global guard: the body is read only once the caller is known, allowed and sends a type
 * the handler takes, so an anonymous or refused request costs no parsing.
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly reader: RequestBodyReader,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const upload = this.reflector.getAllAndOverride<boolean | undefined>(TAKES_UPLOAD_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (upload) return true;
    const http = context.switchToHttp();
    await this.reader.readJson(http.getRequest<Request>(), http.getResponse<Response>(), false);
    return true;
  }
}
