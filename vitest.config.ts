import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // wasm kernels are CPU-bound; two cores here
    pool: 'forks',
    maxWorkers: 2,
  },
});
