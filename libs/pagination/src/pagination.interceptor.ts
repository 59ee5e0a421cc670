import { getTenantId, paginationConfig, ProblemCode, ProblemException } from '@app/common';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { bindingHash, CursorCodec, InvalidCursorError } from './cursor.codec';
import { PAGE_REQUEST, PAGINATED_KEY } from './pagination.constants';
import {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type Page,
  type PageRequest,
  type PaginatedOptions,
} from './pagination.types';

export interface PageEnvelope<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Query values arrive as strings or string arrays ('simple' query parser). */
function queryValue(value: unknown): unknown {
  return value === undefined ? null : JSON.stringify(value);
}

/** Verifies the incoming cursor for `@Paginated` handlers and wraps their `Page` into the public envelope. */
@Injectable()
export class PaginationInterceptor implements NestInterceptor {
  private readonly codec: CursorCodec;

  constructor(
    private readonly reflector: Reflector,
    @Inject(paginationConfig.KEY) config: ConfigType<typeof paginationConfig>,
  ) {
    this.codec = new CursorCodec(config.secret);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<PaginatedOptions | undefined>(PAGINATED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { [PAGE_REQUEST]?: PageRequest }>();
    const res = http.getResponse<Response>();
    const binding = this.binding(req, options);
    const page: PageRequest = {
      limit: this.limit(req.query.limit),
      after: this.after(req.query.cursor, binding, options),
      key: options.key,
      direction: options.direction,
    };
    req[PAGE_REQUEST] = page;
    return next.handle().pipe(
      map((result: Page<unknown>) => {
        const nextCursor = result.nextKey ? this.codec.encode(result.nextKey, binding) : null;
        if (nextCursor) res.setHeader('Link', `<${this.nextUrl(req, nextCursor)}>; rel="next"`);
        const envelope: PageEnvelope<unknown> = {
          data: result.items,
          has_more: nextCursor !== null,
          next_cursor: nextCursor,
        };
        return envelope;
      }),
    );
  }

  /** Tenant, route, route params and filter values: a cursor only works where it was issued. */
  private binding(req: Request, options: PaginatedOptions): string {
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const parts: Record<string, unknown> = {
      tenant: getTenantId() ?? null,
      route: `${req.method} ${route}`,
      key: options.key.map((k) => k.column).join(','),
      dir: options.direction,
    };
    for (const p of options.params ?? []) parts[`param:${p}`] = req.params[p] ?? null;
    for (const f of options.filters ?? []) parts[`filter:${f}`] = queryValue(req.query[f]);
    return bindingHash(parts);
  }

  /** Out-of-range limits are rejected by the query DTO's validation; here only the value is read. */
  private limit(raw: unknown): number {
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= MAX_PAGE_LIMIT ? n : DEFAULT_PAGE_LIMIT;
  }

  private after(raw: unknown, binding: string, options: PaginatedOptions): string[] | null {
    if (raw === undefined) return null;
    if (typeof raw !== 'string' || raw === '')
      throw this.invalid('the cursor must be a single non-empty string');
    try {
      return this.codec.decode(raw, binding, options.key.length);
    } catch (e) {
      if (e instanceof InvalidCursorError) throw this.invalid(e.message);
      throw e;
    }
  }

  private invalid(reason: string): ProblemException {
    return new ProblemException(
      400,
      ProblemCode.InvalidCursor,
      `Invalid cursor: ${reason}. Start again without a cursor.`,
      {
        errors: [{ field: 'cursor', message: reason }],
      },
    );
  }

  private nextUrl(req: Request, cursor: string): string {
    const url = new URL(req.originalUrl, 'http://placeholder');
    url.searchParams.set('cursor', cursor);
    return `${url.pathname}${url.search}`;
  }
}
