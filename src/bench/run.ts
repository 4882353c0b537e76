/**
 * `npm run bench`: the performance figures Atlas promises, measured on this machine.
 * Real-data benchmarks read ATLAS_REAL_DATA (or ../shared/data when present).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchBacktest } from './backtestBench.js';
import { benchDashboard, benchDashboardServer } from './dashboardBench.js';
import { benchPipeline } from './pipelineBench.js';
import { benchQueue } from './queueBench.js';
import { benchRegime } from './regimeBench.js';
import { benchImport, benchPanelLoad } from './storeBench.js';
import type { BenchResult } from './timing.js';

function realDataDir(): string | undefined {
  const fromEnv = process.env.ATLAS_REAL_DATA;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const sibling = resolve(process.cwd(), '../shared/data');
  return existsSync(sibling) ? sibling : undefined;
}

async function main(): Promise<void> {
  const real = realDataDir();
  const only = process.argv[2];
  const suites: [string, () => Promise<BenchResult[]> | BenchResult[]][] = [
    ['store', () => [...benchImport(real), ...benchPanelLoad()]],
    ['regime', () => (real ? benchRegime(real) : [{ name: 'regime history 1993-2020', ms: NaN, detail: 'skipped: set ATLAS_REAL_DATA' }])],
    ['backtest', () => benchBacktest()],
    ['pipeline', () => benchPipeline()],
    ['dashboard', () => benchDashboard()],
    ['queue', () => benchQueue()],
    // Only the dashboard's server and browser figures, without the 25-year report (seconds, not minutes).
    ['dashboard-server', () => benchDashboardServer()],
  ];
  const results: BenchResult[] = [];
  for (const [name, fn] of suites) {
    if (only ? only !== name : name === 'dashboard-server') continue;
    process.stderr.write(`bench: ${name} ...\n`);
    results.push(...(await fn()));
  }
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  for (const r of results) console.log(`${r.name.padEnd(width)}  ${Number.isFinite(r.ms) ? r.ms.toFixed(1).padStart(9) + ' ms' : '        -   '}  ${r.detail}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(results));
}

await main();
