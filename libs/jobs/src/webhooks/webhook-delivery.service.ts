import { bulkConfig, queueConfig } from '@app/common';
import { annotateActiveSpan, injectTraceHeaders } from '@app/telemetry';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { JobRecords } from '../records/job-records.service';
import { newWebhookSecret, signWebhook } from './signature';
import { resolveWebhookTarget, UnsafeWebhookUrlError } from './url-guard';

export type DeliveryResult = 'delivered' | 'gone' | 'refused' | 'skipped';

export class WebhookAttemptFailed extends Error {}

/** Sends one signed webhook attempt; Bull's retries with jittered backoff drive the schedule. */
@Injectable()
export class WebhookDeliveryService implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private readonly secret: string;

  constructor(
    private readonly records: JobRecords,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
    @Inject(queueConfig.KEY) private readonly queues: ConfigType<typeof queueConfig>,
  ) {
    this.secret = config.webhookSecret ?? newWebhookSecret();
  }

  onModuleInit(): void {
    if (!this.config.webhookSecret) {
      this.logger.warn(
        'WEBHOOK_SECRET is not set: webhooks are signed with a random per-process secret',
      );
    }
  }

  async deliver(eventId: string, attempt: number, finalAttempt: boolean): Promise<DeliveryResult> {
    const result = await this.attempt(eventId, attempt, finalAttempt);
    annotateActiveSpan({ 'webhook.result': result });
    if (result !== 'skipped') this.logger.log(`webhook ${eventId} ${result} (attempt ${attempt})`);
    return result;
  }

  private async attempt(
    eventId: string,
    attempt: number,
    finalAttempt: boolean,
  ): Promise<DeliveryResult> {
    const event = await this.records.deliverableEvent(eventId);
    if (
      !event?.webhookUrl ||
      event.deliveryStatus === 'delivered' ||
      event.deliveryStatus === 'gone'
    )
      return 'skipped';
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      created_at: event.createdAt.toISOString(),
      data: event.data,
    });
    let status: number;
    try {
      const target = await resolveWebhookTarget(
        event.webhookUrl,
        this.config.webhookAllowPrivateNetworks,
      );
      status = await this.post(
        target.url,
        target.address,
        target.family,
        // The receiver can join the job's trace (the HTTP instrumentation, when on, puts its own
        // client span here instead).
        injectTraceHeaders({
          'content-type': 'application/json',
          'user-agent': 'bulk-rest-service-webhooks/1',
          ...signWebhook(this.secret, event.id, Math.floor(Date.now() / 1000), body),
        }),
        body,
      );
    } catch (e) {
      if (e instanceof UnsafeWebhookUrlError) {
        await this.record(eventId, 'refused', attempt);
        this.logger.warn(`webhook ${eventId} refused: ${e.message}`);
        return 'refused';
      }
      await this.record(eventId, finalAttempt ? 'failed' : 'retrying', attempt);
      throw new WebhookAttemptFailed(
        `webhook ${eventId} attempt ${attempt}: ${(e as Error).message}`,
      );
    }
    if (status >= 200 && status < 300) {
      await this.record(eventId, 'delivered', attempt);
      return 'delivered';
    }
    if (status === 410) {
      await this.record(eventId, 'gone', attempt);
      return 'gone';
    }
    await this.record(eventId, finalAttempt ? 'failed' : 'retrying', attempt);
    throw new WebhookAttemptFailed(
      `webhook ${eventId} attempt ${attempt}: receiver answered ${status}`,
    );
  }

  private record(eventId: string, status: string, attempt: number): Promise<void> {
    return this.records.recordDelivery(eventId, status, attempt);
  }

  /** POSTs to the already-vetted address; redirects are not followed (a 3xx is a failed attempt). */
  private post(
    url: URL,
    address: string,
    family: 4 | 6,
    headers: Record<string, string>,
    body: string,
  ): Promise<number> {
    const pinned: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all)
        (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address, family },
        ]);
      else cb(null, address, family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeout = this.queues.webhooks.timeoutMs;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: pinned,
          timeout,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
