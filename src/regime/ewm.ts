/**
 * Exponentially weighted mean, recursive form, seeded with the first value, no bias correction:
 *   alpha = 1 - 0.5^(1/halflife),  m_0 = x_0,  m_j = alpha * x_j + (1 - alpha) * m_{j-1}.
 * The output at position j is NaN for j < warmup (by default warmup = halflife), i.e. the first
 * `halflife` values are undefined and the first defined value is m_halflife, which has seen
 * halflife + 1 inputs. The recursion itself still runs through the warm-up.
 * A NaN input is not allowed (the caller feeds returns of a positive price series).
 */
export function ewmAlpha(halflife: number): number {
  return 1 - Math.pow(0.5, 1 / halflife);
}

export function ewm(x: ArrayLike<number>, halflife: number, warmup: number = halflife, out?: Float64Array): Float64Array {
  const n = x.length;
  const res = out ?? new Float64Array(n);
  if (n === 0) return res;
  const a = ewmAlpha(halflife);
  const b = 1 - a;
  let m = x[0];
  for (let j = 0; j < n; j++) {
    if (j > 0) m = a * x[j] + b * m;
    res[j] = j < warmup ? NaN : m;
  }
  return res;
}
