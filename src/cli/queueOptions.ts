/**
 * @module The --queue flags `atlas sweep` and `atlas walkforward` share: with --queue the
 * configurations run on `atlas worker` processes through Redis (src/distributed/); the panel is
 * served over HTTP on --serve (loopback by default) or written to --publish-dir.
 */
import type { Command } from 'commander';
import { AtlasError } from '../core/errors.js';
import type { JobRunner } from '../backtest/sweep.js';
// The queue's modules (bullmq, ioredis, apache-arrow) are loaded only with --queue: a plain sweep
// or any other command starts without them.
import type { Publisher } from '../distributed/publisher.js';
import type { Output } from './output.js';
import { intFlag } from './commands/strategyFlags.js';

export interface QueueFlags {
  queue?: string;
  serve?: string;
  advertise?: string;
  publishDir?: string;
  chunk?: string;
}

export function addQueueOptions(cmd: Command): Command {
  return cmd
    .option('--queue <redis://HOST:PORT>', 'run the configurations on `atlas worker` processes through this Redis (docs/distributed.md)')
    .option('--serve <host:port>', 'with --queue: serve the panel to workers over HTTP here (default 127.0.0.1, any free port)')
    .option('--advertise <url>', 'with --queue: the base URL workers fetch the panel from, when not http://<--serve> (e.g. a Docker service name)')
    .option('--publish-dir <dir>', 'with --queue: write the panel to this directory (mounted at the same path on every worker) instead of serving it')
    .option('--chunk <n>', 'with --queue: configurations per job (default: about 32 jobs per sweep)');
}

function parseServe(raw: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw);
  const port = m?.[2] === undefined ? 0 : Number(m[2]);
  if (!m || port > 65535) throw new AtlasError(`--serve must be HOST or HOST:PORT such as 127.0.0.1:8787, got "${raw}".`, { code: 'BAD_FLAG' });
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** With --queue: a runner for SweepOptions and its close; without: null (the local threads run). */
export async function openQueue(flags: QueueFlags, io: Output): Promise<{ runner: JobRunner; close(): Promise<void> } | null> {
  if (!flags.queue) {
    if (flags.serve || flags.advertise || flags.publishDir || flags.chunk) throw new AtlasError('--serve, --advertise, --publish-dir and --chunk need --queue redis://HOST:PORT.', { code: 'BAD_FLAG' });
    return null;
  }
  const { parseRedisUrl } = await import('../distributed/redisUrl.js');
  const { directoryPublisher, httpPublisher } = await import('../distributed/publisher.js');
  const { openQueueCoordinator } = await import('../distributed/coordinator.js');
  const target = parseRedisUrl(flags.queue);
  const chunkSize = flags.chunk ? intFlag('--chunk', flags.chunk) : undefined;
  let publisher: Publisher;
  if (flags.publishDir) {
    if (flags.serve || flags.advertise) throw new AtlasError('--publish-dir replaces --serve and --advertise; give one or the other.', { code: 'BAD_FLAG' });
    publisher = directoryPublisher(flags.publishDir);
  } else {
    const serve = flags.serve ? parseServe(flags.serve) : { host: '127.0.0.1', port: 0 };
    publisher = await httpPublisher({ ...serve, advertise: flags.advertise });
  }
  try {
    const coordinator = await openQueueCoordinator({ target, publisher, chunkSize, onNote: (line) => io.note(line) });
    io.note(`Queue ${target.display}: the sweep's data is offered at ${publisher.where}.`);
    return {
      runner: coordinator.runner,
      close: async () => {
        await coordinator.close();
        await publisher.close();
      },
    };
  } catch (err) {
    await publisher.close();
    throw err;
  }
}
