import { newId, ProblemCode } from '@app/common';
import type { Page, PageRequest } from '@app/pagination';
import { mapPage, newestFirstKey, PaginationService } from '@app/pagination';
import { Injectable } from '@nestjs/common';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderDto } from './dto/order.dto';
import { OrdersRepository } from './orders.repository';
import { transition, type OrderStatus } from './order-status';
import { OrderError } from './orders.errors';

export const ORDER_PAGE_KEY = newestFirstKey('o');

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly pagination: PaginationService,
  ) {}

  async create(tenantId: string, dto: CreateOrderDto): Promise<OrderDto> {
    const order = await this.orders.insert({
      id: newId('ord'),
      tenantId,
      customerId: dto.customer_id,
      amount: dto.amount,
      currency: dto.currency,
      status: dto.status ?? 'pending',
      version: 1,
    });
    return OrderDto.from(order);
  }

  async get(tenantId: string, id: string): Promise<OrderDto> {
    const order = await this.orders.find(tenantId, id);
    if (!order) throw OrderError.notFound(id);
    return OrderDto.from(order);
  }

  /**
   * Moves an order along the status machine. The UPDATE is a compare-and-set on `version`, so two
   * concurrent PATCHes cannot both pass the transition check against the same old status.
   */
  async updateStatus(tenantId: string, id: string, to: OrderStatus): Promise<OrderDto> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.orders.find(tenantId, id);
      if (!current) throw OrderError.notFound(id);
      const outcome = transition(current.status, to);
      if (outcome === 'unchanged') return OrderDto.from(current);
      if (outcome === 'invalid') {
        throw new OrderError(
          ProblemCode.InvalidTransition,
          `Order ${id} cannot move from ${current.status} to ${to}`,
        );
      }
      const changed = await this.orders.setStatus(tenantId, id, current.version, to);
      if (changed) return OrderDto.from({ ...current, status: to, ...changed });
    }
    throw new OrderError(ProblemCode.Conflict, `Order ${id} is being changed concurrently; retry`);
  }

  async list(
    tenantId: string,
    query: ListOrdersQueryDto,
    page: PageRequest,
  ): Promise<Page<OrderDto>> {
    const rows = await this.orders.page(
      tenantId,
      { status: query.status, customerId: query.customer_id },
      page,
    );
    const result = this.pagination.pageFromRows(rows, page);
    return mapPage(result, (o) => OrderDto.from(o));
  }
}
