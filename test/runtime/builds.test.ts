// The two builds: rnn.wasm (fixed-width SIMD) and rnn-relaxed.wasm (fused multiply-add through
// relaxed SIMD), chosen at init() by feature detection. `npm test` runs the whole suite on both.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Lib = typeof import('../../src/index.js');
let lib: Lib;
beforeEach(async () => {
  vi.resetModules();
  lib = await import('../../src/index.js');
});

const relaxedRun = process.env.RNN_WASM_SIMD === 'relaxed';

describe('build selection', () => {
  it(`this run uses the ${relaxedRun ? 'relaxed' : 'plain'} build by default`, async () => {
    expect(lib.hasRelaxedSimd()).toBe(relaxedRun);
    await lib.init();
    expect(lib.runtimeInfo().simd).toBe(relaxedRun ? 'relaxed' : 'plain');
    expect(lib.runtimeInfo().source).toMatch(relaxedRun ? /rnn-relaxed\.wasm$/ : /\/rnn\.wasm$/);
  });

  it("init({ simd: 'plain' }) always loads the plain build", async () => {
    await lib.init({ simd: 'plain' });
    expect(lib.runtimeInfo().simd).toBe('plain');
  });

  it.skipIf(relaxedRun)("init({ simd: 'relaxed' }) without engine support says what to do", async () => {
    await expect(lib.init({ simd: 'relaxed' })).rejects.toThrow(/does not support relaxed SIMD \(Node 20 needs --experimental-wasm-relaxed-simd/);
  });

  it('the binaries differ only where the relaxed build fuses multiply-adds', () => {
    const plain = readFileSync(new URL('../../build/rnn.wat', import.meta.url), 'utf8');
    const relaxed = readFileSync(new URL('../../build/rnn-relaxed.wat', import.meta.url), 'utf8');
    expect(plain).not.toMatch(/relaxed_madd/);
    expect((relaxed.match(/f32x4\.relaxed_madd/g) ?? []).length).toBeGreaterThan(50);
  });
});
