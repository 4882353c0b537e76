/**
 * @module `atlas worker --queue redis://HOST:PORT`: run queued sweep jobs on this machine
 * (src/distributed/queueWorker.ts) until SIGTERM or Ctrl-C, which let the jobs in progress finish.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import type { Cli } from '../main.js';
import { intFlag } from './strategyFlags.js';

export function registerWorkerCommand(program: Command, cli: Cli): void {
  program
    .command('worker')
    .description('run queued sweep and walk-forward jobs from Redis on this machine (docs/distributed.md)')
    .requiredOption('--queue <redis://HOST:PORT>', 'the Redis the coordinators enqueue on')
    .option('--concurrency <n>', 'jobs at once, one thread each (default: one per core)')
    .option('--cache-dir <dir>', 'keep fetched panels here across restarts (default: memory only)')
    .addOption(new Option('--lock-duration <ms>', 'BullMQ job lock (a dead worker\'s job returns after it)').default('30000').hideHelp())
    .addOption(new Option('--stalled-interval <ms>', 'how often this worker looks for stalled jobs').default('30000').hideHelp())
    .addHelpText('after', `
A worker takes jobs from any coordinator on the same Redis (\`atlas sweep --queue\`,
\`atlas walkforward --queue\`), fetches each sweep's panel once by its content hash, and runs
the configurations with the same code as a local sweep. Redis must not be reachable from the
internet: anyone who can write to it can make workers fetch and run jobs.

Examples:
  $ atlas worker --queue redis://127.0.0.1:6379
  $ atlas worker --queue redis://10.0.0.5:6379 --concurrency 8 --cache-dir /var/cache/atlas`)
    .action(async (opts: { queue: string; concurrency?: string; cacheDir?: string; lockDuration: string; stalledInterval: string }) => {
      // Loaded here, not at start: bullmq, ioredis and apache-arrow cost every other command time.
      const { parseRedisUrl, checkRedis } = await import('../../distributed/redisUrl.js');
      const { startQueueWorker } = await import('../../distributed/queueWorker.js');
      const target = parseRedisUrl(opts.queue);
      const concurrency = opts.concurrency ? intFlag('--concurrency', opts.concurrency) : availableParallelism();
      await checkRedis(target);
      const worker = await startQueueWorker({
        target, concurrency, cacheDir: opts.cacheDir,
        lockDuration: intFlag('--lock-duration', opts.lockDuration, 100),
        stalledInterval: intFlag('--stalled-interval', opts.stalledInterval, 100),
        log: (line) => cli.io.note(line),
      });
      cli.io.note(`Worker ready on ${target.display} with ${concurrency} thread${concurrency === 1 ? '' : 's'}; SIGTERM or Ctrl-C finishes the current jobs and stops.`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          cli.io.note('Stopping: finishing the jobs in progress.');
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      cli.io.note('Worker stopped.');
    });
}
