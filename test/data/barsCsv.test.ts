import { describe, expect, it } from 'vitest';
import { parseBarsCsv, parseDateCell } from '../../src/data/csv/barsCsv.js';
import { csvLine, parseCsv } from '../../src/data/csv/parseCsv.js';
import fc from 'fast-check';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF and a BOM', () => {
    const rows = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n3,4');
    expect(rows.map((r) => r.fields)).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['3', '4']]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('round-trips any fields through csvLine (RFC 4180)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (table) => {
        // A row of one empty field is a blank line, which the parser drops by design.
        const rows = table.filter((r) => !(r.length === 1 && r[0].trim() === ''));
        const text = rows.map((r) => csvLine(r)).join('');
        expect(parseCsv(text).map((r) => r.fields)).toEqual(rows);
      }),
    );
  });
});

describe('parseBarsCsv', () => {
  it('recognises columns by header in any order, CRLF or LF', () => {
    const a = parseBarsCsv('Volume,Adj Close,Close,Low,High,Open,Date\r\n100,9.5,10,9,11,9.8,2020-01-02\r\n', 'A.csv');
    const b = parseBarsCsv('date,open,high,low,close,adjusted_close,volume\n2020-01-02,9.8,11,9,10,9.5,100\n', 'B.csv');
    expect(a).toEqual(b);
    expect(a.kind === 'bars' && a.bars[0]).toEqual({ date: '2020-01-02', open: 9.8, high: 11, low: 9, close: 10, adjClose: 9.5, volume: 100 });
  });

  it('reads an index file without volume or adjusted close (VIX)', () => {
    const r = parseBarsCsv('DATE,OPEN,HIGH,LOW,CLOSE\n1990-01-02,17.24,17.24,17.24,17.24\n', 'VIX.csv');
    expect(r.kind === 'bars' && r.bars[0]).toEqual({ date: '1990-01-02', open: 17.24, high: 17.24, low: 17.24, close: 17.24, adjClose: 17.24, volume: 0 });
    expect(r.kind === 'bars' && r.hasVolume).toBe(false);
  });

  it('accepts timestamps and sorts rows', () => {
    const r = parseBarsCsv('timestamp,close\n2020-01-03T00:00:00Z,2\n2020-01-02 00:00:00,1\n', 'X.csv');
    expect(r.kind === 'bars' && r.bars.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-03']);
  });

  it('recognises a file that is not a price file', () => {
    expect(parseBarsCsv('date,weekday,type,close_time_et\n1998-01-01,Thu,holiday,\n', 'cal.csv').kind).toBe('not-prices');
    expect(parseBarsCsv('ticker,start_date,end_date\nA,2000-06-05,\n', 'm.csv').kind).toBe('not-prices');
    expect(parseBarsCsv('', 'empty.csv').kind).toBe('not-prices');
  });

  it('names the missing column', () => {
    expect(() => parseBarsCsv('Date,Open,High,Low\n2020-01-02,1,2,0.5\n', 'AAPL.csv')).toThrow(/AAPL\.csv has no Close column/);
  });

  it('names file and line of an unparsable date', () => {
    expect(() => parseBarsCsv('Date,Close\n2020-01-02,1\n2020-13-45,2\n', 'AAPL.csv')).toThrow(/AAPL\.csv line 3: cannot read the date "2020-13-45"/);
  });

  it('refuses duplicate dates, naming both lines', () => {
    expect(() => parseBarsCsv('Date,Close\n2020-01-02,1\n2020-01-03,2\n2020-01-02,3\n', 'AAPL.csv')).toThrow(/two rows for 2020-01-02 \(lines 2 and 4\)/);
  });

  it('skips a blank price row with a warning naming file and line', () => {
    const r = parseBarsCsv('Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1.5\n2020-01-03,,,,\n2020-01-06,1,2,0.5,1.5\n', 'AAPL.csv');
    expect(r.kind).toBe('bars');
    if (r.kind !== 'bars') return;
    expect(r.bars.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-06']);
    expect(r.warnings).toEqual(['AAPL.csv line 3: skipped the row for 2020-01-03 because a price is blank or not a number.']);
  });

  it('parses date cells in the accepted forms only', () => {
    expect(parseDateCell('2020-02-29')).toBe('2020-02-29');
    expect(parseDateCell('2019-02-29')).toBeUndefined();
    expect(parseDateCell('20200131')).toBe('2020-01-31');
    expect(parseDateCell('1/2/2020')).toBe('2020-01-02');
    expect(parseDateCell('2020-01-02X')).toBeUndefined();
  });
});

describe('parseCsv fast path', () => {
  it('gives the same rows as the quoted parser for unquoted text (property)', () => {
    const cell = fc.stringMatching(/^[A-Za-z0-9 .:-]{0,6}$/);
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (table, eol) => {
        const text = table.map((r) => r.join(',')).join(eol);
        // Forcing the character loop: a quoted empty first field parses as an empty field.
        const slow = parseCsv('""' + text).map((r) => r.fields);
        const fast = parseCsv(text).map((r) => r.fields);
        if (slow.length > 0 && fast.length > 0) {
          expect(fast.slice(1)).toEqual(slow.slice(1));
        }
      }),
    );
  });
});
