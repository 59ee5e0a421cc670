import { EVENT_TYPES } from '../../domain/jobs.constants';
import { BulkJobDto } from './bulk-job.dto';

/** A job lifecycle event, exactly as webhooks deliver it. */
export class EventDto {
  /** @example evt_3k9x0m2q7c1v8b4n5z6a */
  id: string;
  type: (typeof EVENT_TYPES)[number];
  created_at: string;
  data: BulkJobDto;
}
