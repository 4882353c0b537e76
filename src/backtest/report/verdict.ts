/**
 * @module The report's opening sentences in plain words: which strategy did best, by how much
 * against each other one and against SPY buy-and-hold, over which period, at what drawdown; and
 * the caveats that change how far to trust it (survivorship, simulated data).
 */
import { calendarYears } from '../metrics.js';
import type { Comparison } from '../compare.js';

const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
const pp = (x: number) => `${Math.abs(x * 100).toFixed(1)} percentage points a year`;
const money = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;

export interface VerdictNotes {
  survivorship?: string;
  simulated?: string;
}

export function verdictSentences(cmp: Comparison, notes: VerdictNotes = {}): string[] {
  const runs = cmp.runs;
  if (runs.length === 0) return ['No strategy was run.'];
  const dates = runs[0].result.dates;
  const from = dates[0];
  const to = dates[dates.length - 1];
  const years = calendarYears(from, to);
  const ranked = [...runs].sort((a, b) => b.metrics.cagr - a.metrics.cagr);
  const best = ranked[0];
  const cash = best.result.config.initialCash;
  const final = best.result.equity[best.result.equity.length - 1];
  const out: string[] = [];
  out.push(`From ${from} to ${to} (${years.toFixed(1)} years, ${dates.length} sessions), ${best.name} did best: ${money(cash)} became ${money(final)}, ${pct(best.metrics.cagr)} a year (${pct(best.metrics.totalReturn, 0)} in total).`);
  const versus = [
    ...ranked.slice(1).map((r) => ({ name: r.name, cagr: r.metrics.cagr, dd: r.metrics.maxDrawdown })),
    ...(cmp.benchmark ? [{ name: cmp.benchmark.name, cagr: cmp.benchmark.metrics.cagr, dd: cmp.benchmark.metrics.maxDrawdown }] : []),
  ];
  for (const v of versus) {
    const d = best.metrics.cagr - v.cagr;
    out.push(`It ${d >= 0 ? 'beat' : 'trailed'} ${v.name} by ${pp(d)} (${pct(best.metrics.cagr)} against ${pct(v.cagr)}); its deepest drawdown was ${pct(best.metrics.maxDrawdown)} against ${pct(v.dd)}.`);
  }
  if (cmp.benchmark) {
    const beating = runs.filter((r) => r.metrics.cagr > cmp.benchmark!.metrics.cagr).map((r) => r.name);
    out.push(beating.length === runs.length ? 'Every strategy beat SPY buy & hold on annual return.' : beating.length === 0 ? 'No strategy beat SPY buy & hold on annual return.' : `Only ${beating.join(' and ')} beat SPY buy & hold on annual return.`);
  }
  if (notes.survivorship) out.push(`Survivorship bias: ${notes.survivorship} The returns above are likely flattered.`);
  else out.push('The universe is point-in-time (members as of each date), so survivorship bias is limited to symbols without price data.');
  if (notes.simulated) out.push(notes.simulated);
  return out;
}
