/**
 * @module The remainder sleeve inside a backtest run: which panel columns are the sleeve's, which
 * of them gate 7 counts as cash, and how many sessions of the run had no sleeve price (those days
 * the share stays cash, and the run says so in a warning and in `result.sleeve`).
 */
import type { Panel } from '../data/panel.js';
import { cashLikeSymbols, sleeveCountsAsCash, sleeveLabel, sleeveSymbols, type Sleeve } from '../portfolio/sleeve.js';

export interface SleeveSymbolCoverage {
  symbol: string;
  /** Sessions of the run with a bar for the symbol. */
  pricedSessions: number;
  /** Sessions of the run without one: the symbol's share is cash on those days. */
  cashSessions: number;
  /** First and last session of the run with a bar (null: none). */
  firstPriced: string | null;
  lastPriced: string | null;
}

export interface SleeveReport {
  kind: Sleeve['kind'];
  /** 'cash', 'etf:BIL', 'defensive:XLP,XLU'. */
  label: string;
  /** Gate 7 counts the sleeve as cash (T-bill ETF or countsAsCash) rather than exposure. */
  countsAsCash: boolean;
  sessions: number;
  symbols: SleeveSymbolCoverage[];
}

/** Panel indices of the sleeve's symbols that the panel holds, and the symbols gate 7 counts as cash. */
export function sleeveSetup(panel: Panel, sleeve: Sleeve): { idx: Int32Array; cashLike: ReadonlySet<string> } {
  const idx = sleeveSymbols(sleeve).map((s) => panel.symbols.indexOf(s)).filter((i) => i >= 0);
  return { idx: Int32Array.from(idx), cashLike: new Set(cashLikeSymbols(sleeve)) };
}

/** The run's sleeve report and a warning for every sleeve symbol without a price on some sessions. */
export function sleeveWarnings(prep: { panel: Panel; bar: Uint8Array }, sleeve: Sleeve, start: number, end: number): { report: SleeveReport; warnings: string[] } {
  const { panel, bar } = prep;
  const n = panel.dates.length;
  const sessions = end - start + 1;
  const warnings: string[] = [];
  const symbols = sleeveSymbols(sleeve).map((symbol): SleeveSymbolCoverage => {
    const s = panel.symbols.indexOf(symbol);
    let priced = 0;
    let first = -1;
    let last = -1;
    if (s >= 0) {
      for (let d = start; d <= end; d++) {
        if (bar[s * n + d] !== 1) continue;
        priced++;
        if (first < 0) first = d;
        last = d;
      }
    }
    const cov = { symbol, pricedSessions: priced, cashSessions: sessions - priced, firstPriced: first >= 0 ? panel.dates[first] : null, lastPriced: last >= 0 ? panel.dates[last] : null };
    if (cov.cashSessions > 0) {
      const where = priced === 0 ? 'no price history in the store for this range' : `no price on ${cov.cashSessions} of ${sessions} sessions (priced ${cov.firstPriced} .. ${cov.lastPriced})`;
      warnings.push(`Remainder sleeve: ${symbol} has ${where}; its share is held as cash on those days. Import its history (\`atlas data sync --symbols ${symbol}\` or \`atlas data import\`) for a real result.`);
    }
    return cov;
  });
  return { report: { kind: sleeve.kind, label: sleeveLabel(sleeve), countsAsCash: sleeveCountsAsCash(sleeve), sessions, symbols }, warnings };
}
