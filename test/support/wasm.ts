// Put arrays into wasm memory and call kernels directly, for kernel-level tests.
import { init } from '../../src/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import type { Kernels } from '../../src/runtime/kernels.js';

export async function kernels(): Promise<{ k: Kernels; put: (a: ArrayLike<number>) => number; alloc: (n: number) => number; get: (ptr: number, n: number) => Float32Array; release: () => void }> {
  await init();
  const { kernels: k, arena } = getRuntime();
  const blocks: number[] = [];
  const alloc = (n: number) => {
    const p = arena.alloc(Math.max(1, n) * 4, 'test');
    blocks.push(p);
    return p;
  };
  const put = (a: ArrayLike<number>) => {
    const p = alloc(a.length);
    arena.f32(p, a.length).set(a);
    return p;
  };
  const get = (ptr: number, n: number) => arena.f32(ptr, n).slice();
  const release = () => { while (blocks.length) arena.free(blocks.pop()!); };
  return { k, put, alloc, get, release };
}

/** Deterministic uniform(-1, 1) values. */
export function randoms(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}
