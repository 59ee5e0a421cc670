import { ApiStandardProblems, TenantId } from '@app/common';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadLimits } from '../use-cases/read-limits/read-limits.service';
import { LimitsDto } from './dto/limits.dto';

@ApiTags('limits')
@ApiStandardProblems()
@Controller('limits')
export class LimitsController {
  constructor(private readonly limits: ReadLimits) {}

  @Get()
  @ApiOperation({
    operationId: 'getLimits',
    summary: "The tenant's quotas, what is used of each and when each starts again",
    description:
      'Always lists `requests`, `active_jobs`, `items_per_day`, `concurrent_uploads` and ' +
      '`concurrent_chunks`, in that order. This request counts against `requests` like any other.',
  })
  @ApiOkResponse({ type: LimitsDto, description: "The tenant's quotas." })
  get(@TenantId() tenantId: string): Promise<LimitsDto> {
    return this.limits.forTenant(tenantId);
  }
}
