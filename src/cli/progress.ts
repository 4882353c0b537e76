import cliProgress from 'cli-progress';
import { redact } from '../core/redact.js';
import type { Output } from './output.js';

/** A progress bar on a terminal; plain "[3/10] AAPL ..." lines when stderr is not a TTY (CI, pipes). */
export interface Progress {
  update(done: number, label: string): void;
  line(text: string): void;
  stop(): void;
}

export function createProgress(io: Output, total: number, title: string, enabled = true): Progress {
  if (!enabled) return { update() {}, line() {}, stop() {} };
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      // The bar draws on the terminal itself (cursor moves), so its texts are scrubbed here.
      { format: `${redact(title)} [{bar}] {value}/{total} {label}`, hideCursor: true, clearOnComplete: false, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: '' });
    return {
      update: (done, label) => bar.update(done, { label: redact(label) }),
      line: () => {},
      stop: () => bar.stop(),
    };
  }
  return {
    update() {},
    line: (text) => io.note(text),
    stop() {},
  };
}
