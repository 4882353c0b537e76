/**
 * Child process for the multi-process test: appends N events to the execution log in argv[2].
 * Run as: node --import tsx test/audit/appendWorker.ts <dir> <workerId> <n> <maxBytes>
 */
import { ExecutionLog } from '../../src/execution/audit/executionLog.js';

const [dir, id, n, maxBytes] = process.argv.slice(2);
const log = new ExecutionLog({ dir, runId: `worker-${id}`, broker: 'paper', account: 'PA1', maxBytes: Number(maxBytes), secrets: ['hunter2-secret'] });
for (let i = 0; i < Number(n); i++) {
  log.append({
    event: 'ORDER_PLANNED',
    symbol: 'AAA',
    side: i % 2 === 0 ? 'buy' : 'sell',
    qty: i,
    clientOrderId: `w${id}-${i}`,
    reason: `worker ${id} line ${i}, "quoted", with a comma\nand a newline; key hunter2-secret`,
    detail: { worker: Number(id), i, pad: 'x'.repeat(i % 7) },
  });
}
