import { queueConfig } from '@app/common';
import { processQueue } from '@app/queue';
import { runInTracedWork } from '@app/telemetry';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bull';
import { JobName, WEBHOOK_QUEUE, type NamedJob } from '../queueing/job-queues';
import { WebhookDeliveryService } from './webhook-delivery.service';

/** Delivers one event to its webhook; retries (with jittered backoff) are Bull's. */
@Injectable()
export class WebhooksProcessor implements OnModuleInit {
  constructor(
    private readonly delivery: WebhookDeliveryService,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(queueConfig.KEY) private readonly queues: ConfigType<typeof queueConfig>,
  ) {}

  onModuleInit(): void {
    processQueue(this.queue, JobName.Deliver, this.queues.webhooks.concurrency, (job) =>
      this.deliver(job as unknown as NamedJob<typeof JobName.Deliver>),
    );
  }

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
