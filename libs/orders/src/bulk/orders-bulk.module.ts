import { Module } from '@nestjs/common';
import { OrdersRepository } from '../orders.repository';
import { CreateOrdersOperation } from './create-orders.operation';
import { UpdateOrdersStatusOperation } from './update-orders-status.operation';

/** The orders' bulk operations; the jobs module discovers them, it does not import them. */
@Module({ providers: [OrdersRepository, UpdateOrdersStatusOperation, CreateOrdersOperation] })
export class OrdersBulkModule {}
