import { bulkConfig, InvalidInputError } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { resolveWebhookTarget, UnsafeWebhookUrlError } from './url-guard';

/** How long one URL's verdict is reused: a request checks before its transaction and again in it. */
const VERDICT_TTL_MS = 30_000;
const MAX_VERDICTS = 1000;

/**
 * Whether a job's `webhook_url` may be used (public address, http(s), no credentials), as a 400
 * problem. Verdicts are kept briefly, so that the check made before a transaction opens answers the
 * one inside it without a DNS lookup. Deliveries resolve and check again at send time.
 */
@Injectable()
export class WebhookTargetCheck {
  private readonly verdicts = new Map<string, { until: number; error?: InvalidInputError }>();

  constructor(@Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>) {}

  async check(url: string): Promise<void> {
    const known = this.verdicts.get(url);
    if (known && known.until > Date.now()) {
      if (known.error) throw known.error;
      return;
    }
    let error: InvalidInputError | undefined;
    try {
      await resolveWebhookTarget(url, this.config.webhookAllowPrivateNetworks);
    } catch (e) {
      if (!(e instanceof UnsafeWebhookUrlError)) throw e;
      error = new InvalidInputError([{ field: 'webhook_url', message: e.message }]);
    }
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(url, { until: Date.now() + VERDICT_TTL_MS, error });
    if (error) throw error;
  }
}
