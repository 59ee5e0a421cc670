import { Module } from '@nestjs/common';
import { FairScheduler } from './fair-scheduler.service';
import { TenantQuotasRepository } from './tenant-quotas.repository';
import { TenantQuotas } from './tenant-quotas.service';
import { TenantSlotsRepository } from './tenant-slots.repository';

/** Who goes next and who gets in: fair chunk scheduling over tenant slots, and admission quotas. */
@Module({
  providers: [TenantSlotsRepository, TenantQuotasRepository, FairScheduler, TenantQuotas],
  exports: [FairScheduler, TenantQuotas],
})
export class SchedulingModule {}
