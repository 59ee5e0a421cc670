import {
  getTenantId,
  isJsonMediaType,
  mediaTypeOf,
  ProblemCode,
  ProblemException,
  RequestBodyReader,
  setBodyDigest,
  TakesUpload,
  UploadSlots,
} from '@app/common';
import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { TenantQuotas } from '../scheduling/tenant-quotas.service';
import type { ChunkSpool } from '../ingest/chunk-spool';
import { AcceptJob } from '../use-cases/accept-job/accept-job.use-case';
import { StageUpload } from '../use-cases/stage-upload/stage-upload.use-case';

/** How long a refused upload is told to wait: uploads end when their bodies do. */
const UPLOAD_RETRY_AFTER_SECONDS = 5;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const staged = new WeakMap<Request, ChunkSpool>();

/** The chunks `BulkUploadGuard` built from a streamed (NDJSON/CSV) upload. */
export function stagedUpload(req: Request): ChunkSpool {
  const spool = staged.get(req);
  if (!spool) throw new Error('no staged upload: the route lacks @BulkUpload()');
  return spool;
}

/**
 * A bulk upload is refused before its first byte is received when it can be: a quota already used
 * up, an unknown operation or unsafe webhook target in the query, no free upload slot of the
 * tenant (429 `too_many_uploads`; a slot is held while a body arrives). Then the body is read — a
 * JSON envelope parsed (its webhook target checked after it), NDJSON/CSV parsed into chunks as it
 * arrives (`StageUpload`) — all before the handler and its transaction: nothing waits on the
 * client while a pooled connection is held.
 */
@Injectable()
export class BulkUploadGuard implements CanActivate {
  constructor(
    private readonly slots: UploadSlots,
    private readonly quotas: TenantQuotas,
    private readonly acceptJob: AcceptJob,
    private readonly reader: RequestBodyReader,
    private readonly stage: StageUpload,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const tenantId = getTenantId()!;
    await this.quotas.precheck(tenantId);
    const json = isJsonMediaType(mediaTypeOf(req));
    const operation = text(req.query.operation) ?? '';
    if (!json) await this.acceptJob.checkEnvelope(operation, text(req.query.webhook_url));
    // The slot covers the body's arrival, which the client paces; what follows is the server's.
    const release = this.takeSlot(tenantId);
    const key = req.headers['idempotency-key'];
    const releaseKey = typeof key === 'string' ? this.holdKey(tenantId, key, release) : undefined;
    try {
      if (json) await this.reader.readJson(req, res, true);
      else await this.stageStream(req, res, operation, releaseKey !== undefined);
    } finally {
      releaseKey?.();
      release();
    }
    if (json) {
      const body: unknown = req.body;
      const envelope =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? (body as Record<string, unknown>)
          : {};
      await this.acceptJob.precheckWebhook(envelope.webhook_url ?? req.query.webhook_url);
    }
    return true;
  }

  /**
   * NDJSON/CSV parsed into chunks as it arrives; `keyed`: under an Idempotency-Key, whose
   * fingerprint the body's digest completes (nothing else needs it).
   */
  private async stageStream(
    req: Request,
    res: Response,
    operation: string,
    keyed: boolean,
  ): Promise<void> {
    const format = mediaTypeOf(req) === 'text/csv' ? 'csv' : 'ndjson';
    const body = this.reader.receiveStream(req, res, keyed);
    const spool = await this.stage.execute(body, format, operation);
    res.once('close', () => void spool.close());
    staged.set(req, spool);
    if (body.digest) setBodyDigest(req, body.digest);
  }

  /** The upload's Idempotency-Key while its body arrives, or 409 as for a key in use. */
  private holdKey(tenantId: string, key: string, releaseSlot: () => void): () => void {
    const release = this.slots.holdKey(tenantId, key);
    if (release) return release;
    releaseSlot();
    throw new ProblemException(
      409,
      ProblemCode.IdempotencyKeyInUse,
      'An upload with this Idempotency-Key is still arriving; retry after it finishes',
      { headers: { 'Retry-After': '1' } },
    );
  }

  /** One of the tenant's TENANT_MAX_CONCURRENT_UPLOADS slots (its release), or 429. */
  private takeSlot(tenantId: string): () => void {
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
    return release;
  }
}

/**
 * `POST /bulk-jobs`: the body is a bulk upload (JSON up to BULK_MAX_JSON_BYTES, NDJSON/CSV up to
 * BULK_MAX_BODY_BYTES), read by `BulkUploadGuard` once what can be refused without it was.
 */
export const BulkUpload = () => applyDecorators(TakesUpload(), UseGuards(BulkUploadGuard));
