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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
