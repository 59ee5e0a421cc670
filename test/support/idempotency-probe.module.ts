import { TenantId } from '@app/common';
import { OrdersService } from '@app/orders';
import { Body, Controller, HttpCode, Module, Post, Res } from '@nestjs/common';
import { OrdersModule } from '@app/orders';
import type { Response } from 'express';
import { IsString } from 'class-validator';
import { serveOutsideTheDocument } from './openapi-validator';

class ProbeDto {
  @IsString()
  customer_id: string;
}

export class ProbeFailure extends Error {}

serveOutsideTheDocument({
  name: 'the idempotency probes of test/support/idempotency-probe.module.ts',
  methods: ['POST'],
  path: /^\/probe\/(accept|fail-after-write|slow)$/,
});

/** Test-only endpoints that write an order and then behave in ways real handlers might. */
@Controller('probe')
class ProbeController {
  constructor(private readonly orders: OrdersService) {}

  @Post('accept')
  @HttpCode(202)
  async accept(
    @TenantId() tenant: string,
    @Body() body: ProbeDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const order = await this.orders.create(tenant, {
      customer_id: body.customer_id,
      amount: 1,
      currency: 'EUR',
    });
    res.location(`/orders/${order.id}`);
    return { accepted: order.id };
  }

  @Post('fail-after-write')
  async failAfterWrite(@TenantId() tenant: string, @Body() body: ProbeDto) {
    await this.orders.create(tenant, { customer_id: body.customer_id, amount: 1, currency: 'EUR' });
    throw new ProbeFailure('the handler failed after its write');
  }

  @Post('slow')
  async slow(@TenantId() tenant: string, @Body() body: ProbeDto) {
    const order = await this.orders.create(tenant, {
      customer_id: body.customer_id,
      amount: 1,
      currency: 'EUR',
    });
    await new Promise((r) => setTimeout(r, 1500));
    return order;
  }
}

@Module({ imports: [OrdersModule], controllers: [ProbeController] })
export class IdempotencyProbeModule {}
