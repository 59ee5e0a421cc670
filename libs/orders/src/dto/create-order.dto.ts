import { ApiProperty } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class CreateOrderDto {
  /** @example cus_42 */
  // The CLI plugin's class-validator shim does not turn @IsNotEmpty into minLength (nor @IsInt into integer).
  @ApiProperty({ minLength: 1 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  customer_id: string;

  /** Integer minor units, ≥ 0. @example 1999 */
  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amount: number;

  /** ISO 4217, three upper-case letters. @example EUR */
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code such as EUR' })
  currency: string;

  /** Initial status; defaults to `pending`. */
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}
