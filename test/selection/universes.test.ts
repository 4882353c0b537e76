import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinUniverseNames, bySector, getUniverse, parseUniverseFile } from '../../src/selection/universes.js';
import { AtlasError } from '../../src/core/errors.js';
import { realDataDir, REAL_DATA_SKIP_MESSAGE } from '../support/realData.js';

describe('built-in universes', () => {
  it('has the four named lists with the documented sizes and a survivorship warning', () => {
    expect(builtinUniverseNames()).toEqual(['technology', 'healthcare', 'financials', 'sp500_proxy']);
    const sizes = Object.fromEntries(builtinUniverseNames().map((n) => [n, getUniverse(n).symbols.length]));
    expect(sizes).toEqual({ technology: 30, healthcare: 20, financials: 20, sp500_proxy: 40 });
    for (const n of builtinUniverseNames()) {
      const u = getUniverse(n);
      expect(u.survivorshipWarning).toMatch(/survivorship/);
      expect(u.description.length).toBeGreaterThan(10);
    }
    const tech = getUniverse('Technology');
    expect(tech.isMember('AAPL', '2001-01-02')).toBe(true);
    expect(tech.isMember('JPM', '2001-01-02')).toBe(false);
    expect(getUniverse('sp500_proxy').symbols).toContain('BRK-B');
  });

  it('rejects an unknown name with an AtlasError listing the valid names', () => {
    expect(() => getUniverse('energy')).toThrow(AtlasError);
    expect(() => getUniverse('energy')).toThrow(/technology, healthcare, financials, sp500_proxy/);
  });
});

describe('parseUniverseFile', () => {
  it('reads a plain list with comments, blank lines and a header word', () => {
    const u = parseUniverseFile('# my names\nsymbol\nmsft\n\nAAPL  # the phone\nBRK.B\nAAPL\n', 'mine.txt');
    expect(u.symbols).toEqual(['AAPL', 'BRK-B', 'MSFT']);
    expect(u.survivorshipWarning).toBeDefined();
    expect(u.isMember('MSFT', '1990-01-01')).toBe(true);
  });

  it('reads point-in-time membership rows: start inclusive, end exclusive, blank end = member', () => {
    const text = 'ticker,start_date,end_date\nAAA,2005-01-03,2010-06-01\nAAA,2015-01-02,\nBRK.B,2010-02-16,\n';
    const u = parseUniverseFile(text, 'members.csv');
    expect(u.survivorshipWarning).toBeUndefined();
    expect(u.symbols).toEqual(['AAA', 'BRK-B']);
    expect(u.isMember('AAA', '2005-01-02')).toBe(false);
    expect(u.isMember('AAA', '2005-01-03')).toBe(true);
    expect(u.isMember('AAA', '2010-05-28')).toBe(true);
    expect(u.isMember('AAA', '2010-06-01')).toBe(false);
    expect(u.isMember('AAA', '2012-01-03')).toBe(false);
    expect(u.isMember('AAA', '2030-01-02')).toBe(true);
    expect(u.isMember('BRK-B', '2010-02-16')).toBe(true);
    expect(u.isMember('ZZZ', '2012-01-03')).toBe(false);
  });

  it('explains bad files in one sentence', () => {
    expect(() => parseUniverseFile('# nothing\n\n', 'empty.txt')).toThrow(/lists no symbols/);
    expect(() => parseUniverseFile('ticker,start_date,end_date\nAAA,2005/01/03,\n', 'm.csv')).toThrow(/YYYY-MM-DD/);
    expect(() => parseUniverseFile('AAPL\nnot a ticker!\n', 'x.txt')).toThrow(AtlasError);
  });
});

describe('bySector', () => {
  const csv = 'Symbol,Security,GICS Sector,GICS Sub-Industry,Headquarters Location\n' +
    'AAA,"Alpha, Inc.",Information Technology,Software,"Austin, Texas"\n' +
    'BBB,Beta,Health Care,Biotech,"Boston, Massachusetts"\n' +
    'CCC,"Gamma ""G"" Corp",Information Technology,Semis,"San Jose, California"\n';
  it('picks the members of one sector from a quoted CSV', () => {
    const u = bySector(csv, 'information technology');
    expect(u.symbols).toEqual(['AAA', 'CCC']);
    expect(u.survivorshipWarning).toBeDefined();
  });
  it('lists the sectors when the sector is unknown', () => {
    expect(() => bySector(csv, 'Energy')).toThrow(/Health Care, Information Technology/);
  });
});

describe.skipIf(!realDataDir())('real universe files', () => {
  it('reads the S&P 500 membership history and the GICS constituents', () => {
    const dir = realDataDir()!;
    const members = parseUniverseFile(readFileSync(join(dir, 'sp500_membership.csv'), 'utf8'), 'sp500_membership.csv');
    expect(members.symbols.length).toBeGreaterThan(500);
    expect(members.isMember('FB', '2015-06-01')).toBe(true);
    expect(members.isMember('FB', '2023-01-03')).toBe(false);
    expect(members.isMember('META', '2023-01-03')).toBe(true);
    expect(members.isMember('BRK-B', '2012-01-03')).toBe(true);
    const it = bySector(readFileSync(join(dir, 'sp500_constituents_gics.csv'), 'utf8'), 'Information Technology');
    expect(it.symbols).toContain('AAPL');
    expect(it.symbols).not.toContain('JPM');
  });
});
if (!realDataDir()) console.warn(REAL_DATA_SKIP_MESSAGE);

