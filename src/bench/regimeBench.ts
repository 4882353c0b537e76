import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeRegimeHistory } from '../regime/regimeHistory.js';
import { alignVix, type VixPoint } from '../regime/vixLayer.js';
import { summariseRegimes } from '../regime/summary.js';
import { computeModelHistory, REGIME_MODEL_NAMES } from '../regime/models/registry.js';

/** Minimal CSV reader: header row, comma-separated, no quoting (the shared SPY/VIX files). */
function readColumns(text: string, dateCol: string, valueCol: string): VixPoint[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  const di = header.indexOf(dateCol);
  const vi = header.indexOf(valueCol);
  if (di < 0 || vi < 0) throw new Error(`regimeBench: columns ${dateCol}/${valueCol} not in header ${header.join(',')}`);
  const out: VixPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(',');
    const close = Number(f[vi]);
    if (Number.isFinite(close) && close > 0) out.push({ date: f[di].trim(), close });
  }
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Times computeRegimeHistory on the full SPY/VIX history in dataDir (median of several runs). */
export async function benchRegime(dataDir: string): Promise<{ name: string; ms: number; detail: string }[]> {
  const [spyText, vixText] = await Promise.all([readFile(join(dataDir, 'SPY.csv'), 'utf8'), readFile(join(dataDir, 'VIX.csv'), 'utf8')]);
  const spy = readColumns(spyText, 'Date', 'Adj Close');
  const vixRows = readColumns(vixText, 'DATE', 'CLOSE');
  const dates = spy.map((b) => b.date);
  const spyClose = Float64Array.from(spy, (b) => b.close);

  const t0 = performance.now();
  const alignment = alignVix(dates, vixRows);
  const alignMs = performance.now() - t0;
  const input = { dates, spyClose, vixClose: alignment.vix };

  const runs: number[] = [];
  computeRegimeHistory(input); // warm-up (JIT)
  let history = computeRegimeHistory(input);
  for (let k = 0; k < 7; k++) {
    const s = performance.now();
    history = computeRegimeHistory(input);
    runs.push(performance.now() - s);
  }
  const floorRuns: number[] = [];
  let floored = history;
  for (let k = 0; k < 3; k++) {
    const s = performance.now();
    floored = computeRegimeHistory(input, { vixFloor: null });
    floorRuns.push(performance.now() - s);
  }
  // Every registered model over the full history, all refits (issue 12 target: <= 1 s each on one core).
  const models = REGIME_MODEL_NAMES.filter((m) => m !== 'seed').map((m) => {
    computeModelHistory(m, input); // warm-up (JIT)
    const ms: number[] = [];
    let h = history;
    for (let k = 0; k < 3; k++) {
      const s = performance.now();
      h = computeModelHistory(m, input);
      ms.push(performance.now() - s);
    }
    const mar = summariseRegimes(h, '2020-03-01', '2020-03-31');
    return {
      name: `regime: model ${m} 1993-2020, all refits`,
      ms: median(ms),
      detail: `median of ${ms.length} runs; ${h.fits.length} fits${h.voters > 1 ? ` (${h.voters} lambdas)` : ''}; March 2020 CRASH ${mar.counts.CRASH}/${mar.days}`,
    };
  });
  const march = summariseRegimes(history, '2020-03-01', '2020-03-31');
  const calm = (h: typeof history) => ['2017', '2019'].map((y) => `${y}: ${summariseRegimes(h, `${y}-01-01`, `${y}-12-31`).counts.CRASH}`).join(', ');
  const starts = history.params.nStarts;
  return [
    {
      name: 'regime: alignVix (SPY sessions)',
      ms: alignMs,
      detail: `${dates.length} sessions, ${alignment.filled.length} forward-filled, ${alignment.dropped.length} dropped`,
    },
    {
      name: 'regime: computeRegimeHistory 1993-2020 (defaults, VIX floor 20)',
      ms: median(runs),
      detail: `median of ${runs.length} runs (min ${Math.min(...runs).toFixed(1)} ms); ${history.fits.length} fits x ${starts} starts; March 2020 CRASH ${march.counts.CRASH}/${march.days}; calm-year CRASH days ${calm(history)}`,
    },
    {
      name: 'regime: computeRegimeHistory, VIX floor off',
      ms: median(floorRuns),
      detail: `median of ${floorRuns.length} runs; calm-year CRASH days ${calm(floored)}; March 2020 CRASH ${summariseRegimes(floored, '2020-03-01', '2020-03-31').counts.CRASH}/22`,
    },
    ...models,
  ];
}
