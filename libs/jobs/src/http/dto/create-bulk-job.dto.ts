import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { JOB_PRIORITIES, type JobPriority } from '../../domain/jobs.constants';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** The body and the query string accept the same optional webhook URL and priority. */
const OptionalWebhookUrl = () =>
  applyDecorators(
    // The Swagger plugin reads class-validator decorators on the property itself, not inside this.
    ApiPropertyOptional({ format: 'uri', maxLength: 2048 }),
    IsOptional(),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }),
    MaxLength(2048),
  );
const OptionalPriority = () =>
  applyDecorators(
    ApiPropertyOptional({ enum: JOB_PRIORITIES }),
    IsOptional(),
    IsIn(JOB_PRIORITIES),
  );

/** The envelope only: items are checked one by one by the worker, never here. */
export class CreateBulkJobDto {
  /** A registered operation, e.g. `update_orders_status` or `create_orders`. @example update_orders_status */
  @ApiProperty({ minLength: 1 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  operation: string;

  /** 1 … BULK_MAX_ITEMS items; each is validated by the worker and may fail on its own. */
  // Free-form objects: the operation decides their fields (a bare `type: object` reads as `{}` to
  // generators, which then refuse every field).
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    minItems: 1,
  })
  @IsArray()
  @ArrayMinSize(1)
  items: Record<string, unknown>[];

  /** Receives a signed `bulk_job.*` event when the job ends (http/https, public addresses only). */
  @OptionalWebhookUrl()
  webhook_url?: string;

  /** All or nothing: if any item fails, none is applied and the job fails. */
  @IsOptional()
  @IsBoolean()
  atomic?: boolean;

  /** Orders this tenant's own jobs (never another tenant's); default `normal`. */
  @OptionalPriority()
  priority?: JobPriority;
}

/** For NDJSON and CSV uploads the envelope travels in the query string. */
export class CreateBulkJobQueryDto {
  /** Required with `application/x-ndjson` and `text/csv` bodies. */
  @ApiPropertyOptional({ minLength: 1 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  operation?: string;

  @OptionalWebhookUrl()
  webhook_url?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  atomic?: boolean;

  /** Orders this tenant's own jobs (never another tenant's); default `normal`. */
  @OptionalPriority()
  priority?: JobPriority;
}
