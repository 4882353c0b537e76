/**
 * Small, seeded, dependency-free random numbers for the simulated demo market.
 *
 * mulberry32 gives uniform uint32 streams; every simulated thing (the market path, VIX, each
 * sector, each stock) draws from its own stream, seeded from (market seed, stream name), so adding
 * a stock or changing one stock's draws never shifts any other series. Nothing here reads
 * Math.random or the clock: the same seed always yields the same numbers on every machine.
 */

/** FNV-1a over the UTF-16 code units, finished with a murmur3 avalanche. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3 fmix32: spreads the bits of a 32-bit value. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seed of the named stream under a market seed. */
export function streamSeed(seed: number, name: string): number {
  return mix32((seed >>> 0) ^ hashString(name) ^ 0x9e3779b9);
}

export class Rng {
  private state: number;
  /** Second variate of the last polar Box-Muller pair, kept for the next normal() call. */
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The stream `name` under market seed `seed`. */
  static stream(seed: number, name: string): Rng {
    return new Rng(streamSeed(seed, name));
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in (0, 1): safe for logarithms. */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Marsaglia's polar form of Box-Muller; both variates used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const k = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * k;
    this.hasSpare = true;
    return u * k;
  }

  /**
   * Student-t with 5 degrees of freedom scaled to unit variance (kurtosis 9: fat-ish tails for
   * idiosyncratic stock moves), clamped to +-10 so a single draw can never be absurd.
   * chi-square(5) = -2 ln(u1 u2) + z^2.
   */
  fatTail(): number {
    const z = this.normal();
    const w = this.normal();
    const chi2 = -2 * Math.log(this.nextOpen() * this.nextOpen()) + w * w;
    // t5 = z / sqrt(chi2 / 5) has variance 5/3.
    const t = (z / Math.sqrt(chi2 / 5)) * Math.sqrt(3 / 5);
    return t > 10 ? 10 : t < -10 ? -10 : t;
  }
}
