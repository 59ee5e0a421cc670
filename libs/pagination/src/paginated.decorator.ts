import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import type { Request } from 'express';
import { PAGE_REQUEST, PAGINATED_KEY } from './pagination.constants';
import { PaginationInterceptor } from './pagination.interceptor';
import type { PageRequest as PageRequestShape, PaginatedOptions } from './pagination.types';

/**
 * Marks a list handler: the interceptor verifies its cursor and wraps its `Page` in the envelope.
 * The interceptor is bound here, to list handlers only, rather than globally: every interceptor
 * level costs each request of every route an rxjs chain and an async scope (bench/requests).
 */
export const Paginated = (options: PaginatedOptions) =>
  applyDecorators(SetMetadata(PAGINATED_KEY, options), UseInterceptors(PaginationInterceptor));

/** The verified page request (limit + decoded cursor) for a `@Paginated` handler. */
export const PageArgs = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): PageRequestShape => {
    const req = ctx.switchToHttp().getRequest<Request & { [PAGE_REQUEST]?: PageRequestShape }>();
    const page = req[PAGE_REQUEST];
    if (!page) throw new Error('@PageArgs() used on a handler without @Paginated()');
    return page;
  },
);

const pageModels = new Map<string, Type>();

/** A named page schema (`OrderPage`, …) so generated SDKs get typed, auto-paginable lists. */
export function pageModel(item: Type, name: string): Type {
  const existing = pageModels.get(name);
  if (existing) return existing;
  class PageModel {
    @ApiProperty({ type: [item] })
    data: unknown[];

    @ApiProperty({ description: 'Whether another page follows.' })
    has_more: boolean;

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` to get the next page; null on the last page.',
    })
    next_cursor: string | null;
  }
  Object.defineProperty(PageModel, 'name', { value: name });
  pageModels.set(name, PageModel);
  return PageModel;
}

/** Documents a paginated 200 response with its `Link` header. */
export function ApiPageResponse(item: Type, name: string) {
  const model = pageModel(item, name);
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      description: `A page of ${item.name.replace(/Dto$/, '')} objects, in keyset order.`,
      schema: { $ref: getSchemaPath(model) },
      headers: {
        Link: {
          description:
            'RFC 8288 link to the next page (`rel="next"`), present when `has_more` is true.',
          schema: { type: 'string' },
        },
      },
    }),
  );
}
