import {
  BulkOperation,
  type BulkOperationHandler,
  type ChunkContext,
  type ChunkItem,
  type ItemOutcome,
} from '@app/jobs';
import { transition, type OrderStatus } from '../order-status';
import { UpdateOrderStatusItemDto } from './order-item.dto';

/** Moves orders along the status machine: one locking SELECT and one `UPDATE … FROM unnest` per chunk. */
@BulkOperation()
export class UpdateOrdersStatusOperation implements BulkOperationHandler<UpdateOrderStatusItemDto> {
  readonly name = 'update_orders_status';
  readonly itemDto = UpdateOrderStatusItemDto;
  readonly dedupeField = 'id';

  async applyChunk(
    ctx: ChunkContext,
    items: ChunkItem<UpdateOrderStatusItemDto>[],
  ): Promise<ItemOutcome[]> {
    const ids = items.map((i) => i.item.id);
    // Probe by primary key: written as an expression, the tenant check stays a filter on the probed
    // rows (so only this tenant's rows are locked) and cannot tempt the planner into a tenant-index
    // scan when statistics lag behind a bulk insert (autovacuum not caught up yet).
    const rows = await ctx.manager.query<{ id: string; status: OrderStatus }[]>(
      `SELECT id, status FROM orders WHERE id = ANY($1::text[]) AND (tenant_id || '') = $2 ORDER BY id FOR UPDATE`,
      [ids, ctx.tenantId],
    );
    const current = new Map(rows.map((r) => [r.id, r.status]));
    const outcomes: ItemOutcome[] = [];
    const changes: { id: string; status: OrderStatus }[] = [];
    for (const { idx, item } of items) {
      const from = current.get(item.id);
      if (!from) {
        outcomes.push({
          idx,
          status: 'failed',
          code: 'not_found',
          message: `Order ${item.id} was not found`,
        });
        continue;
      }
      const outcome = transition(from, item.status);
      if (outcome === 'invalid') {
        outcomes.push({
          idx,
          status: 'failed',
          code: 'invalid_transition',
          message: `Order ${item.id} cannot move from ${from} to ${item.status}`,
        });
        continue;
      }
      if (outcome === 'changed') changes.push({ id: item.id, status: item.status });
      outcomes.push({ idx, status: 'succeeded', resultId: item.id });
    }
    if (changes.length) {
      // The ids were locked above and belong to this tenant: join on the primary key alone.
      await ctx.manager.query(
        `UPDATE orders o SET status = u.status, version = o.version + 1, updated_at = now()
           FROM unnest($1::text[], $2::text[]) AS u(id, status)
          WHERE o.id = u.id`,
        [changes.map((c) => c.id), changes.map((c) => c.status)],
      );
    }
    return outcomes;
  }
}
