import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The crash and concurrency suite is `npm run chaos` (vitest.chaos.config.ts); a fast sample of
    // it runs here (test/rebalance/chaosSample.test.ts).
    exclude: [...configDefaults.exclude, 'test/chaos/**'],
    setupFiles: ['test/support/fastCheckSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default in run mode is one worker less than the cores: ONE worker on a 2-core CI
    // machine. Most files here wait on child processes, local servers and SQLite as much as they
    // compute, so every core gets a worker (at least two).
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default'],
  },
});
