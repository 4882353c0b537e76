import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv, readBarsCsvFile, type BarsCsvResult } from '../../src/data/csv/barsCsv.js';
import { BarsCsvBuilder } from '../../src/data/csv/barsCsvBuilder.js';
import { CsvStream, type CsvSink } from '../../src/data/csv/csvStream.js';
import { parseCsv, type CsvRow } from '../../src/data/csv/parseCsv.js';
import { barsFromColumns } from '../../src/data/store/barColumns.js';
import { useTempDirs } from '../support/tmp.js';
import { parseBarsCsv as legacyParseBarsCsv } from './fixtures/legacyBarsCsv.js';
import { expectSameData } from '../support/sameData.js';

const tmp = useTempDirs();

function collector(): CsvSink & { rows: CsvRow[] } {
  const rows: CsvRow[] = [];
  return {
    rows,
    line: (bytes, a, b, line) => rows.push({ line, fields: Buffer.from(bytes.subarray(a, b)).toString('latin1').split(',') }),
    row: (fields, line) => rows.push({ line, fields }),
  };
}

/** Cuts `bytes` at the given (sorted, deduplicated) positions, as a file read would. */
function pieces(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function streamBytes(sink: CsvSink, bytes: Uint8Array, cuts: number[]): void {
  const s = new CsvStream(sink);
  const decoder = new StringDecoder('utf8');
  // Each piece is copied into a reused buffer, as streamCsvFile's reads are.
  const scratch = new Uint8Array(bytes.length + 1);
  for (const p of pieces(bytes, cuts)) {
    scratch.set(p);
    s.pushBytes(scratch.subarray(0, p.length), decoder);
    scratch.fill(0x7e);
  }
  s.finishBytes(decoder);
  s.end();
}

const csvChar = fc.constantFrom('a', 'b', '1', '.', ',', ',', '"', '"', '\n', '\n', '\r', '\r\n', ' ', 'é', '\ufeff');
const csvText = fc.array(csvChar, { maxLength: 80 }).map((cs) => cs.join(''));
const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });

describe('CsvStream', () => {
  it('gives parseCsv\'s rows and lines for any text cut anywhere (property)', () => {
    fc.assert(
      fc.property(csvText, cuts, (text, at) => {
        const expected = parseCsv(text);
        const bytes = collector();
        streamBytes(bytes, Buffer.from(text, 'utf8'), at);
        expectSameData(bytes.rows, expected);
        const whole = collector();
        const s = new CsvStream(whole);
        s.push(text);
        s.end();
        expectSameData(whole.rows, expected);
      }),
      { numRuns: 500 }, // five times fast-check's default; local runs explore new cases every time
    );
  });
});

// Price files as vendors write them, and the ways they go wrong.
const dateCell = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }).map((d) => new Date(Date.UTC(2024, 5, 1 + d)).toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.constantFrom('2024-06-03T00:00:00Z', '20240604', '6/5/2024', '2024-02-30', 'x', '', ' 2024-06-06') },
);
const priceCell = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((c) => (c / 100).toFixed(2)) },
  { weight: 1, arbitrary: fc.constantFrom('', '-1', '0', 'NaN', 'null', '1e2', ' 12.5 ', '.5', '5.', '+7', '-0', '1234567890.1234567', '0x10', 'abc') },
);
const HEADERS = [['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'], ['date', 'close'], ['timestamp', 'open', 'high', 'low', 'close', 'adjusted_close', 'volume'], ['DATE', 'OPEN', 'HIGH', 'LOW', 'CLOSE']];

const priceCsv = fc.record({
  header: fc.constantFrom(...HEADERS),
  rows: fc.array(fc.tuple(dateCell, fc.array(priceCell, { minLength: 7, maxLength: 7 })), { maxLength: 25 }),
  crlf: fc.boolean(),
  quoteOne: fc.boolean(),
  shuffle: fc.boolean(),
}).map(({ header, rows, crlf, quoteOne, shuffle }) => {
  const cols = header.map((_, i) => i);
  if (shuffle) cols.reverse();
  const lines = [cols.map((i) => header[i]).join(',')];
  for (const [date, prices] of rows) {
    const cells = header.map((_, i) => (i === 0 ? date : prices[i]));
    lines.push(cols.map((i) => cells[i]).join(','));
  }
  if (quoteOne && lines.length > 1) lines[1] = lines[1].split(',').map((c) => `"${c}"`).join(',');
  return lines.join(crlf ? '\r\n' : '\n') + (rows.length % 2 ? '\n' : '');
});

type Outcome = BarsCsvResult | { error: string };

function outcome(f: () => BarsCsvResult): Outcome {
  try {
    return f();
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('streaming bar parse', () => {
  it('equals the old whole-file parse on random price files, cut anywhere (property)', () => {
    fc.assert(
      fc.property(priceCsv, cuts, fc.constantFrom(undefined, '2024-06-20'), (text, at, today) => {
        const expected = outcome(() => legacyParseBarsCsv(text, 'X.csv', { today }));
        const streamed = outcome(() => {
          const builder = new BarsCsvBuilder('X.csv', { today });
          streamBytes(builder, Buffer.from(text, 'utf8'), at);
          const res = builder.finish();
          if (res.kind === 'not-prices') return res;
          const { columns, ...rest } = res;
          return { ...rest, bars: barsFromColumns(columns) };
        });
        expectSameData(streamed, expected);
        expect(outcome(() => parseBarsCsv(text, 'X.csv', { today }))).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a file of several megabytes in chunks to the same bars as the whole-text parse', () => {
    const dir = tmp();
    const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    // Descending dates, as some vendors write them: the columns come out ascending.
    for (let d = 60_000; d >= 0; d--) {
      const c = (100 + (d % 97)).toFixed(6);
      lines.push(`${new Date(Date.UTC(1850, 0, 1 + d)).toISOString().slice(0, 10)},${c},${c},${c},${c},${c},${d}`);
    }
    const text = lines.join('\r\n');
    const file = join(dir, 'BIG.csv');
    writeFileSync(file, text);
    const res = readBarsCsvFile(file, 'BIG.csv', { today: '2100-01-01' });
    const expected = legacyParseBarsCsv(text, 'BIG.csv', { today: '2100-01-01' });
    if (res.kind !== 'bars' || expected.kind !== 'bars') throw new Error('not bars');
    expect(res.columns.days.length).toBe(60_001);
    expectSameData(barsFromColumns(res.columns), expected.bars);
  });

  it('names both lines of a repeated date, wherever the repeat is', () => {
    const text = 'Date,Close\n2020-01-03,1\n2020-01-02,1\n2020-01-06,2\n2020-01-02,3\n';
    expect(() => parseBarsCsv(text, 'A.csv', { today: '2024-01-01' })).toThrow(/A\.csv has two rows for 2020-01-02 \(lines 3 and 5\)/);
    // the first of the two was rejected by the sanity rules: still a repeat
    expect(() => parseBarsCsv('Date,Close\n2020-01-02,-1\n2020-01-02,3\n', 'B.csv', { today: '2024-01-01' })).toThrow(/lines 2 and 3/);
  });
});
