import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { json, type Request, type RequestHandler, type Response } from 'express';
import { appConfig, bulkConfig, uploadConfig } from '../config/config.namespaces';
import { attachSpooledBody, bodyIdleError, spoolBody, watchIdle } from './body-stream';
import { hasBody, isJsonMediaType, JSON_MEDIA_TYPES, mediaTypeOf } from './content-type.guard';
import { verifyJsonDepth } from './json-depth';

/**
 * Reads a request's body, only ever after the guards that may refuse the request: JSON is parsed
 * (UTF-8 only, depth-checked); an upload's NDJSON/CSV is received whole into a spool file (see
 * `spoolBody`). A body that stalls for UPLOAD_IDLE_TIMEOUT_MS is dropped (408).
 */
@Injectable()
export class RequestBodyReader implements OnModuleInit {
  private defaultJson!: RequestHandler;
  private uploadJson!: RequestHandler;

  constructor(
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

  /**
   * `upload`: a bulk upload (JSON up to BULK_MAX_JSON_BYTES; NDJSON/CSV spooled up to
   * BULK_MAX_BODY_BYTES); otherwise JSON up to BODY_LIMIT_BYTES and nothing else is read.
   */
  async read(req: Request, res: Response, upload: boolean): Promise<void> {
    if (!hasBody(req)) return;
    if (isJsonMediaType(mediaTypeOf(req))) {
      await this.parseJson(req, res, upload ? this.uploadJson : this.defaultJson);
    } else if (upload) {
      const body = await spoolBody(req, {
        maxBytes: this.upload.maxBodyBytes,
        maxBytesSetting: 'BULK_MAX_BODY_BYTES',
        idleTimeoutMs: this.upload.idleTimeoutMs,
      });
      attachSpooledBody(req, res, body);
    }
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
