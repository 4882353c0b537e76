/**
 * @module Probability of backtest overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", J.
 * Computational Finance 20(4), 2017). The T × N matrix of per-period returns (N configurations)
 * is cut into S equal blocks of rows; for every way of choosing S/2 blocks as the training set
 * (the rest is the test set), the configuration with the best training Sharpe is ranked among
 * all N on the test set. With ω̄ its relative rank in (0, 1) and λ = ln(ω̄ / (1 − ω̄)), PBO is the
 * share of splits with λ ≤ 0: the in-sample winner did no better than the out-of-sample median.
 */

export interface PboResult {
  pbo: number;
  /** λ of every split. */
  logits: number[];
  splits: number;
  blocks: number;
  /** Share of splits where the in-sample winner lost money out of sample. */
  probabilityOfLoss: number;
}

function sharpeOfRows(col: Float64Array, rows: readonly number[]): number {
  let s = 0;
  for (const r of rows) s += col[r];
  const m = s / rows.length;
  let v = 0;
  for (const r of rows) v += (col[r] - m) ** 2;
  const sd = Math.sqrt(v / (rows.length - 1));
  return sd > 0 ? m / sd : m > 0 ? Infinity : m < 0 ? -Infinity : 0;
}

function meanOfRows(col: Float64Array, rows: readonly number[]): number {
  let s = 0;
  for (const r of rows) s += col[r];
  return s / rows.length;
}

/** Every k-subset of 0..n-1, in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const rec = (start: number) => {
    if (pick.length === k) {
      out.push([...pick]);
      return;
    }
    for (let i = start; i <= n - (k - pick.length); i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return out;
}

/** `returns[c]` is configuration c's per-period return series; all the same length T. */
export function probabilityOfBacktestOverfitting(returns: readonly Float64Array[], blocks = 16): PboResult {
  const n = returns.length;
  if (n < 2) throw new RangeError('PBO needs at least two configurations');
  if (blocks < 2 || blocks % 2 !== 0) throw new RangeError('PBO needs an even number of blocks (S)');
  const t = returns[0].length;
  const size = Math.floor(t / blocks);
  if (size < 2) throw new RangeError(`PBO needs at least ${2 * blocks} periods for ${blocks} blocks, got ${t}`);
  // Rows past S x size are left out so every block has the same length (as in the paper).
  const blockRows = Array.from({ length: blocks }, (_, b) => Array.from({ length: size }, (_, i) => b * size + i));
  const logits: number[] = [];
  let losses = 0;
  for (const train of combinations(blocks, blocks / 2)) {
    const inTrain = new Set(train);
    const trainRows = train.flatMap((b) => blockRows[b]);
    const testRows = blockRows.flatMap((rows, b) => (inTrain.has(b) ? [] : rows));
    let best = 0;
    let bestSr = -Infinity;
    for (let c = 0; c < n; c++) {
      const sr = sharpeOfRows(returns[c], trainRows);
      if (sr > bestSr) {
        bestSr = sr;
        best = c;
      }
    }
    const testSr = returns.map((col) => sharpeOfRows(col, testRows));
    // Rank 1 = worst out of sample, N = best; ties share the average rank.
    let below = 0;
    let equal = 0;
    for (let c = 0; c < n; c++) {
      if (testSr[c] < testSr[best]) below++;
      else if (testSr[c] === testSr[best]) equal++;
    }
    const rank = below + (equal + 1) / 2;
    const omega = rank / (n + 1);
    logits.push(Math.log(omega / (1 - omega)));
    if (meanOfRows(returns[best], testRows) < 0) losses++;
  }
  const splits = logits.length;
  return { pbo: logits.filter((l) => l <= 0).length / splits, logits, splits, blocks, probabilityOfLoss: losses / splits };
}
