/**
 * @module Number parsing for command flags that are not strategy fields (--workers, --top,
 * --cash-rate, ...). Strategy fields and their flags live in src/cli/strategyOptions.ts.
 */
import { AtlasError } from '../../core/errors.js';

export function intFlag(name: string, raw: string, min = 1): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new AtlasError(`${name} must be a whole number of at least ${min}, got "${raw}".`, { code: 'BAD_FLAG' });
  return v;
}

export function numFlag(name: string, raw: string, lo = -Infinity, hi = Infinity): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new AtlasError(`${name} must be a number between ${lo} and ${hi}, got "${raw}".`, { code: 'BAD_FLAG' });
  return v;
}
