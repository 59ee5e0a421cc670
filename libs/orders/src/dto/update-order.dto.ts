import { IsIn } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class UpdateOrderDto {
  /** The new status; must be a legal move from the current one. @example paid */
  @IsIn(ORDER_STATUSES)
  status: OrderStatus;
}
