import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { DurationSequencer } from './test/support/sequencer.js';
import { DIST_EXTERNAL, srcToDist } from './test/support/srcToDist.js';

/**
 * One pool of forked workers for every file, without a fresh module graph per file
 * (isolate: false), so each worker imports src/ (and the whole CLI) once instead of once per
 * file. Forks, not threads: files run the CLI in-process, which changes the working directory.
 * Every in-process CLI run restores the environment and working directory and forgets its
 * registered secrets (test/support/cliInProcess.ts), so files sharing a worker do not see each
 * other's state. (Two projects, threads for units and forks for the rest, imported everything
 * in four workers instead of two and ran 5 s longer on two cores.)
 */
// The crash and concurrency suite is `npm run chaos` (vitest.chaos.config.ts); a small sample of
// it runs here (test/rebalance/chaosSample.test.ts).
const EXCLUDE = [...configDefaults.exclude, 'test/chaos/**'];

export default defineConfig({
  // Tests import src/; a run loads its compiled twin in dist/ (fresh: globalSetup) natively.
  plugins: [srcToDist(import.meta.dirname)],
  test: {
    server: { deps: { external: [DIST_EXTERNAL] } },
    include: ['test/**/*.test.ts'],
    exclude: EXCLUDE,
    pool: 'forks',
    isolate: false,
    setupFiles: ['test/support/fastCheckSetup.ts'],
    // Once per run: rebuilds a stale dist/ (the real-binary tests run it) and builds the demo store.
    globalSetup: ['test/support/globalSetup.ts'],
    // Worker threads (sweeps, CSV parsing) load dist/, which globalSetup has just rebuilt from these
    // sources, instead of compiling src/ again in every thread (src/core/threadModule.ts).
    env: { ATLAS_THREADS_FROM_DIST: '1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One worker more than the cores: files wait on child processes, local servers, fsync and
    // timers as much as they compute, and a third worker fills those gaps (2 cores: 71.7 s with
    // two workers, 66.1 s with three, 64.9 s with four, same machine, same minute).
    maxWorkers: availableParallelism() + 1,
    reporters: ['default'],
    // Longest files first, by committed durations (a fresh clone has no vitest results cache).
    sequence: { sequencer: DurationSequencer },
  },
});
