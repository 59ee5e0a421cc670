import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../pagination.types';

/** `limit` and `cursor`, shared by every list's query DTO. */
export class PageQueryDto {
  /** Page size, 1–100. @example 20 */
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number = DEFAULT_PAGE_LIMIT;

  /** Opaque cursor from `next_cursor` of the previous page; only valid with the same filters. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;
}
