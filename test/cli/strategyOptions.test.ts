import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addStrategyOptions, effectiveStrategy, parseAllocationFlag, parseSleeveFlag } from '../../src/cli/strategyOptions.js';
import { defaultStrategy } from '../../src/strategy/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

function parse(args: string[], cwd: string) {
  let out: ReturnType<typeof effectiveStrategy> | undefined;
  const cmd = addStrategyOptions(new Command('x').exitOverride()).action((opts: Record<string, unknown>, c: Command) => {
    out = effectiveStrategy(c, opts, cwd);
  });
  cmd.parse(['node', 'x', ...args]);
  return out!;
}

describe('strategy flags', () => {
  it('without a file and without flags the run uses the defaults', () => {
    const e = parse([], tmp());
    expect(e.hash).toBe(defaultStrategy().hash);
    expect(e.path).toBeNull();
    expect(e.overrides).toEqual([]);
  });

  it('reads ./atlas.strategy.json when present; a flag given overrides its field and changes the hash', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'atlas.strategy.json'), '// mine\n{"scanner": {"topN": 5, "volumeFilter": true}, "regime": {"mode": "daily"}}');
    const fileOnly = parse([], dir);
    expect(fileOnly.strategy.scanner.topN).toBe(5);
    expect(fileOnly.fileHash).toBe(fileOnly.hash);
    const over = parse(['--top-n', '7', '--no-volume-filter', '--sleeve', 'etf:sgov', '--allocation', '1,1,0,0'], dir);
    expect(over.strategy.scanner).toMatchObject({ topN: 7, volumeFilter: false });
    expect(over.strategy.sleeve).toEqual({ kind: 'etf', symbol: 'SGOV' });
    expect(over.strategy.regime.allocation).toEqual({ TREND_BULL: 1, TREND_NEUTRAL: 1, TREND_BEAR: 0, CRASH: 0 });
    expect(over.strategy.regime.mode).toBe('daily');
    expect(over.overrides).toEqual(['--top-n', '--volume-filter', '--allocation', '--sleeve']);
    expect(over.hash).not.toBe(over.fileHash);
  });

  it('--strategy names the file; a bad flag value is one sentence', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'best.json'), '{"scanner": {"minDistance": 0.85}}');
    expect(parse(['--strategy', 'best.json'], dir).strategy.scanner.minDistance).toBe(0.85);
    expect(() => parse(['--top-n', '0'], dir)).toThrow(/with --top-n is not a valid strategy: scanner\.topN/);
    expect(() => parseSleeveFlag('bonds')).toThrow(/--sleeve must be cash, etf:SYMBOL or defensive/);
    expect(() => parseAllocationFlag('1,0.5')).toThrow(/four fractions/);
  });
});
