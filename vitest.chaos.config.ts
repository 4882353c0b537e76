import { defineConfig } from 'vitest/config';

/**
 * `npm run chaos`: the crash and concurrency suite (test/chaos/), slow because every trial runs the
 * real CLI several times. `npm test` leaves test/chaos/ out (see vitest.config.ts) and runs a small
 * sample instead (test/rebalance/chaosSample.test.ts: one kill point and the 404-on-a-poll
 * regression); every scenario runs here, on both brokers. Needs dist/ (npm run build).
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/chaos/globalSetup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Files one at a time: each already runs several CLI processes at once.
    fileParallelism: false,
    reporters: ['default'],
  },
});
