// The builds: rnn.wasm (fixed-width SIMD) and rnn-relaxed.wasm (fused multiply-add through
// relaxed SIMD), chosen at init() by feature detection, and their threaded twins rnn-threads.wasm
// and rnn-threads-relaxed.wasm (shared memory, atomics), which Node loads. `npm test` runs the
// whole suite on both SIMD kinds.
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
    expect(lib.runtimeInfo().build).toBe('threads');
    expect(lib.runtimeInfo().source).toMatch(relaxedRun ? /\/rnn-threads-relaxed\.wasm$/ : /\/rnn-threads\.wasm$/);
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

  it('only the threaded builds import a shared memory and hold atomics, and they have no data segment to re-apply per worker', () => {
    for (const [file, threaded] of [['rnn', false], ['rnn-relaxed', false], ['rnn-threads', true], ['rnn-threads-relaxed', true]] as const) {
      const wat = readFileSync(new URL(`../../build/${file}.wat`, import.meta.url), 'utf8');
      expect(/\(import "env" "memory" \(memory \$0 \d+ 65536 shared\)\)/.test(wat), file).toBe(threaded);
      expect(/memory\.atomic\.wait32/.test(wat), file).toBe(threaded);
      // a worker's instantiation would write every active data segment again, over live memory
      expect(/\(data /.test(wat), file).toBe(false);
    }
  });
});
