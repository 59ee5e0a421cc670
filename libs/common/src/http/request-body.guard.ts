import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { json, type Request, type RequestHandler, type Response } from 'express';
import { appConfig, bulkConfig, uploadConfig } from '../config/config.namespaces';
import { ProblemException } from '../problem/problem.exception';
import { ProblemCode } from '../problem/problem.types';
import { getTenantId } from './tenant-context';
import { attachSpooledBody, bodyIdleError, spoolBody, watchIdle } from './body-stream';
import { hasBody, isJsonMediaType, JSON_MEDIA_TYPES, mediaTypeOf } from './content-type.guard';
import { verifyJsonDepth } from './json-depth';
import { UploadSlots } from './upload-slots';

export const TAKES_UPLOAD_KEY = 'takes_upload';

/**
 * Marks a handler whose body is a bulk upload: a JSON body up to BULK_MAX_JSON_BYTES, or a streamed
 * (NDJSON/CSV) one up to BULK_MAX_BODY_BYTES, spooled before the handler runs; it takes one of the
 * tenant's TENANT_MAX_CONCURRENT_UPLOADS slots while it lasts.
 */
export const TakesUpload = () => SetMetadata(TAKES_UPLOAD_KEY, true);

/** How long a refused upload is told to wait: uploads end when their bodies do. */
const UPLOAD_RETRY_AFTER_SECONDS = 5;

/**
 * The last guard: the body is read only once the caller is known, allowed and sends a type the
 * handler takes, so an anonymous or refused request costs no parsing. JSON is parsed (UTF-8 only,
 * depth-checked); a streamed upload is received whole into a spool file. A body that stalls for
 * UPLOAD_IDLE_TIMEOUT_MS is dropped (408).
 */
@Injectable()
export class RequestBodyGuard implements CanActivate, OnModuleInit {
  private defaultJson!: RequestHandler;
  private uploadJson!: RequestHandler;

  constructor(
    private readonly reflector: Reflector,
    private readonly slots: UploadSlots,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(bulkConfig.KEY) private readonly bulk: ConfigType<typeof bulkConfig>,
    @Inject(uploadConfig.KEY) private readonly upload: ConfigType<typeof uploadConfig>,
  ) {}

  onModuleInit(): void {
    const parser = (limit: number) =>
      json({ limit, type: JSON_MEDIA_TYPES, strict: false, verify: verifyJsonDepth });
    this.defaultJson = parser(this.app.bodyLimitBytes);
    this.uploadJson = parser(this.bulk.maxJsonBytes);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const upload = this.reflector.getAllAndOverride<boolean | undefined>(TAKES_UPLOAD_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (upload) this.takeUploadSlot(res);
    if (!hasBody(req)) return true;
    if (isJsonMediaType(mediaTypeOf(req))) {
      await this.parseJson(req, res, upload ? this.uploadJson : this.defaultJson);
    } else if (upload) {
      attachSpooledBody(
        req,
        res,
        await spoolBody(req, {
          maxBytes: this.upload.maxBodyBytes,
          maxBytesSetting: 'BULK_MAX_BODY_BYTES',
          idleTimeoutMs: this.upload.idleTimeoutMs,
        }),
      );
    }
    return true;
  }

  /** One of the tenant's upload slots until the response is over, or 429. */
  private takeUploadSlot(res: Response): void {
    const tenantId = getTenantId();
    if (!tenantId) return;
    const release = this.slots.acquire(tenantId);
    if (!release) {
      throw new ProblemException(
        429,
        ProblemCode.TooManyUploads,
        `This tenant already has ${this.slots.limit} uploads in flight ` +
          `(TENANT_MAX_CONCURRENT_UPLOADS); retry when one has finished`,
        { headers: { 'Retry-After': String(UPLOAD_RETRY_AFTER_SECONDS) } },
      );
    }
    res.once('close', release);
  }

  /** Express's JSON parser, given up on (408) when the client stops sending. */
  private parseJson(req: Request, res: Response, parser: RequestHandler): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stopWatching = watchIdle(req, this.upload.idleTimeoutMs, () => {
        stopWatching();
        req.pause();
        reject(bodyIdleError(this.upload.idleTimeoutMs));
      });
      parser(req, res, (error?: unknown) => {
        stopWatching();
        if (error) reject(error instanceof Error ? error : new Error('the body could not be read'));
        else resolve();
      });
    });
  }
}
