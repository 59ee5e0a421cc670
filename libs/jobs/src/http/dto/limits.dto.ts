import { ApiProperty } from '@nestjs/swagger';

export const LIMIT_NAMES = [
  'requests',
  'active_jobs',
  'items_per_day',
  'concurrent_uploads',
  'concurrent_chunks',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** One of the tenant's quotas: its limit, what is used of it now, and when that starts again. */
export class LimitDto {
  @ApiProperty({
    enum: LIMIT_NAMES,
    description:
      '`requests`: requests in the current rate-limit window (RATE_LIMIT_PER_MINUTE, 60 s; this one ' +
      'included; the `RateLimit` headers tell the same). `active_jobs`: unfinished bulk jobs ' +
      '(TENANT_MAX_ACTIVE_JOBS). `items_per_day`: items accepted today, UTC (TENANT_MAX_ITEMS_PER_DAY). ' +
      '`concurrent_uploads`: bulk uploads being received by the API process that answers ' +
      '(TENANT_MAX_CONCURRENT_UPLOADS). `concurrent_chunks`: chunks being applied now across every ' +
      'worker (TENANT_MAX_CONCURRENT_CHUNKS).',
    example: 'active_jobs',
  })
  name: LimitName;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description: 'The most allowed; `null` when there is no limit.',
    example: 100,
  })
  limit: number | null;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Used now (`requests`: 0 when requests are not limited, as nothing counts them).',
    example: 3,
  })
  used: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description: '`limit - used`, never below 0; `null` when there is no limit.',
    example: 97,
  })
  remaining: number | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description:
      'When the count starts again (`requests`: the end of the window; `items_per_day`: the next ' +
      'UTC midnight); `null` for limits on what runs at once, which free up as work ends.',
    example: '2026-01-14T00:00:00.000Z',
  })
  reset_at: string | null;
}

/** Every quota of the tenant, in a fixed order. */
export class LimitsDto {
  @ApiProperty({ type: [LimitDto] })
  data: LimitDto[];
}
