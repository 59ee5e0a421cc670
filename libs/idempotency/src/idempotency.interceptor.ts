import { bodyDigest, getTenantId, ProblemCode, ProblemException, renderError } from '@app/common';
import { Database } from '@app/database';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
// What @HttpCode() sets: a public constant of Nest's (the package exports its `./*` files).
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { requestFingerprint } from './fingerprint';
import {
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_OPTIONS_KEY,
  IDEMPOTENT_REPLAYED_HEADER,
  REPLAYED_HEADERS,
} from './idempotency.constants';
import type { IdempotencyOptions } from './idempotency.decorator';
import {
  IdempotencyService,
  STREAM_DIGEST_SEPARATOR,
  type ClaimResult,
  type KeyedRequest,
  type StoredResponse,
} from './idempotency.service';

const METHODS = new Set(['POST', 'PATCH']);

/** What the transaction found: a decision that ran nothing, or the handler's value. */
type Outcome = Exclude<ClaimResult, { kind: 'claimed' }> | { kind: 'executed'; value: unknown };

/**
 * Exactly-once POST and PATCH under `Idempotency-Key`: claim the key and run the handler in one
 * transaction that also stores its response; replay that response for retries.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
    private readonly db: Database,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!METHODS.has(req.method)) return next.handle();
    const options = this.reflector.getAllAndOverride<IdempotencyOptions | undefined>(
      IDEMPOTENCY_OPTIONS_KEY,
      [context.getHandler(), context.getClass()],
    );
    if (options?.enabled === false) return next.handle();
    const tenantId = getTenantId();
    const raw = req.headers['idempotency-key'];
    if (raw === undefined || !tenantId) {
      if (options?.required) throw this.badKey('this operation requires an Idempotency-Key header');
      return next.handle();
    }
    if (Array.isArray(raw) || !IDEMPOTENCY_KEY_PATTERN.test(raw)) {
      throw this.badKey('Idempotency-Key must be 1-255 printable ASCII characters, sent once');
    }
    return from(this.execute(context, next, req, tenantId, raw));
  }

  private async execute(
    context: ExecutionContext,
    next: CallHandler,
    req: Request,
    tenantId: string,
    key: string,
  ): Promise<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    // A streamed body (NDJSON/CSV) is not parsed: it was received whole before this ran, and its
    // SHA-256 completes the fingerprint (see the service).
    const digest = bodyDigest(req);
    const body: unknown =
      req.body === undefined
        ? { $stream: { type: req.headers['content-type'] ?? null, query: req.query } }
        : req.body;
    const fingerprint = requestFingerprint(req.method, req.path, body);
    const keyed: KeyedRequest = {
      tenantId,
      key,
      fingerprint: digest ? `${fingerprint}${STREAM_DIGEST_SEPARATOR}${digest}` : fingerprint,
      method: req.method,
      path: req.path,
    };
    let outcome: Outcome;
    try {
      outcome = await this.db.bracketed<Outcome>(
        this.idempotency.opening(keyed),
        async (opened) => {
          const claim = this.idempotency.decide(keyed, opened);
          // Nothing was written: the transaction ends at once.
          if (claim.kind !== 'claimed') return { value: claim };
          const value: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const response = this.successResponse(context, res, value);
          return {
            value: { kind: 'executed', value },
            closing: [this.idempotency.closing(keyed, claim, response)],
          };
        },
      );
    } catch (error) {
      // The transaction rolled back: the handler's writes are gone and nothing was recorded.
      const rendered = renderError(error, req);
      // Nothing ran (validation) or the server failed: keep no answer, so that a retry executes.
      const keep = !(
        rendered.status >= 500 || rendered.problem.code === ProblemCode.ValidationFailed
      );
      if (keep) {
        await this.idempotency
          .storeOutcome(keyed, {
            status: rendered.status,
            headers: pickHeaders(rendered.headers),
            body: rendered.body,
          })
          .catch(() => undefined);
      }
      throw error;
    }
    switch (outcome.kind) {
      case 'executed':
        return outcome.value;
      case 'mismatch':
        throw this.reused(outcome.method, outcome.path);
      case 'in_use':
        throw new ProblemException(
          409,
          ProblemCode.IdempotencyKeyInUse,
          'A request with this Idempotency-Key is still being processed; retry after it finishes',
          { headers: { 'Retry-After': String(outcome.retryAfterSeconds) } },
        );
      case 'completed':
        return this.replay(context, res, outcome.response);
    }
  }

  /** The status and bytes Nest is about to send for the handler's value. */
  private successResponse(
    context: ExecutionContext,
    res: Response,
    value: unknown,
  ): StoredResponse {
    const status = this.routeStatus(context);
    const headers = pickHeaders(
      Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, String(v)])),
    );
    if (value === undefined || value === null) return { status, headers, body: '' };
    const body = typeof value === 'string' ? value : JSON.stringify(value);
    headers['content-type'] ??=
      typeof value === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
    return { status, headers, body };
  }

  /** The status Nest gives the route's answers: `@HttpCode()`, else 201 for a POST, 200 otherwise. */
  private routeStatus(context: ExecutionContext): number {
    const declared = this.reflector.get<number | undefined>(
      HTTP_CODE_METADATA,
      context.getHandler(),
    );
    const req = context.switchToHttp().getRequest<Request>();
    return declared ?? (req.method === 'POST' ? 201 : 200);
  }

  /**
   * The stored answer, sent as it was. Nest sends the route's own status: when the stored status is
   * that one (every replayed success), the stored bytes go out as the handler's plain value with the
   * stored headers (its Content-Type keeps Express from re-encoding them); any other status goes as
   * a web Response, which Nest sends whole, at the cost of its streaming path.
   */
  private replay(context: ExecutionContext, res: Response, stored: StoredResponse): unknown {
    if (stored.status !== this.routeStatus(context)) return replayResponse(stored);
    for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
    // Lower case, as the web Response path and the stored headers send their names.
    res.setHeader(IDEMPOTENT_REPLAYED_HEADER.toLowerCase(), 'true');
    return stored.body === '' ? undefined : stored.body;
  }

  private reused(method: string, path: string): ProblemException {
    return new ProblemException(
      422,
      ProblemCode.IdempotencyKeyReused,
      `This Idempotency-Key was already used for a different request (${method} ${path}); use a new key for a new request`,
    );
  }

  private badKey(message: string): ProblemException {
    return ProblemException.validation([{ field: 'Idempotency-Key', message }], message);
  }
}

/**
 * A stored answer as a web Response: the whole answer to Nest, whose status and headers win over the
 * route's own (`@HttpCode()`, or 201 for a POST).
 */
function replayResponse({ status, headers, body }: StoredResponse): globalThis.Response {
  return new globalThis.Response(body === '' ? null : body, {
    status,
    headers: {
      ...headers,
      ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      [IDEMPOTENT_REPLAYED_HEADER.toLowerCase()]: 'true',
    },
  });
}

function pickHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (REPLAYED_HEADERS.includes(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  return out;
}
