// The wasm tanh / sigmoid / exp against float64 Math, over a sweep of float32 bit patterns
// (every 997th, both signs: ~4.3 million inputs spread over the whole range) and at the
// special values. The exhaustive sweep is `npx tsx tools/activation-accuracy.ts`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACT } from '../../src/runtime/kernels.js';
import { measure } from '../../tools/activation-accuracy.js';
import { kernels } from '../support/wasm.js';

let W: Awaited<ReturnType<typeof kernels>>;
beforeAll(async () => { W = await kernels(); });
afterAll(() => W.release());

function apply(kind: keyof typeof ACT, xs: number[]): Float32Array {
  const src = W.put(xs), dst = W.alloc(xs.length);
  W.k.activate(dst, src, xs.length, ACT[kind]);
  return W.get(dst, xs.length);
}

describe('activations', () => {
  it('tanh and sigmoid stay within 1e-6 absolute (measured ≈ 9e-8) over the float32 range', async () => {
    const r = await measure(997);
    expect(r.count).toBeGreaterThan(4_000_000);
    expect(r.tanh.err).toBeLessThan(2e-7);
    expect(r.sigmoid.err).toBeLessThan(2e-7);
  });

  it('keeps small arguments accurate in relative terms', () => {
    const xs = [1e-30, 1e-10, 1e-5, 1e-3, 0.1, 0.5, 0.62];
    const out = apply('tanh', [...xs, ...xs.map((x) => -x)]);
    xs.forEach((x, i) => {
      expect(Math.abs(out[i] - Math.tanh(x)) / Math.tanh(x)).toBeLessThan(3e-7);
      expect(out[i + xs.length]).toBe(-out[i]);
    });
  });

  it('saturates correctly at ±88 and beyond, keeps ±0, and propagates NaN', () => {
    const xs = [88, -88, 88.8, -88.8, 100, -100, 1e30, -1e30, Infinity, -Infinity, 0, -0, NaN];
    const t = apply('tanh', xs);
    expect(Array.from(t.slice(0, 10))).toEqual([1, -1, 1, -1, 1, -1, 1, -1, 1, -1]);
    expect(Object.is(t[10], 0) && Object.is(t[11], -0)).toBe(true);
    expect(t[12]).toBeNaN();
    const s = apply('sigmoid', xs);
    expect(Array.from(s.slice(0, 10)).map((v) => Math.abs(v - Math.round(v)) < 1e-37 ? Math.round(v) : v))
      .toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(s[10]).toBe(0.5);
    expect(s[12]).toBeNaN();
  });

  it('exp is accurate to a few ulp, overflows to +Infinity and underflows to 0', () => {
    const xs: number[] = [];
    for (let x = -86; x <= 88; x += 0.37) xs.push(Math.fround(x));
    const e = apply('exp', xs);
    xs.forEach((x, i) => expect(Math.abs(e[i] - Math.exp(x)) / Math.exp(x)).toBeLessThan(5e-7));
    const edge = apply('exp', [89, 1000, Infinity, -88, -1000, -Infinity, NaN]);
    expect(Array.from(edge.slice(0, 6))).toEqual([Infinity, Infinity, Infinity, 0, 0, 0]);
    expect(edge[6]).toBeNaN();
  });

  it('relu keeps NaN and clamps negatives', () => {
    const r = apply('relu', [-1, 0, 2.5, NaN, -Infinity]);
    expect(Array.from(r.slice(0, 3))).toEqual([0, 0, 2.5]);
    expect(r[3]).toBeNaN();
    expect(r[4]).toBe(0);
  });

  it('the scalar tail gives the same results as the vector body', () => {
    const xs = Array.from({ length: 11 }, (_, i) => (i - 5) * 0.77);
    const all = apply('tanh', xs);
    for (let i = 0; i < xs.length; i++) expect(apply('tanh', [xs[i]])[0]).toBe(all[i]);
  });
});
