import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CreateOrderDto } from '../dto/create-order.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

/** An item of `update_orders_status`. */
export class UpdateOrderStatusItemDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  id: string;

  @IsIn(ORDER_STATUSES)
  status: OrderStatus;

  /** Optional client reference, echoed in results. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  ref?: string;
}

/** An item of `create_orders`: a `POST /orders` body plus an optional `ref`. */
export class CreateOrderItemDto extends CreateOrderDto {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  ref?: string;
}
