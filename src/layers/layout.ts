// Moving sequences between the caller's layout and the time-major [T, B, F] the kernels use.
// Batch-first callers give [B, T, F]; everything else is already time-major. The re-ordering is
// one copy into wasm memory and a row permutation there (swap_leading): no per-row views in JS.

import type { Module } from './module.js';

/** @internal The caller's array → time-major [T, B, F] at `dst` in wasm memory. */
export function toTimeMajor(owner: Module, dst: number, src: ArrayLike<number>, T: number, B: number, F: number, batchFirst: boolean): void {
  const n = T * B * F;
  if (!batchFirst || T === 1 || B === 1) {
    owner.cachedF32(1, dst, n).set(src); // a cached view: a streaming step of features allocates nothing
    return;
  }
  const stage = owner.staging(n * 4);
  owner.rt.arena.f32(stage, n).set(src);
  owner.rt.kernels.swap_leading(dst, stage, B, T, F);
}

/** @internal Time-major [T, B, F] at `src` in wasm memory → `dst` in the caller's layout. */
export function fromTimeMajor(owner: Module, dst: Float32Array, src: number, T: number, B: number, F: number, batchFirst: boolean): void {
  const n = T * B * F;
  if (!batchFirst || T === 1 || B === 1) {
    dst.set(owner.rt.arena.f32(src, n));
    return;
  }
  const stage = owner.staging(n * 4);
  owner.rt.kernels.swap_leading(stage, src, T, B, F);
  dst.set(owner.rt.arena.f32(stage, n));
}

/** @internal The caller's (batch-first) index of element i of a time-major [T, B, F] buffer: for messages. */
export function batchFirstIndex(i: number, T: number, B: number, F: number): number {
  const row = Math.floor(i / F), t = Math.floor(row / B), b = row % B;
  return (b * T + t) * F + (i % F);
}

// Time-major row i = (t, b) ← the caller's batch-major element (b, t). Made here, not inline in
// run(): a closure there would make V8 allocate a context on every call, streaming steps included.
/** @internal */
export function batchMajorOrder(T: number, B: number): (i: number) => number {
  return (i) => (i % B) * T + Math.floor(i / B);
}
