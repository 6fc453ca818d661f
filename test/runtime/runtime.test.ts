// Loading (init and its sources, errors, retries) and the memory arena (growth, views,
// dispose and reuse, isolation between layers).
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const wasmUrl = new URL('../../build/rnn.wasm', import.meta.url);
type Lib = typeof import('../../src/index.js');

// A fresh copy of the library (module state included) for each test.
let lib: Lib;
beforeEach(async () => {
  vi.resetModules();
  lib = await import('../../src/index.js');
});

describe('init', () => {
  it('using a layer before init() names the fix', () => {
    expect(lib.isInitialized()).toBe(false);
    expect(() => new lib.LSTM({ inputSize: 1, hiddenSize: 1 })).toThrow(lib.NotInitializedError);
    expect(() => new lib.LSTM({ inputSize: 1, hiddenSize: 1 })).toThrow(/call `await init\(\)`/);
  });

  it('finds rnn.wasm by itself in Node, and a second call is harmless', async () => {
    await lib.init();
    await lib.init();
    await Promise.all([lib.init(), lib.init()]);
    expect(lib.isInitialized()).toBe(true);
    expect(new lib.GRU({ inputSize: 2, hiddenSize: 3 }).parameterCount).toBe(2 * (9 * 2 + 9 * 3 + 18) / 2);
  });

  it('takes a WebAssembly.Module (the Cloudflare Workers way)', async () => {
    const module = await WebAssembly.compile(readFileSync(wasmUrl));
    await lib.init({ wasm: module });
    expect(new lib.RNN({ inputSize: 1, hiddenSize: 2 }).forward([1, 2], { shape: [2, 1] }).output).toHaveLength(4);
  });

  it('takes bytes, a URL string, a URL and a Response', async () => {
    await lib.init({ wasm: readFileSync(wasmUrl) });
    for (const wasm of [wasmUrl.href, wasmUrl, new Response(readFileSync(wasmUrl))]) {
      vi.resetModules();
      const fresh: Lib = await import('../../src/index.js');
      await fresh.init({ wasm });
      expect(fresh.isInitialized()).toBe(true);
    }
  });

  it('fails clearly on bytes that are not wasm (an HTML page), then retries successfully', async () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html>not found</html>');
    await expect(lib.init({ wasm: html })).rejects.toThrow(lib.WasmLoadError);
    await expect(lib.init({ wasm: html })).rejects.toThrow(/expected magic 00 61 73 6d, found "3c 21 44 4f" \(it looks like HTML/);
    expect(lib.isInitialized()).toBe(false);
    await lib.init(); // not sticky: the next attempt loads
    expect(lib.isInitialized()).toBe(true);
  });

  it('names the location it tried when a file is missing', async () => {
    await expect(lib.init({ wasm: '/nonexistent/dir/rnn.wasm' })).rejects.toThrow(/file:\/\/\/nonexistent\/dir\/rnn\.wasm/);
  });

  it('rejects a module that is not ours, and an unsupported source', async () => {
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await expect(lib.init({ wasm: empty })).rejects.toThrow(/is not rnn-wasm.s \(no export "/);
    await expect(lib.init({ wasm: 42 as never })).rejects.toThrow(/expected a WebAssembly\.Module, bytes .* got number/);
  });
});

describe('memory arena', () => {
  it('parameter views stay valid after memory grows (never a detached buffer)', async () => {
    await lib.init();
    const lstm = new lib.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const params = lstm.namedParameters();
    const before = params.map((p) => p.data.slice());
    // a forward this large forces memory.grow
    const T = 512, B = 64;
    const big = new lib.LSTM({ inputSize: 64, hiddenSize: 256, seed: 2 });
    big.forward(new Float32Array(T * B * 64), { shape: [T, B, 64] });
    params.forEach((p, i) => {
      expect(p.data.length).toBe(before[i].length);
      expect(Array.from(p.data)).toEqual(Array.from(before[i]));
    });
    big.dispose();
  });

  it('dispose() returns memory: 20 layers created and disposed do not grow memory', async () => {
    await lib.init();
    const { getRuntime } = await import('../../src/runtime/loader.js');
    const { arena } = getRuntime();
    const run = () => {
      const l = new lib.GRU({ inputSize: 16, hiddenSize: 64, numLayers: 2, bidirectional: true });
      const { output } = l.forward(new Float32Array(32 * 8 * 16), { shape: [32, 8, 16] });
      l.backward(output);
      l.dispose();
    };
    run();
    const bytes = arena.memoryBytes, used = arena.allocatedBytes;
    for (let i = 0; i < 20; i++) run();
    expect(arena.memoryBytes).toBe(bytes);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(used); // may shrink: the finalizer frees abandoned layers
  });

  it('two layers never share buffers', async () => {
    await lib.init();
    const a = new lib.LSTM({ inputSize: 2, hiddenSize: 3, seed: 5 });
    const b = new lib.LSTM({ inputSize: 2, hiddenSize: 3, seed: 5 });
    const x = new Float32Array([1, -1, 0.5, 2]);
    const ya = a.forward(x, { shape: [2, 1, 2] });
    expect(b.forward(x, { shape: [2, 1, 2] }).output).toEqual(ya.output);
    b.namedParameters()[0].data.fill(0.3);
    a.backward(ya.output);
    expect(a.forward(x, { shape: [2, 1, 2] }).output).toEqual(ya.output);
    expect(b.forward(x, { shape: [2, 1, 2] }).output).not.toEqual(ya.output);
    expect(b.namedParameters().every((p) => p.grad.every((g) => g === 0))).toBe(true);
  });

  it('the same seed gives the same weights; no seed gives different ones', async () => {
    await lib.init();
    const w = (seed?: number) => new lib.GRU({ inputSize: 3, hiddenSize: 4, seed }).stateDict().weight_ih_l0;
    expect(w(123)).toEqual(w(123));
    expect(w(123)).not.toEqual(w(124));
    expect(w()).not.toEqual(w());
    const k = 1 / Math.sqrt(4);
    expect(w(7).every((v) => v >= -k && v < k)).toBe(true);
  });
});
