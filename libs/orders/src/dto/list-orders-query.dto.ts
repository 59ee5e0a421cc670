import { PageQueryDto } from '@app/pagination';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class ListOrdersQueryDto extends PageQueryDto {
  /** Only orders in this status. */
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  /** Only orders of this customer. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  customer_id?: string;
}
