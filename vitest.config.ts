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
    reporters: ['default'],
  },
});
