import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitJumpModel, jumpObjective, mulberry32, optimalStates, updateCentroids } from '../../src/regime/jumpModel.js';

/** Minimum of J over all K^T state sequences, by enumeration. */
function bruteForce(X: Float64Array, T: number, d: number, C: Float64Array, K: number, lambda: number): number {
  const s = new Int32Array(T);
  let best = Infinity;
  const total = K ** T;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let t = 0; t < T; t++) {
      s[t] = c % K;
      c = Math.floor(c / K);
    }
    best = Math.min(best, jumpObjective(X, T, d, C, lambda, s));
  }
  return best;
}

const problem = (maxT: number, K: number) =>
  fc.record({
    T: fc.integer({ min: 1, max: maxT }),
    d: fc.integer({ min: 1, max: 3 }),
    lambda: fc.double({ min: 0, max: 5, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }).map(({ T, d, lambda, seed }) => {
    const rand = mulberry32(seed);
    const X = Float64Array.from({ length: T * d }, () => 4 * rand() - 2);
    const C = Float64Array.from({ length: K * d }, () => 4 * rand() - 2);
    return { T, d, lambda, X, C, K };
  });

describe('jump model dynamic programme', () => {
  it('K=2, T<=12: DP objective equals the brute-force minimum over all 2^T sequences', () => {
    fc.assert(
      fc.property(problem(12, 2), ({ T, d, lambda, X, C, K }) => {
        const states = new Int32Array(T);
        const dp = optimalStates(X, T, d, C, K, lambda, states);
        const bf = bruteForce(X, T, d, C, K, lambda);
        expect(dp).toBeCloseTo(bf, 9);
        // the returned sequence really has that objective
        expect(jumpObjective(X, T, d, C, lambda, states)).toBeCloseTo(dp, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('K=3, T<=7: same against 3^T sequences', () => {
    fc.assert(
      fc.property(problem(7, 3), ({ T, d, lambda, X, C, K }) => {
        const states = new Int32Array(T);
        const dp = optimalStates(X, T, d, C, K, lambda, states);
        expect(dp).toBeCloseTo(bruteForce(X, T, d, C, K, lambda), 9);
        expect(jumpObjective(X, T, d, C, lambda, states)).toBeCloseTo(dp, 9);
      }),
      { numRuns: 100 },
    );
  });

  it('2 states in 3 features (the models\' unrolled programme) gives the bits of the general one, ties included (property)', () => {
    // A fourth, all-zero feature sends the same problem through the general programme: adding
    // 0 * 0 to each distance changes no bit.
    const widen = (a: Float64Array, n: number) => Float64Array.from({ length: n * 4 }, (_, i) => (i % 4 === 3 ? 0 : a[(i >> 2) * 3 + (i % 4)]));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }), fc.constantFrom(0, 0.5, 3, 1e9), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(),
        (T, lambda, seed, coarse, sameCentroids) => {
          const rand = mulberry32(seed);
          // Coarse values (whole numbers) make equal costs, so the tie rules are exercised.
          const draw = () => (coarse ? Math.round(4 * rand() - 2) : 4 * rand() - 2);
          const X = Float64Array.from({ length: T * 3 }, draw);
          const C = Float64Array.from({ length: 6 }, draw);
          if (sameCentroids) C.copyWithin(3, 0, 3);
          const fast = new Int32Array(T);
          const general = new Int32Array(T);
          const a = optimalStates(X, T, 3, C, 2, lambda, fast);
          const b = optimalStates(widen(X, T), T, 4, widen(C, 2), 2, lambda, general);
          expect(Object.is(a, b) && fast.every((v, i) => v === general[i])).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a large penalty forbids switching; zero penalty gives nearest-centroid states', () => {
    // x = 0, 0, 10, 0 (d=1); centroids 0 and 10. Costs of visiting state 1 at t=2: 0 vs 50.
    const X = Float64Array.from([0, 0, 10, 0]);
    const C = Float64Array.from([0, 10]);
    const s = new Int32Array(4);
    expect(optimalStates(X, 4, 1, C, 2, 0, s)).toBe(0);
    expect(Array.from(s)).toEqual([0, 0, 1, 0]);
    // lambda = 30: switching twice costs 60 > 50 of staying -> all state 0, objective 0.5*100 = 50
    expect(optimalStates(X, 4, 1, C, 2, 30, s)).toBe(50);
    expect(Array.from(s)).toEqual([0, 0, 0, 0]);
  });
});

describe('jump model fit', () => {
  it('an empty state keeps its previous centroid', () => {
    const C = Float64Array.from([1, 1, 7, 7]);
    updateCentroids(Float64Array.from([0, 0, 2, 4]), 2, 2, 2, [0, 0], C);
    expect(Array.from(C)).toEqual([1, 2, 7, 7]);
  });

  it('recovers two persistent well-separated regimes, deterministically', () => {
    const rand = mulberry32(3);
    const T = 300;
    const truth = Array.from({ length: T }, (_, t) => (t >= 100 && t < 180 ? 1 : 0));
    const X = Float64Array.from({ length: T * 2 }, (_, i) => (truth[i >> 1] ? 3 : -1) + 0.7 * (rand() - 0.5) * 2);
    const opts = { K: 2, lambda: 15, nStarts: 10, seed: 1, maxIter: 100, tol: 1e-6 };
    const fit = fitJumpModel(X, T, 2, opts);
    const a = fit.states[0];
    expect(fit.states.every((s, t) => (s === a) === (truth[t] === 0))).toBe(true);
    expect(fit.objective).toBeCloseTo(jumpObjective(X, T, 2, fit.centroids, 15, fit.states), 9);
    const again = fitJumpModel(X, T, 2, opts);
    expect(Array.from(again.centroids)).toEqual(Array.from(fit.centroids));
  });

  it('more starts never give a worse objective (start 0 is shared for the same seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const rand = mulberry32(seed);
        const T = 60;
        const X = Float64Array.from({ length: T * 3 }, () => rand() * 2 - 1);
        const base = { K: 2, lambda: 1, seed, maxIter: 100, tol: 1e-6 };
        const one = fitJumpModel(X, T, 3, { ...base, nStarts: 1 });
        const ten = fitJumpModel(X, T, 3, { ...base, nStarts: 10 });
        expect(ten.objective).toBeLessThanOrEqual(one.objective);
      }),
      { numRuns: 30 },
    );
  });
});
