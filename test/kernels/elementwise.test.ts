// Kernels that move or fill memory: the wasm uniform fill must draw exactly the JS generator's
// numbers (so a seed means the same weights wherever they are drawn), and the axis swap must
// place every row where a plain loop puts it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { kernels, randoms } from '../support/wasm.js';

let W: Awaited<ReturnType<typeof kernels>>;
beforeAll(async () => { W = await kernels(); });
afterAll(() => W.release());

describe('uniform_fill', () => {
  it.each([
    [1, 1, -1, 1],
    [7, 0, -0.25, 0.25],
    [1000, 0xffffffff, -0.0883883476, 0.0883883476],
    [4097, 123456789, 2, 3],
  ])('n = %i, seed %i, U(%d, %d): the bits of Rng.next() and the same final state', (n, seed, lo, hi) => {
    const ref = new Rng(seed);
    const want = new Float32Array(n);
    for (let i = 0; i < n; i++) want[i] = lo + (hi - lo) * ref.next();
    const p = W.alloc(n + 1);
    W.k.fill_f32(p, n + 1, 42);
    const state = W.k.uniform_fill(p, n, lo, hi, seed) >>> 0;
    const got = W.get(p, n + 1);
    expect(Array.from(got.subarray(0, n))).toEqual(Array.from(want));
    expect(got[n]).toBe(42); // nothing written past n
    expect(state).toBe(ref.state);
    for (const v of got.subarray(0, n)) expect(v >= Math.fround(lo) && v <= Math.fround(hi)).toBe(true);
  });
});

describe('swap_leading', () => {
  it.each([[1, 1, 1], [3, 5, 1], [32, 64, 65], [5, 3, 7], [2, 9, 130]])('[%i, %i, %i] → [B, A, F]', (A, B, F) => {
    const src = randoms(A * B * F, A * 31 + B * 7 + F);
    const s = W.put(src), d = W.alloc(A * B * F + 1);
    W.k.fill_f32(d, A * B * F + 1, 42);
    W.k.swap_leading(d, s, A, B, F);
    const got = W.get(d, A * B * F + 1);
    const want = new Float32Array(A * B * F);
    for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) want[(b * A + a) * F + f] = src[(a * B + b) * F + f];
    expect(Array.from(got.subarray(0, A * B * F))).toEqual(Array.from(want));
    expect(got[A * B * F]).toBe(42);
  });
});
