import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only fight over them (PGlite start-up is CPU-bound WASM).
    maxWorkers: 2,
    // A worker imports Rhizome's modules once for all the files it runs, not once per file: that
    // import was about a third of the suite's time. Safe because every file opens databases of its
    // own, and module state is caches keyed by a database handle or by ids that are never reused.
    isolate: false,
  },
});
