import { newId, ProblemCode, ProblemException } from '@app/common';
import type { PageRequest, Page } from '@app/pagination';
import { PaginationService } from '@app/pagination';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderDto } from './dto/order.dto';
import { Order } from './entities/order.entity';
import { transition, type OrderStatus } from './order-status';

export const ORDER_PAGE_KEY = [
  { column: 'o.created_at', type: 'timestamptz' },
  { column: 'o.id', type: 'text' },
] as const;

@Injectable()
export class OrdersService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly pagination: PaginationService,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(Order);
  }

  async create(tenantId: string, dto: CreateOrderDto): Promise<OrderDto> {
    const order = this.repo.create({
      id: newId('ord'),
      tenantId,
      customerId: dto.customer_id,
      amount: dto.amount,
      currency: dto.currency,
      status: dto.status ?? 'pending',
      version: 1,
    });
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(Order)
      .values(order)
      .returning(['created_at', 'updated_at'])
      .execute();
    const row = (result.raw as { created_at: Date; updated_at: Date }[])[0];
    return OrderDto.from({ ...order, createdAt: row.created_at, updatedAt: row.updated_at });
  }

  async get(tenantId: string, id: string): Promise<OrderDto> {
    const order = await this.repo.findOneBy({ tenantId, id });
    if (!order) throw ProblemException.notFound('Order', id);
    return OrderDto.from(order);
  }

  /**
   * Moves an order along the status machine. The UPDATE is a compare-and-set on `version`, so two
   * concurrent PATCHes cannot both pass the transition check against the same old status.
   */
  async updateStatus(tenantId: string, id: string, to: OrderStatus): Promise<OrderDto> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.repo.findOneBy({ tenantId, id });
      if (!current) throw ProblemException.notFound('Order', id);
      const outcome = transition(current.status, to);
      if (outcome === 'unchanged') return OrderDto.from(current);
      if (outcome === 'invalid') {
        throw new ProblemException(
          409,
          ProblemCode.InvalidTransition,
          `Order ${id} cannot move from ${current.status} to ${to}`,
        );
      }
      const result = await this.repo
        .createQueryBuilder()
        .update(Order)
        .set({ status: to, version: () => 'version + 1', updatedAt: () => 'now()' })
        .where('tenant_id = :tenantId AND id = :id AND version = :version', {
          tenantId,
          id,
          version: current.version,
        })
        .returning(['version', 'updatedAt'])
        .execute();
      const raw = (result.raw as { version: number; updated_at: Date }[])[0];
      if (raw) {
        return OrderDto.from({
          ...current,
          status: to,
          version: raw.version,
          updatedAt: raw.updated_at,
        });
      }
    }
    throw new ProblemException(
      409,
      ProblemCode.Conflict,
      `Order ${id} is being changed concurrently; retry`,
    );
  }

  async list(
    tenantId: string,
    query: ListOrdersQueryDto,
    page: PageRequest,
  ): Promise<Page<OrderDto>> {
    const qb = this.repo.createQueryBuilder('o').where('o.tenant_id = :tenantId', { tenantId });
    if (query.status) qb.andWhere('o.status = :status', { status: query.status });
    if (query.customer_id)
      qb.andWhere('o.customer_id = :customerId', { customerId: query.customer_id });
    const result = await this.pagination.paginate(qb, page);
    return { ...result, items: result.items.map((o) => OrderDto.from(o)) };
  }
}
