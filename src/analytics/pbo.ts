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

/**
 * `returns[c]` is configuration c's per-period return series; all the same length T.
 *
 * Computed from per-block sums: each configuration's rows are summed once per block (sum and sum
 * of squares about the configuration's own mean, so the variance does not cancel), and a split's
 * training and test Sharpe ratios are sums of S/2 block sums each. The whole CSCV costs
 * O(N·T + C(S, S/2)·N·S) instead of O(C(S, S/2)·N·T), so S = 16 (12,870 splits) is cheap for a
 * thousand configurations over 23 years. probabilityOfBacktestOverfittingDirect is the same
 * statistic read row by row (the definition, kept for tests).
 */
export function probabilityOfBacktestOverfitting(returns: readonly Float64Array[], blocks = 16): PboResult {
  const { n, size } = checkShape(returns, blocks);
  const half = blocks / 2;
  const rowsPerHalf = half * size;
  // Block-major: sums[b * n + c] and squares[b * n + c] are block b of configuration c, about
  // shift[c]; a split then adds whole contiguous rows of N values.
  const sums = new Float64Array(n * blocks);
  const squares = new Float64Array(n * blocks);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const col = returns[c];
    let total = 0;
    for (let r = 0; r < blocks * size; r++) total += col[r];
    const mu = total / (blocks * size);
    shift[c] = Number.isFinite(mu) ? mu : 0;
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      let q = 0;
      for (let r = b * size; r < (b + 1) * size; r++) {
        const x = col[r] - shift[c];
        s += x;
        q += x * x;
      }
      sums[b * n + c] = s;
      squares[b * n + c] = q;
    }
  }
  const sharpe = (c: number, s: number, q: number): number => {
    const m = s / rowsPerHalf;
    const v = Math.max(0, (q - s * m) / (rowsPerHalf - 1));
    const sd = Math.sqrt(v);
    const mean = m + shift[c];
    return sd > 0 ? mean / sd : mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
  };

  const totalS = new Float64Array(n);
  const totalQ = new Float64Array(n);
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < n; c++) {
      totalS[c] += sums[b * n + c];
      totalQ[c] += squares[b * n + c];
    }
  }
  // Splits in lexicographic order by a depth-first walk: depth d holds the sums of the first d
  // training blocks, so consecutive splits share their common prefix (about 2N additions per
  // split instead of S·N); the test sums are the totals minus the training sums.
  const accS = Array.from({ length: half + 1 }, () => new Float64Array(n));
  const accQ = Array.from({ length: half + 1 }, () => new Float64Array(n));
  const testSr = new Float64Array(n);
  const logits: number[] = [];
  let losses = 0;
  const leaf = (S: Float64Array, Q: Float64Array): void => {
    let best = 0;
    let bestSr = -Infinity;
    for (let c = 0; c < n; c++) {
      const sr = sharpe(c, S[c], Q[c]);
      if (sr > bestSr) {
        bestSr = sr;
        best = c;
      }
      testSr[c] = sharpe(c, totalS[c] - S[c], totalQ[c] - Q[c]);
    }
    logits.push(logitOfRank(testSr, best));
    if ((totalS[best] - S[best]) / rowsPerHalf + shift[best] < 0) losses++;
  };
  const walk = (depth: number, start: number): void => {
    const prevS = accS[depth];
    const prevQ = accQ[depth];
    const S = accS[depth + 1];
    const Q = accQ[depth + 1];
    for (let b = start; b <= blocks - (half - depth); b++) {
      const o = b * n;
      for (let c = 0; c < n; c++) {
        S[c] = prevS[c] + sums[o + c];
        Q[c] = prevQ[c] + squares[o + c];
      }
      if (depth + 1 === half) leaf(S, Q);
      else walk(depth + 1, b + 1);
    }
  };
  walk(0, 0);
  const splits = logits.length;
  return { pbo: logits.filter((l) => l <= 0).length / splits, logits, splits, blocks, probabilityOfLoss: losses / splits };
}

/** The CSCV read row by row for every split: the definition, O(C(S, S/2)·N·T). */
export function probabilityOfBacktestOverfittingDirect(returns: readonly Float64Array[], blocks = 16): PboResult {
  const { n, size } = checkShape(returns, blocks);
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
    logits.push(logitOfRank(Float64Array.from(returns, (col) => sharpeOfRows(col, testRows)), best));
    if (meanOfRows(returns[best], testRows) < 0) losses++;
  }
  const splits = logits.length;
  return { pbo: logits.filter((l) => l <= 0).length / splits, logits, splits, blocks, probabilityOfLoss: losses / splits };
}

function checkShape(returns: readonly Float64Array[], blocks: number): { n: number; size: number } {
  const n = returns.length;
  if (n < 2) throw new RangeError('PBO needs at least two configurations');
  if (blocks < 2 || blocks % 2 !== 0) throw new RangeError('PBO needs an even number of blocks (S)');
  const t = returns[0].length;
  const size = Math.floor(t / blocks);
  if (size < 2) throw new RangeError(`PBO needs at least ${2 * blocks} periods for ${blocks} blocks, got ${t}`);
  return { n, size };
}

/** λ = ln(ω / (1 − ω)) of configuration `best` among all by test Sharpe: rank 1 = worst, N = best, ties share the average rank. */
function logitOfRank(testSr: Float64Array, best: number): number {
  const n = testSr.length;
  let below = 0;
  let equal = 0;
  for (let c = 0; c < n; c++) {
    if (testSr[c] < testSr[best]) below++;
    else if (testSr[c] === testSr[best]) equal++;
  }
  const rank = below + (equal + 1) / 2;
  const omega = rank / (n + 1);
  return Math.log(omega / (1 - omega));
}
