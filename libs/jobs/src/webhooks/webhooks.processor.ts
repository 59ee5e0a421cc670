import { runInTracedWork } from '@app/telemetry';
import { Process, Processor } from '@nestjs/bull';
import { JobName, QUEUE_SETTINGS, WEBHOOK_QUEUE, type NamedJob } from '../queueing/job-queues';
import { WebhookDeliveryService } from './webhook-delivery.service';

/** Delivers one event to its webhook; retries (with jittered backoff) are Bull's. */
@Processor(WEBHOOK_QUEUE)
export class WebhooksProcessor {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @Process({ name: JobName.Deliver, concurrency: QUEUE_SETTINGS[WEBHOOK_QUEUE].concurrency() })
  deliver(job: NamedJob<typeof JobName.Deliver>) {
    const attempt = job.attemptsMade + 1;
    return runInTracedWork(
      'webhook.deliver',
      job.data.trace,
      {
        'messaging.system': 'bull',
        'messaging.destination.name': WEBHOOK_QUEUE,
        'webhook.event_id': job.data.eventId,
        'webhook.attempt': attempt,
      },
      () => this.delivery.deliver(job.data.eventId, attempt, attempt >= (job.opts.attempts ?? 1)),
    );
  }
}
