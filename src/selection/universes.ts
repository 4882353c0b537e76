/**
 * Stock universes: which symbols the scanner may pick, and on which dates.
 *
 * - Built-in universes (technology, healthcare, financials, sp500_proxy) are lists of today's
 *   large caps. Applied to the past they only contain the survivors, so they carry a
 *   survivorship-bias warning and every listed symbol is a member on every date.
 * - A plain list file (one symbol per line) is the same: a static list, with the same warning.
 * - A point-in-time membership file (`ticker,start_date,end_date`) makes a symbol a member only
 *   from start_date (inclusive) to end_date (exclusive; blank = still a member), so a backtest
 *   picks only the names that were in the index on the rebalance date. It carries no warning.
 *
 * Symbols are canonicalised to upper case with '.' written as '-' (BRK.B -> BRK-B), the form
 * the price store uses.
 */
import { AtlasError } from '../core/errors.js';
import { isIsoDate } from '../core/dates.js';
import { parseCsv } from '../data/csv/parseCsv.js';

export interface Universe {
  name: string;
  /** How the list was formed, in one sentence. */
  description: string;
  /** Every symbol that is a member on at least one date, sorted, unique. */
  symbols: string[];
  /** True when `symbol` belongs to the universe on ISO date `date`. */
  isMember(symbol: string, date: string): boolean;
  /** Present on static lists of today's names: results on past dates are survivorship-biased. */
  survivorshipWarning?: string;
}

export const BUILTIN_UNIVERSES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  technology: [
    'AAPL', 'MSFT', 'NVDA', 'GOOGL', 'META', 'TSLA', 'AVGO', 'ORCL', 'AMD', 'CRM', 'ADBE', 'NFLX', 'INTC', 'CSCO', 'ACN',
    'IBM', 'NOW', 'QCOM', 'TXN', 'INTU', 'AMAT', 'MU', 'LRCX', 'KLAC', 'SNPS', 'CDNS', 'MCHP', 'FTNT', 'PANW', 'CRWD',
  ],
  healthcare: [
    'UNH', 'JNJ', 'LLY', 'ABBV', 'MRK', 'TMO', 'ABT', 'DHR', 'PFE', 'BMY', 'AMGN', 'CVS', 'MDT', 'GILD', 'CI', 'REGN',
    'SYK', 'VRTX', 'ZTS', 'HUM',
  ],
  financials: [
    'JPM', 'BAC', 'WFC', 'GS', 'MS', 'C', 'BLK', 'SCHW', 'CB', 'AXP', 'PNC', 'USB', 'TFC', 'COF', 'BK', 'AIG', 'MET',
    'AFL', 'PRU', 'ALL',
  ],
  sp500_proxy: [
    'AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'BRK-B', 'AVGO', 'LLY', 'TSLA', 'JPM', 'WMT', 'V', 'XOM', 'UNH', 'MA',
    'PG', 'COST', 'JNJ', 'HD', 'NFLX', 'BAC', 'ABBV', 'CRM', 'MRK', 'KO', 'CVX', 'AMD', 'PEP', 'ORCL', 'TMO', 'ACN', 'MCD',
    'CSCO', 'ABT', 'DHR', 'DIS', 'ADBE', 'WFC', 'TXN',
  ],
});

const BUILTIN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  technology: '30 of the largest US technology stocks by market value today (a static list).',
  healthcare: '20 of the largest US healthcare stocks by market value today (a static list).',
  financials: '20 of the largest US financial stocks by market value today (a static list).',
  sp500_proxy: "40 of today's largest S&P 500 members as a proxy for the index (a static list).",
};

export function builtinUniverseNames(): string[] {
  return Object.keys(BUILTIN_UNIVERSES);
}

/** Upper case, trimmed, '.' and '/' written as '-' (BRK.B -> BRK-B). */
export function canonicalSymbol(raw: string): string {
  return raw.trim().toUpperCase().replace(/[./]/g, '-');
}

function survivorshipWarningFor(name: string): string {
  return (
    `universe "${name}" is a static list of today's names: applied to past dates it only holds the survivors, ` +
    'so backtest results are biased upwards (survivorship bias); use a point-in-time membership file to avoid it.'
  );
}

/** A universe whose listed symbols are members on every date. */
export function staticUniverse(name: string, symbols: readonly string[], description: string): Universe {
  const list = [...new Set(symbols.map(canonicalSymbol).filter((s) => s !== ''))].sort();
  const set = new Set(list);
  return {
    name,
    description,
    symbols: list,
    isMember: (symbol: string) => set.has(symbol),
    survivorshipWarning: survivorshipWarningFor(name),
  };
}

/** A built-in universe by name; an unknown name is an AtlasError listing the valid names. */
export function getUniverse(name: string): Universe {
  const key = name.trim().toLowerCase();
  const list = Object.hasOwn(BUILTIN_UNIVERSES, key) ? BUILTIN_UNIVERSES[key] : undefined;
  if (!list) {
    throw new AtlasError(
      `Unknown universe "${name}": choose one of ${builtinUniverseNames().join(', ')}, or pass a universe file.`,
      { code: 'UNKNOWN_UNIVERSE' },
    );
  }
  return staticUniverse(key, list, BUILTIN_DESCRIPTIONS[key]);
}

interface Interval {
  start: string;
  end: string | null; // exclusive; null = still a member
}

/**
 * Reads a universe file. Two formats, told apart by the first non-comment line:
 * - membership rows: a header naming ticker/symbol, start_date and end_date columns, then one row
 *   per membership spell (a ticker may have several). Point-in-time, no survivorship warning.
 * - a plain list: one symbol per line (any extension), `#` starts a comment, blank lines ignored;
 *   a trailing `,...` on a line is ignored so a one-column CSV with a "symbol" header also works.
 */
export function parseUniverseFile(text: string, label: string): Universe {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const firstContent = lines.map((l) => l.replace(/#.*$/, '').trim()).find((l) => l !== '');
  if (firstContent === undefined) {
    throw new AtlasError(`Universe file ${label} lists no symbols: put one ticker per line.`, { code: 'BAD_UNIVERSE' });
  }
  const header = firstContent.split(',').map((h) => h.trim().toLowerCase().replace(/[\s-]/g, '_'));
  if (header.length >= 2 && header.includes('start_date')) return parseMembership(text, label);

  const symbols: string[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const sym = line.split(',')[0].trim();
    if (symbols.length === 0 && /^(symbol|ticker|symbols|tickers)$/i.test(sym)) continue;
    if (!/^[A-Za-z0-9.\-/^=]+$/.test(sym)) {
      throw new AtlasError(`Universe file ${label} line ${i + 1}: "${sym}" is not a ticker symbol; put one ticker per line.`, {
        code: 'BAD_UNIVERSE',
      });
    }
    symbols.push(sym);
  }
  if (symbols.length === 0) {
    throw new AtlasError(`Universe file ${label} lists no symbols: put one ticker per line.`, { code: 'BAD_UNIVERSE' });
  }
  return staticUniverse(label, symbols, `Static list of ${new Set(symbols).size} symbols read from ${label}.`);
}

function parseMembership(text: string, label: string): Universe {
  const rows = parseCsv(text.split(/\r?\n/).filter((l) => !/^\s*#/.test(l)).join('\n'));
  const head = rows[0].fields.map((h) => h.trim().toLowerCase().replace(/[\s-]/g, '_'));
  const ti = head.findIndex((h) => h === 'ticker' || h === 'symbol');
  const si = head.indexOf('start_date');
  const ei = head.indexOf('end_date');
  if (ti < 0 || si < 0 || ei < 0) {
    throw new AtlasError(`Universe file ${label} needs the columns ticker,start_date,end_date in its header row.`, {
      code: 'BAD_UNIVERSE',
    });
  }
  const spells = new Map<string, Interval[]>();
  for (const row of rows.slice(1)) {
    const sym = canonicalSymbol(row.fields[ti] ?? '');
    const start = (row.fields[si] ?? '').trim();
    const end = (row.fields[ei] ?? '').trim();
    if (sym === '') continue;
    if (!isIsoDate(start) || (end !== '' && !isIsoDate(end))) {
      throw new AtlasError(
        `Universe file ${label} line ${row.line}: dates must be YYYY-MM-DD (end_date may be blank for a current member).`,
        { code: 'BAD_UNIVERSE' },
      );
    }
    const list = spells.get(sym) ?? [];
    list.push({ start, end: end === '' ? null : end });
    spells.set(sym, list);
  }
  if (spells.size === 0) {
    throw new AtlasError(`Universe file ${label} has a header but no membership rows.`, { code: 'BAD_UNIVERSE' });
  }
  const symbols = [...spells.keys()].sort();
  return {
    name: label,
    description: `Point-in-time membership of ${symbols.length} tickers read from ${label} (member from start_date up to, not including, end_date).`,
    symbols,
    isMember(symbol: string, date: string): boolean {
      const list = spells.get(symbol);
      if (!list) return false;
      for (const iv of list) if (iv.start <= date && (iv.end === null || date < iv.end)) return true;
      return false;
    },
  };
}

/**
 * The members of one GICS sector from a constituents CSV (columns Symbol and GICS Sector, any
 * order, quoted fields allowed). A constituents file is today's snapshot, so the universe carries
 * the survivorship warning. The sector is matched case-insensitively; an unknown sector is an
 * AtlasError listing the sectors in the file.
 */
export function bySector(constituentsCsvText: string, sector: string): Universe {
  const rows = parseCsv(constituentsCsvText);
  if (rows.length === 0) throw new AtlasError('The constituents file is empty.', { code: 'BAD_UNIVERSE' });
  const head = rows[0].fields.map((h) => h.trim().toLowerCase());
  const si = head.indexOf('symbol');
  const gi = head.indexOf('gics sector');
  if (si < 0 || gi < 0) {
    throw new AtlasError('The constituents file needs "Symbol" and "GICS Sector" columns in its header row.', {
      code: 'BAD_UNIVERSE',
    });
  }
  const want = sector.trim().toLowerCase();
  const sectors = new Set<string>();
  const symbols: string[] = [];
  for (const row of rows.slice(1)) {
    const sec = (row.fields[gi] ?? '').trim();
    if (sec !== '') sectors.add(sec);
    if (sec.toLowerCase() === want) symbols.push(row.fields[si] ?? '');
  }
  if (symbols.length === 0) {
    throw new AtlasError(`Unknown GICS sector "${sector}": choose one of ${[...sectors].sort().join(', ')}.`, {
      code: 'UNKNOWN_SECTOR',
    });
  }
  const name = `sector:${sector.trim()}`;
  return staticUniverse(name, symbols, `Today's S&P 500 members in the GICS sector "${sector.trim()}" (a static list).`);
}
