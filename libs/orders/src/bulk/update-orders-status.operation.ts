import {
  BulkOperation,
  type BulkOperationHandler,
  type ChunkContext,
  type ChunkItem,
  type ItemOutcome,
} from '@app/jobs';
import { transition, type OrderStatus } from '../order-status';
import { OrdersRepository } from '../orders.repository';
import { UpdateOrderStatusItemDto } from './order-item.dto';

/** Moves orders along the status machine: one locking SELECT and one `UPDATE … FROM unnest` per chunk. */
@BulkOperation()
export class UpdateOrdersStatusOperation implements BulkOperationHandler<UpdateOrderStatusItemDto> {
  readonly name = 'update_orders_status';
  readonly itemDto = UpdateOrderStatusItemDto;
  readonly dedupeField = 'id';

  constructor(private readonly orders: OrdersRepository) {}

  async applyChunk(
    ctx: ChunkContext,
    items: ChunkItem<UpdateOrderStatusItemDto>[],
  ): Promise<ItemOutcome[]> {
    const current = await this.orders.lockStatuses(
      ctx.tenantId,
      items.map((i) => i.item.id),
    );
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
    await this.orders.setStatuses(changes);
    return outcomes;
  }
}
