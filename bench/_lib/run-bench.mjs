// How a bench's index.mjs runs: `--report-only` re-renders its report from the last results;
// otherwise `main()`, after which (also after a failure or Ctrl-C) every child process is stopped
// and `cleanup()` removes what the run created (its database, its Redis keys).
import { killAllSync, stopAll } from './proc.mjs';

export function runBench(main, { reportOnly, cleanup = async () => undefined } = {}) {
  process.on('exit', killAllSync);
  let finished;
  const finish = () =>
    (finished ??= stopAll()
      .then(cleanup)
      .catch((e) => console.error(`cleanup: ${e.message}`)));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`${signal}: cleaning up`);
      killAllSync();
      void finish().finally(() => process.exit(130));
    });
  }
  if (reportOnly && process.argv.includes('--report-only'))
    return Promise.resolve().then(reportOnly);
  return main()
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(finish);
}
