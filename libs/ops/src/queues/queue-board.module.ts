import { ApiKeyStore } from '@app/auth';
import { authConfig } from '@app/common';
import { BULK_QUEUE, WEBHOOK_QUEUE } from '@app/jobs';
import { MAINTENANCE_QUEUE } from '@app/queue';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { adminOnly } from './admin-auth.middleware';

/** Where the queue dashboard (Bull Board) is served; its JSON API is under `<route>/api`. */
export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** The queues the dashboard shows. */
export const BOARD_QUEUES = [BULK_QUEUE, WEBHOOK_QUEUE, MAINTENANCE_QUEUE] as const;

/**
 * Bull Board for operators at `/admin/queues`: express middleware, so neither the tenant guard nor
 * the OpenAPI document sees it; `adminOnly` in front of it demands ADMIN_API_KEY (404 while unset).
 */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      inject: [ApiKeyStore, authConfig.KEY],
      useFactory: (keys: ApiKeyStore, auth: ConfigType<typeof authConfig>) => ({
        route: QUEUE_BOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: adminOnly(keys, auth.adminApiKey !== undefined),
        boardOptions: { uiConfig: { boardTitle: 'Bulk REST queues', hideDocsLink: true } },
      }),
    }),
    BullBoardModule.forFeature(...BOARD_QUEUES.map((name) => ({ name, adapter: BullAdapter }))),
  ],
})
export class QueueBoardModule {}
