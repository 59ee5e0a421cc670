import { newId } from '@app/common';
import {
  BulkOperation,
  type BulkOperationHandler,
  type ChunkContext,
  type ChunkItem,
  type ItemOutcome,
} from '@app/jobs';
import { OrdersRepository } from '../orders.repository';
import { CreateOrderItemDto } from './order-item.dto';

/** Creates orders with one multi-row INSERT per chunk; the new order id is each item's result. */
@BulkOperation()
export class CreateOrdersOperation implements BulkOperationHandler<CreateOrderItemDto> {
  readonly name = 'create_orders';
  readonly itemDto = CreateOrderItemDto;

  constructor(private readonly orders: OrdersRepository) {}

  async applyChunk(
    ctx: ChunkContext,
    items: ChunkItem<CreateOrderItemDto>[],
  ): Promise<ItemOutcome[]> {
    const ids = items.map(() => newId('ord'));
    await this.orders.insertMany(
      ctx.tenantId,
      items.map(({ item }, n) => ({
        id: ids[n],
        customerId: item.customer_id,
        amount: item.amount,
        currency: item.currency,
        status: item.status ?? 'pending',
      })),
    );
    return items.map((i, n) => ({ idx: i.idx, status: 'succeeded', resultId: ids[n] }));
  }
}
