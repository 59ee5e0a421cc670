import { AdminAttemptsLimiter, ApiKeyStore } from '@app/auth';
import { authConfig } from '@app/common';
import { BULK_QUEUE, WEBHOOK_QUEUE } from '@app/jobs';
import { MAINTENANCE_QUEUE } from '@app/queue';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { adminOnly } from './admin-auth.middleware';
import { boardActions, boardTitle, type BoardMode } from './board-actions.middleware';

/** Where the queue dashboard (Bull Board) is served; its JSON API is under `<route>/api`. */
export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** The queues the dashboard shows. */
export const BOARD_QUEUES = [BULK_QUEUE, WEBHOOK_QUEUE, MAINTENANCE_QUEUE] as const;

/**
 * Bull Board's per-queue options are fixed when the module is declared, before configuration is
 * read; its adapters read them later, at module init, after the root factory below has set the flag
 * from configuration. Read-only until then.
 */
const adapterOptions = { readOnlyMode: true };

/**
 * Bull Board for operators at `/admin/queues`: express middleware, so neither the tenant guard nor
 * the OpenAPI document sees it; `adminOnly` in front of it demands ADMIN_API_KEY (404 while unset),
 * then `boardActions` keeps it read-only unless ADMIN_BOARD_ACTIONS=true.
 */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      inject: [ApiKeyStore, AdminAttemptsLimiter, authConfig.KEY],
      useFactory: (
        keys: ApiKeyStore,
        attempts: AdminAttemptsLimiter,
        auth: ConfigType<typeof authConfig>,
      ) => {
        const mode: BoardMode = auth.boardActions ? 'actions' : 'read-only';
        adapterOptions.readOnlyMode = mode === 'read-only';
        const authenticate = adminOnly(keys, auth.adminApiKey !== undefined, attempts);
        const gate = boardActions(mode, QUEUE_BOARD_ROUTE);
        return {
          route: QUEUE_BOARD_ROUTE,
          adapter: ExpressAdapter,
          middleware: (req: Request, res: Response, next: NextFunction) =>
            authenticate(req, res, () => gate(req, res, next)),
          boardOptions: { uiConfig: { boardTitle: boardTitle(mode), hideDocsLink: true } },
        };
      },
    }),
    BullBoardModule.forFeature(
      ...BOARD_QUEUES.map((name) => ({
        name,
        adapter: BullAdapter,
        options: adapterOptions,
      })),
    ),
  ],
})
export class QueueBoardModule {}
