import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockBootstrapInterval } from '../../src/analytics/bootstrap.js';
import { sharpeRatio } from '../../src/analytics/metrics.js';
import { sharpeDiffBootstrap } from '../../src/regime/compareBootstrap.js';

const returns = (n: number) => fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));

describe('sharpe-difference bootstrap shared by the models of a period', () => {
  it('equals blockBootstrapInterval of sharpe(a) - sharpe(b) exactly, for every model paired with the same buy-and-hold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 90 }).chain((n) => fc.tuple(returns(n), returns(n), returns(n))),
        fc.record({ samples: fc.integer({ min: 1, max: 60 }), blockLength: fc.integer({ min: 1, max: 30 }), seed: fc.integer({ min: 0, max: 2 ** 31 }) }),
        fc.constantFrom(0.9, 0.5),
        ([bh, m1, m2], boot, level) => {
          const shared = sharpeDiffBootstrap(bh, boot);
          for (const a of [m1, m2, bh]) {
            const want = blockBootstrapInterval(a, bh, (x, y) => sharpeRatio(x) - sharpeRatio(y), level, boot);
            expect(shared.interval(a, level)).toEqual(want);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('constant days (zero deviation) give NaN Sharpe ratios that are dropped, as in blockBootstrapInterval', () => {
    const flat = new Float64Array(40).fill(0.001);
    const a = Float64Array.from({ length: 40 }, (_, i) => (i % 3) * 0.01 - 0.01);
    const boot = { samples: 50, blockLength: 5, seed: 3 };
    expect(sharpeDiffBootstrap(flat, boot).interval(a, 0.9)).toEqual(blockBootstrapInterval(a, flat, (x, y) => sharpeRatio(x) - sharpeRatio(y), 0.9, boot));
    expect(sharpeDiffBootstrap(new Float64Array(1), boot).interval(new Float64Array(1), 0.9)).toEqual([NaN, NaN]);
    expect(() => sharpeDiffBootstrap(flat, boot).interval(new Float64Array(3), 0.9)).toThrow(RangeError);
  });
});
