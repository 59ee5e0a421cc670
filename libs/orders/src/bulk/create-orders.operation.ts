import { newId } from '@app/common';
import {
  BulkOperation,
  type BulkOperationHandler,
  type ChunkContext,
  type ChunkItem,
  type ItemOutcome,
} from '@app/jobs';
import { CreateOrderItemDto } from './order-item.dto';

/** Creates orders with one multi-row INSERT per chunk; the new order id is each item's result. */
@BulkOperation()
export class CreateOrdersOperation implements BulkOperationHandler<CreateOrderItemDto> {
  readonly name = 'create_orders';
  readonly itemDto = CreateOrderItemDto;

  async applyChunk(
    ctx: ChunkContext,
    items: ChunkItem<CreateOrderItemDto>[],
  ): Promise<ItemOutcome[]> {
    const ids = items.map(() => newId('ord'));
    await ctx.manager.query(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
       SELECT u.id, $1, u.customer_id, u.amount, u.currency, u.status, 1
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS u(id, customer_id, amount, currency, status)`,
      [
        ctx.tenantId,
        ids,
        items.map((i) => i.item.customer_id),
        items.map((i) => i.item.amount),
        items.map((i) => i.item.currency),
        items.map((i) => i.item.status ?? 'pending'),
      ],
    );
    return items.map((i, n) => ({ idx: i.idx, status: 'succeeded', resultId: ids[n] }));
  }
}
