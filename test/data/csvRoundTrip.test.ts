import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../src/data/bar.js';
import { readBarsCsvFile } from '../../src/data/csv/barsCsv.js';
import { BarsCsvBuilder } from '../../src/data/csv/barsCsvBuilder.js';
import { CsvStream } from '../../src/data/csv/csvStream.js';
import { barsFromColumns } from '../../src/data/store/barColumns.js';
import { useTempDirs } from '../support/tmp.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();
const TODAY = '9999-12-31';

/** A price in millionths (at least 1) cut to 0 to 6 decimals: `Number` of the text is the value read. */
function priceText(micros: number, decimals: number): string {
  const whole = Math.floor(micros / 1e6);
  const frac = String(micros % 1e6).padStart(6, '0').slice(0, decimals);
  return decimals === 0 ? String(whole) : `${whole}.${frac}`;
}

const sound = fc.record({
  gap: fc.integer({ min: 1, max: 5 }),
  low: fc.integer({ min: 1e6, max: 5e9 }),
  up: fc.tuple(fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 0, max: 1e8 })),
  // one count of decimals a row: cutting digits then keeps low <= open, close <= high
  decimals: fc.integer({ min: 0, max: 6 }),
  volume: fc.integer({ min: 0, max: 2 ** 40 }),
});

const file = fc.record({
  rows: fc.array(sound, { maxLength: 60 }),
  start: fc.integer({ min: 0, max: 40_000 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  adj: fc.boolean(),
  quoted: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  blankAfter: fc.array(fc.nat({ max: 60 }), { maxLength: 4 }),
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }),
  trailingEol: fc.boolean(),
  cuts: fc.array(fc.nat({ max: 5000 }), { maxLength: 6 }),
});

type File = typeof file extends fc.Arbitrary<infer T> ? T : never;

/** The bars the generated file holds, and its text (one field quoted per flag, blank lines, CRLF or LF, BOM). */
function serialize(f: File): { bars: DailyBar[]; text: string } {
  const bars: DailyBar[] = [];
  const cells: string[][] = [];
  let day = Date.UTC(1900, 0, 1) / 86_400_000 + f.start;
  for (const r of f.rows) {
    day += r.gap;
    const [a, b, c] = r.up;
    const micros = [r.low + a, r.low + Math.max(a, b) + c, r.low, r.low + b, r.low + c];
    const text = micros.map((m) => priceText(m, r.decimals));
    const [open, high, low, close, adjClose] = text.map(Number);
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    bars.push({ date, open, high, low, close, adjClose: f.adj ? adjClose : close, volume: r.volume });
    cells.push([date, text[0], text[1], text[2], text[3], text[4], String(r.volume)]);
  }
  const header = ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'];
  const cols = f.order.filter((k) => f.adj || k !== 5);
  const line = (row: string[]) => cols.map((k) => (f.quoted[k] ? `"${row[k]}"` : row[k])).join(',');
  const lines = [line(header), ...cells.map(line)];
  for (const at of [...f.blankAfter].sort((x, y) => y - x)) lines.splice(1 + (at % (lines.length)), 0, at % 2 ? '' : '  ');
  const eol = f.crlf ? '\r\n' : '\n';
  return { bars, text: (f.bom ? '\ufeff' : '') + lines.join(eol) + (f.trailingEol ? eol : '') };
}

/** The text's bytes pushed in pieces cut at `cuts`, as reads of a file would hand them over. */
function parseInPieces(text: string, cuts: number[]) {
  const bytes = Buffer.from(text, 'utf8');
  const builder = new BarsCsvBuilder('X.csv', { today: TODAY });
  const stream = new CsvStream(builder);
  const decoder = new StringDecoder('utf8');
  let prev = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((x, y) => x - y).concat(bytes.length)) {
    stream.pushBytes(Buffer.from(bytes.subarray(prev, c)), decoder);
    prev = c;
  }
  stream.finishBytes(decoder);
  stream.end();
  return builder.finish();
}

describe('price CSV round trip', () => {
  it('parse(serialize(bars)) gives the bars back: any column order, quoted fields, CRLF, BOM, blank lines, with or without Adj Close (property)', () => {
    const dir = tmp();
    fc.assert(
      fc.property(file, (f) => {
        const { bars, text } = serialize(f);
        const path = join(dir, 'X.csv');
        writeFileSync(path, text);
        for (const res of [parseInPieces(text, f.cuts), readBarsCsvFile(path, 'X.csv', { today: TODAY })]) {
          if (res.kind !== 'bars') throw new Error(`not read as prices: ${res.reason}`);
          expect(res.warnings).toEqual([]);
          expect(res.rejected).toEqual([]);
          expect(res.hasAdjClose).toBe(f.adj);
          expect(res.hasVolume).toBe(true);
          expectSameData(barsFromColumns(res.columns), bars);
        }
      }),
      { numRuns: 400 },
    );
  });
});
