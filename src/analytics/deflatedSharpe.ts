/**
 * @module The probabilistic and deflated Sharpe ratios (Bailey & López de Prado, "The Deflated
 * Sharpe Ratio", J. Portfolio Management 40(5), 2014). All Sharpe ratios here are per period
 * (not annualised); kurtosis is the raw fourth standardised moment (3 for a normal).
 *
 *   PSR(SR*) = Φ( (SR − SR*) √(T − 1) / √(1 − γ₃ SR + (γ₄ − 1)/4 · SR²) )
 *   SR₀      = √V[SRₙ] · ( (1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)) ),  γ = 0.5772… (Euler–Mascheroni)
 *   DSR      = PSR(SR₀)
 */
import { normalCdf, normalInv } from './normal.js';

export const EULER_MASCHERONI = 0.5772156649015329;

export interface Moments {
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  /** Population skewness (biased, as in the paper's estimator). */
  skew: number;
  /** Population kurtosis, not excess (normal = 3). */
  kurtosis: number;
  n: number;
}

export function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const var0 = m2 / n;
  return {
    mean: m,
    std: n > 1 ? Math.sqrt(m2 / (n - 1)) : Number.NaN,
    skew: var0 > 0 ? m3 / n / var0 ** 1.5 : Number.NaN,
    kurtosis: var0 > 0 ? m4 / n / (var0 * var0) : Number.NaN,
    n,
  };
}

/** Probability that the true Sharpe ratio exceeds `benchmark`, given T observations and the returns' shape. */
export function probabilisticSharpe(sr: number, benchmark: number, t: number, skew: number, kurtosis: number): number {
  const denom = Math.sqrt(1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr);
  return normalCdf(((sr - benchmark) * Math.sqrt(t - 1)) / denom);
}

/** The Sharpe ratio the best of N independent trials would reach by luck alone (per period). */
export function expectedMaxSharpe(trials: number, varianceOfTrialSharpes: number): number {
  if (trials <= 1) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(varianceOfTrialSharpes) * ((1 - g) * normalInv(1 - 1 / trials) + g * normalInv(1 - 1 / (trials * Math.E)));
}

export interface DeflatedSharpe {
  /** Per-period Sharpe ratio of the selected strategy. */
  sharpe: number;
  /** SR₀: the luck threshold for this many trials. */
  expectedMax: number;
  /** Probability that the selected strategy's true Sharpe is above SR₀. */
  dsr: number;
  trials: number;
  observations: number;
  skew: number;
  kurtosis: number;
}

export function deflatedSharpe(input: { sharpe: number; trials: number; varianceOfTrialSharpes: number; observations: number; skew: number; kurtosis: number }): DeflatedSharpe {
  const expectedMax = expectedMaxSharpe(input.trials, input.varianceOfTrialSharpes);
  return {
    sharpe: input.sharpe,
    expectedMax,
    dsr: probabilisticSharpe(input.sharpe, expectedMax, input.observations, input.skew, input.kurtosis),
    trials: input.trials,
    observations: input.observations,
    skew: input.skew,
    kurtosis: input.kurtosis,
  };
}

/**
 * DSR of the best of several strategies from their per-period returns: trials = their count,
 * V[SRₙ] = the variance of their per-period Sharpe ratios, shape from the best one's returns.
 */
export function deflatedSharpeOfBest(returnsByTrial: readonly ArrayLike<number>[]): DeflatedSharpe & { best: number } {
  const srs = returnsByTrial.map((r) => {
    const m = moments(r);
    return m.std > 0 ? m.mean / m.std : Number.NaN;
  });
  let best = 0;
  for (let i = 1; i < srs.length; i++) if (srs[i] > srs[best] || Number.isNaN(srs[best])) best = i;
  const valid = srs.filter((s) => Number.isFinite(s));
  const mu = valid.reduce((a, b) => a + b, 0) / valid.length;
  const v = valid.length > 1 ? valid.reduce((a, b) => a + (b - mu) ** 2, 0) / (valid.length - 1) : 0;
  const m = moments(returnsByTrial[best]);
  return { best, ...deflatedSharpe({ sharpe: srs[best], trials: returnsByTrial.length, varianceOfTrialSharpes: v, observations: m.n, skew: m.skew, kurtosis: m.kurtosis }) };
}
