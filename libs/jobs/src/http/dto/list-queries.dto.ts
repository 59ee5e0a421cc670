import { PageQueryDto } from '@app/pagination';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  EVENT_TYPES,
  ITEM_STATUSES,
  JOB_STATUSES,
  type EventType,
  type ItemStatus,
  type JobStatus,
} from '../../domain/jobs.constants';

export class ListBulkJobsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  operation?: string;
}

export class ListBulkJobItemsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: ItemStatus;
}

export class ListEventsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: EventType;
}
