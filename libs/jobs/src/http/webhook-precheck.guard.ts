import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AcceptJob } from '../use-cases/accept-job/accept-job.use-case';

/**
 * Checks a submission's `webhook_url` (query or JSON body) before the handler runs: guards run
 * before interceptors, so the DNS lookup happens before an `Idempotency-Key` transaction opens.
 * An unsafe URL is the same 400 the use case would answer; anything else is left to validation.
 */
@Injectable()
export class WebhookPrecheckGuard implements CanActivate {
  constructor(private readonly acceptJob: AcceptJob) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const body: unknown = req.body;
    const fromBody =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).webhook_url
        : undefined;
    await this.acceptJob.precheckWebhook(fromBody ?? req.query.webhook_url);
    return true;
  }
}
