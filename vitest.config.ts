import { defineConfig } from 'vitest/config';

// `RNN_WASM_SIMD=relaxed vitest run` runs the whole suite on the relaxed-SIMD build: Node 20
// only validates relaxed SIMD behind a V8 flag, which the test workers then get.
const relaxed = process.env.RNN_WASM_SIMD === 'relaxed';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `npm pack` of dist/ unpacked into build/consumer: what the package, browser and edge tests import
    globalSetup: ['test/support/global-setup.ts'],
    // a limit for hangs, not a speed target: tests do fixed work, and a loaded 2-core runner can be
    // many times slower than an idle one (a 60 s limit was once missed by a learning test)
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // wasm kernels are CPU-bound; two cores here
    pool: 'forks',
    maxWorkers: 2,
    execArgv: relaxed ? ['--experimental-wasm-relaxed-simd'] : [],
  },
});
