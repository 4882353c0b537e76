/**
 * @module A parse thread of csv/parsePool.ts: reads the price files it is asked for into columns
 * and sends them back without copying (the columns' buffers are transferred), then bumps the
 * shared counter so the importing thread, blocked in Atomics.wait, wakes up.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { describeError } from '../../core/errors.js';
import { readBarsCsvFile } from './barsCsv.js';
import type { ParseReply, ParseRequest } from './parsePool.js';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

port.on('message', (req: ParseRequest) => {
  let reply: ParseReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = readBarsCsvFile(req.path, req.label, { today: req.today });
    reply = { id: req.id, result };
    if (result.kind === 'bars') {
      const c = result.columns;
      for (const a of [c.days, c.open, c.high, c.low, c.close, c.adjClose, c.volume]) {
        if (!transfer.includes(a.buffer as ArrayBuffer)) transfer.push(a.buffer as ArrayBuffer);
      }
    }
  } catch (err) {
    reply = { id: req.id, error: describeError(err) };
  }
  port.postMessage(reply, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
