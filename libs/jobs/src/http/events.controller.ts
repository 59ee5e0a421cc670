import { ApiStandardProblems, TenantId } from '@app/common';
import { ApiPageResponse, PageArgs, Paginated, type Page, type PageRequest } from '@app/pagination';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventDto } from '../records/dto/event.dto';
import { ListEventsQueryDto } from './dto/list-queries.dto';
import { EVENTS_PAGE_KEY } from '../records/job-records.service';
import { ReadJobs } from '../use-cases/read-jobs/read-jobs.service';

@ApiTags('events')
@ApiStandardProblems()
@Controller('events')
export class EventsController {
  constructor(private readonly jobs: ReadJobs) {}

  @Get()
  @Paginated({
    key: EVENTS_PAGE_KEY,
    direction: 'desc',
    filters: ['type'],
  })
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List job lifecycle events, newest first (the objects webhooks carry)',
  })
  @ApiPageResponse(EventDto, 'EventPage')
  list(
    @TenantId() tenantId: string,
    @Query() query: ListEventsQueryDto,
    @PageArgs() page: PageRequest,
  ): Promise<Page<EventDto>> {
    return this.jobs.listEvents(tenantId, query.type, page);
  }
}
