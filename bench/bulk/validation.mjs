// What checking items costs: 1000 update_orders_status items through the worker's ItemValidator,
// once with the checks compiled from the DTO's decorators (JSON items) and once through
// class-transformer + class-validator (the path CSV items and every invalid item take).
import { join } from 'node:path';
import { median } from '../_lib/stats.mjs';
import { require } from './env.mjs';

export function measureValidation(build, rounds = 7) {
  require('reflect-metadata');
  const { ItemValidator } = require(
    join(build.dist, 'libs/jobs/src/domain/operations/item-validator.js'),
  );
  const { UpdateOrdersStatusOperation } = require(
    join(build.dist, 'libs/orders/src/bulk/update-orders-status.operation.js'),
  );
  const op = new UpdateOrdersStatusOperation();
  const validator = new ItemValidator();
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: `ord_${i}`, status: 'paid' }));
  const cpuMs = () => process.cpuUsage().user / 1000;
  const perChunk = (fromCsv) => {
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = cpuMs();
      for (let k = 0; k < 10; k++) for (const it of items) validator.check(op, it, fromCsv);
      runs.push((cpuMs() - t0) / 10);
    }
    return median(runs.slice(2)); // the first rounds warm the JIT up
  };
  return { compiledMsPer1000: perChunk(false), classValidatorMsPer1000: perChunk(true) };
}
