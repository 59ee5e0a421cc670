import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { json, type Request, type RequestHandler, type Response } from 'express';
import { appConfig, bulkConfig, uploadConfig } from '../config/config.namespaces';
import {
  bodyIdleError,
  receiveBody,
  stopReading,
  watchIdle,
  type IncomingBody,
} from './body-stream';
import { hasBody, isJsonMediaType, JSON_MEDIA_TYPES, mediaTypeOf } from './content-type.guard';
import { verifyJsonDepth } from './json-depth';

/**
 * Parses a request's JSON body, only ever after the guards that may refuse the request (UTF-8 only,
 * depth-checked), and receives a streamed upload's (NDJSON/CSV) for the route's own guard. A body
 * that stalls for UPLOAD_IDLE_TIMEOUT_MS is dropped (408).
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

  /** A JSON body into `req.body`: up to BULK_MAX_JSON_BYTES for an upload, else BODY_LIMIT_BYTES. */
  async readJson(req: Request, res: Response, upload: boolean): Promise<void> {
    if (!hasBody(req) || !isJsonMediaType(mediaTypeOf(req))) return;
    await this.parseJson(req, res, upload ? this.uploadJson : this.defaultJson);
  }

  /**
   * A streamed upload's body as it arrives (see `receiveBody`), within BULK_MAX_BODY_BYTES and
   * UPLOAD_IDLE_TIMEOUT_MS; hashed when `digest`.
   */
  receiveStream(req: Request, res: Response, digest: boolean): IncomingBody {
    return receiveBody(req, res, {
      maxBytes: this.upload.maxBodyBytes,
      maxBytesSetting: 'BULK_MAX_BODY_BYTES',
      idleTimeoutMs: this.upload.idleTimeoutMs,
      digest,
    });
  }

  /** Express's JSON parser, given up on (408) when the client stops sending. */
  private parseJson(req: Request, res: Response, parser: RequestHandler): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stopWatching = watchIdle(req, this.upload.idleTimeoutMs, () => {
        stopWatching();
        stopReading(req, res);
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
