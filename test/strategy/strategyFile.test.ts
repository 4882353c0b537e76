import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { resolveModelParams } from '../../src/regime/models/registry.js';
import {
  defaultStrategy,
  loadStrategyFile,
  parseStrategyText,
  renderStrategyFile,
  starterStrategyText,
  STARTER_REGIME_MODEL,
  strategyHash,
  strategyJsonSchemaText,
  validateStrategy,
  writeFileAtomic,
} from '../../src/strategy/index.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

describe('the strategy file', () => {
  it('an empty object is the default strategy, every field filled in', () => {
    const s = validateStrategy({}, 'x');
    expect(s.universe).toEqual({ builtin: 'technology' });
    expect(s.scanner).toEqual({ topN: 10, minDistance: 0.9, lookback: 252, volumeFilter: false, volumeMultiplier: 1.25, volumeWindow: 20 });
    expect(s.regime).toEqual({ model: 'seed', params: {}, mode: 'rebalance', allocation: { TREND_BULL: 1, TREND_NEUTRAL: 0.7, TREND_BEAR: 0.3, CRASH: 0 } });
    expect(s.sleeve).toEqual({ kind: 'cash' });
    expect(s.gates.buyPriceBuffer).toBe(0.03);
    expect(defaultStrategy().hash).toBe(strategyHash(s));
  });

  it('the commented starter written by atlas init parses and spells out the defaults', () => {
    const { strategy } = parseStrategyText(starterStrategyText(), 'atlas.strategy.json');
    const { $schema: _s, accounts, regime, ...rest } = strategy;
    const { $schema: _d, accounts: _a, regime: defaultRegime, ...defaults } = validateStrategy({}, 'x');
    expect(rest).toEqual(defaults);
    expect(regime).toEqual({ ...defaultRegime, model: STARTER_REGIME_MODEL, allocation: resolveModelParams('sma10m').allocation });
    expect(STARTER_REGIME_MODEL).toBe('sma10m');
    expect(accounts).toEqual([{ name: 'LARGE', broker: 'paper' }]);
  });

  it('a universe given as a string is a built-in name', () => {
    expect(validateStrategy({ universe: 'healthcare' }, 'x').universe).toEqual({ builtin: 'healthcare' });
    expect(validateStrategy({ universe: { membership: 'm.csv', renames: { FB: 'META' } } }, 'x').universe).toEqual({ membership: 'm.csv', renames: { FB: 'META' } });
  });

  it('comments, spacing and key order never change the hash; any value change does', () => {
    const base = { scanner: { topN: 7, minDistance: 0.85 }, regime: { mode: 'daily' } };
    const a = parseStrategyText(JSON.stringify(base), 'a');
    const b = parseStrategyText(`// note\n{ "regime": {"mode": "daily"}, /* x */ "scanner": {"minDistance": 0.85, "topN": 7,}, }`, 'b');
    expect(b.hash).toBe(a.hash);
    const c = parseStrategyText(JSON.stringify({ ...base, scanner: { topN: 7, minDistance: 0.86 } }), 'c');
    expect(c.hash).not.toBe(a.hash);
  });

  it('render -> parse is the identity on content and hash (property)', () => {
    const arb = fc.record({
      scanner: fc.record({ topN: fc.integer({ min: 1, max: 50 }), minDistance: fc.double({ min: 0.5, max: 1, noNaN: true }), volumeFilter: fc.boolean() }),
      rebalance: fc.constantFrom('monthly', 'quarterly', 'semiannual'),
      regime: fc.record({ mode: fc.constantFrom('off', 'rebalance', 'daily'), model: fc.constantFrom('seed', 'jm-online', 'sma200') }),
      sleeve: fc.oneof(fc.constant({ kind: 'cash' }), fc.record({ kind: fc.constant('etf'), symbol: fc.constantFrom('BIL', 'SGOV', 'SHY') })),
      minNotional: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(arb, (content) => {
        const first = parseStrategyText(JSON.stringify(content), 'p');
        const again = parseStrategyText(renderStrategyFile(first.strategy, ['saved by a test']), 'q');
        expect(again.strategy).toEqual(first.strategy);
        expect(again.hash).toBe(first.hash);
      }),
    );
  });

  it('bad input gives one sentence naming the file and the line or field', () => {
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AtlasError);
        return (e as Error).message;
      }
      throw new Error('did not throw');
    };
    expect(msg(() => parseStrategyText('{\n "name": "x",\n "scanner": {"topN": }\n}', 's.json'))).toMatch(/^s\.json line 3 is not valid JSON/);
    expect(msg(() => parseStrategyText('{"scanner": {"topN": 0}}', 's.json'))).toMatch(/s\.json is not a valid strategy: scanner\.topN: /);
    expect(msg(() => parseStrategyText('{"scaner": {}}', 's.json'))).toMatch(/unknown field\(s\) "scaner"/);
    expect(msg(() => parseStrategyText('[1]', 's.json'))).toMatch(/must hold one JSON object/);
    expect(msg(() => loadStrategyFile(join(tmp(), 'none.json')))).toMatch(/does not exist; create one with `atlas init`/);
  });

  it('files are written whole (temp + rename) and read back', () => {
    const dir = tmp();
    const path = join(dir, 'best.json');
    const s = validateStrategy({ scanner: { minDistance: 0.85 } }, 'x');
    writeFileAtomic(path, renderStrategyFile(s, ['best of a sweep']));
    const loaded = loadStrategyFile(path);
    expect(loaded.hash).toBe(strategyHash(s));
    expect(loaded.path).toBe(path);
  });

  it('docs/strategy.schema.json is the schema generated from the code', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../docs/strategy.schema.json'), 'utf8');
    expect(committed).toBe(strategyJsonSchemaText());
  });
});
