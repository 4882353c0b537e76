import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { DurationSequencer } from './test/support/sequencer.js';

/**
 * Two projects, both without a fresh module graph per file (isolate: false), so each worker
 * imports src/ (and the whole CLI) once instead of once per file: that halves the import time.
 * Unit files run in worker threads; files that run the CLI in-process (it changes the working
 * directory, which threads cannot) or that are not plain units run in forks. Every in-process CLI
 * run restores the environment and working directory and forgets its registered secrets
 * (test/support/cliInProcess.ts), so files sharing a worker do not see each other's state.
 */
const UNIT_FOLDERS = [
  'analytics', 'audit', 'backtest', 'brokers', 'calendar', 'core', 'data', 'demo', 'execution', 'gates', 'lease', 'operations',
  'orders', 'paper', 'portfolio', 'preflight', 'providers', 'regime', 'selection', 'store',
];
const UNIT = UNIT_FOLDERS.map((d) => `test/${d}/**/*.test.ts`);
/** Files in those folders that run the CLI in-process (process.chdir) or change process.env: forks. */
const NOT_UNIT = [
  'test/backtest/cli.test.ts',
  'test/backtest/researchCli.test.ts',
  'test/data/importCsv.test.ts',
  'test/operations/replay.test.ts',
  'test/operations/run.cli.test.ts',
  'test/paper/cli.test.ts',
  'test/regime/compare.cli.test.ts',
  'test/regime/regimeCache.test.ts',
  'test/store/gcSafety.test.ts',
];
/** Every other folder of test/ (a new folder lands here, in forks, until it is listed above). */
const OTHER = readdirSync(new URL('./test/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !UNIT_FOLDERS.includes(e.name))
  .map((e) => `test/${e.name}/**/*.test.ts`);
// The crash and concurrency suite is `npm run chaos` (vitest.chaos.config.ts); a small sample of
// it runs here (test/rebalance/chaosSample.test.ts).
const EXCLUDE = [...configDefaults.exclude, 'test/chaos/**'];

export default defineConfig({
  test: {
    setupFiles: ['test/support/fastCheckSetup.ts'],
    // Once per run: rebuilds a stale dist/ (the real-binary tests run it) and builds the demo store.
    globalSetup: ['test/support/globalSetup.ts'],
    // Worker threads (sweeps, CSV parsing) load dist/, which globalSetup has just rebuilt from these
    // sources, instead of compiling src/ again in every thread (src/core/threadModule.ts).
    env: { ATLAS_THREADS_FROM_DIST: '1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // vitest's default in run mode is one worker less than the cores: ONE worker on a 2-core CI
    // machine. Most files here wait on child processes, local servers and SQLite as much as they
    // compute, so every core gets a worker (at least two).
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default'],
    // Longest files first, by committed durations (a fresh clone has no vitest results cache).
    sequence: { sequencer: DurationSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, exclude: [...EXCLUDE, ...NOT_UNIT], pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: { name: 'integration', include: [...OTHER, ...NOT_UNIT], exclude: EXCLUDE, pool: 'forks', isolate: false },
      },
    ],
  },
});
