import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { syntheticPanel } from '../../src/backtest/synthetic.js';
import { PANEL_FIELDS, type Panel } from '../../src/data/panel.js';
import { decodeJson, encodeJson } from '../../src/distributed/codec.js';
import { contentHash } from '../../src/distributed/contentHash.js';
import { panelFromArrow, panelToArrow } from '../../src/distributed/panelArrow.js';
import { expectSameData } from '../support/sameData.js';

const bitsOf = (a: Float64Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2));

/** A panel whose cells are arbitrary doubles: NaN (several payloads), ±Infinity, -0, subnormals. */
const arbitraryPanel = fc.record({ n: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 1, max: 4 }), seed: fc.integer() }).chain(({ n, m }) =>
  fc.record({
    n: fc.constant(n), m: fc.constant(m),
    cells: fc.array(fc.oneof(fc.double(), fc.constantFrom(NaN, -0, Infinity, -Infinity, 5e-324), fc.integer({ min: 0, max: 0xffffffff })), { minLength: n * m * 6, maxLength: n * m * 6 }),
    withVolume: fc.boolean(),
  }));

function panelOf(x: { n: number; m: number; cells: number[]; withVolume: boolean }): Panel {
  const k = x.n * x.m;
  const col = (i: number) => Float64Array.from(x.cells.slice(i * k, (i + 1) * k));
  const dates = Array.from({ length: x.n }, (_, d) => `2020-01-${String(d + 1).padStart(2, '0')}`);
  return {
    dates, dayNumbers: Int32Array.from(dates, (d) => Date.parse(`${d}T00:00:00Z`) / 86_400_000), symbols: Array.from({ length: x.m }, (_, s) => `S${s}`),
    open: col(0), high: col(1), low: col(2), close: col(3), adjClose: col(4), volume: x.withVolume ? col(5) : new Float64Array(0),
  };
}

describe('panel as an Arrow IPC file', () => {
  it('round-trips every field bit for bit (NaN, -0, Infinity included), dates, symbols and the membership mask', () => {
    fc.assert(fc.property(arbitraryPanel, fc.boolean(), (x, withMask) => {
      const p = panelOf(x);
      const mask = withMask ? Uint8Array.from({ length: x.n * x.m }, (_, i) => i % 3 === 0 ? 1 : 0) : null;
      const back = panelFromArrow(panelToArrow(p, mask));
      for (const f of PANEL_FIELDS) expectSameData(bitsOf(back.panel[f]), bitsOf(p[f]));
      expectSameData(back.panel.dates, p.dates);
      expect(back.panel.symbols).toEqual(p.symbols);
      expect(Array.from(back.panel.dayNumbers)).toEqual(Array.from(p.dayNumbers));
      expect(back.member).toEqual(mask);
    }));
  });

  it('keeps a NaN payload other than the canonical one', () => {
    const p = syntheticPanel({ symbols: 3, sessions: 40, seed: 5, gapProb: 0.2 });
    const words = new Uint32Array(p.close.buffer);
    words[0] = 0x00000001;
    words[1] = 0x7ff00000; // a signalling-style NaN, not the 0x7ff8... the engine produces
    expect(Number.isNaN(p.close[0])).toBe(true);
    const back = panelFromArrow(panelToArrow(p));
    expect(bitsOf(back.panel.close)).toEqual(bitsOf(p.close));
    expect(p.close.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('reads a file sitting at an odd offset of a larger buffer (as a fetched body may)', () => {
    const p = syntheticPanel({ symbols: 4, sessions: 30, seed: 9, gapProb: 0.1 });
    const bytes = panelToArrow(p);
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    const back = panelFromArrow(padded.subarray(3));
    expect(bitsOf(back.panel.adjClose)).toEqual(bitsOf(p.adjClose));
  });

  it('refuses bytes that are not an Atlas panel file, in one sentence', () => {
    expect(() => panelFromArrow(new Uint8Array([1, 2, 3, 4]))).toThrow(/^The published panel is not (a readable Arrow file|an atlas-panel\/1 file)/);
  });
});

describe('content hash', () => {
  it('is the sha256 of the bytes: the same panel gives the same name, any changed cell a different one', () => {
    const p = syntheticPanel({ symbols: 5, sessions: 50, seed: 11 });
    const h = contentHash(panelToArrow(p));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(panelToArrow(panelFromArrow(panelToArrow(p)).panel))).toBe(h);
    const changed = { ...p, close: p.close.slice() };
    changed.close[17] = changed.close[17] * (1 + Number.EPSILON);
    expect(contentHash(panelToArrow(changed))).not.toBe(h);
    // Published example: sha256("abc").
    expect(contentHash(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('queued JSON codec', () => {
  it('keeps NaN, ±Infinity, -0, undefined fields and Float64Arrays exactly', () => {
    fc.assert(fc.property(fc.array(fc.double()), fc.option(fc.double(), { nil: undefined }), (xs, maybe) => {
      const value = { metrics: { sharpe: NaN, calmar: Infinity, dd: -Infinity, zero: -0, xs }, returns: Float64Array.from(xs), config: { lookback: maybe } };
      const back = decodeJson<typeof value>(encodeJson(value));
      expect(back).toEqual(value);
      expect(Object.is(back.metrics.zero, -0)).toBe(true);
      expect('lookback' in back.config).toBe(true);
      expect(back.returns).toBeInstanceOf(Float64Array);
      expect(bitsOf(back.returns)).toEqual(bitsOf(value.returns));
    }));
  });
});
