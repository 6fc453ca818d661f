// The MDN kernel (assembly/mdn.ts) on its own: its gradient against central finite differences
// of its own loss (M = 1, 3, 7, 13, 33; non-binary row weights; a scale), its value against a
// float64 reference written from the formulas, the clamps (σ floor, ρ bound) passing no gradient
// beyond them, finite results for extreme outputs, and rows of weight 0 never read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from '../../src/runtime/kernels.js';
import { MDN_BOUNDS, mdnLoss } from '../../src/sketch/index.js';
import { Gen } from '../support/gen.js';
import { parityError } from '../support/metric.js';
import { kernels } from '../support/wasm.js';

let k: Kernels, put: (a: ArrayLike<number>) => number, alloc: (n: number) => number, get: (p: number, n: number) => Float32Array, release: () => void;
beforeAll(async () => ({ k, put, alloc, get, release } = await kernels()));
afterAll(() => release());

interface Case { M: number; N: number; out: Float32Array; y: Float32Array; wOff: Float32Array; wPen: Float32Array; scale: number }

// The kernel on a case: the returned sum (scaled as the gradient is) and the gradient.
function run(c: Case, out = c.out): { value: number; grad: Float32Array } {
  const C = 6 * c.M + 3;
  const g = alloc(c.N * C);
  k.fill_f32(g, c.N * C, 12345); // the kernel overwrites, never accumulates
  const sum = k.mdn_nll(g, put(out), put(c.y), put(c.wOff), put(c.wPen), alloc(2 * (7 * c.M + 3)), c.N, c.M, c.scale);
  return { value: sum * c.scale, grad: get(g, c.N * C) };
}

// Random moderate outputs and stroke-5 targets (one end row); weights not just 0/1.
function randomCase(M: number, seed: number): Case {
  const gen = new Gen(seed), N = 4, C = 6 * M + 3;
  const out = new Float32Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < C; j++) {
      const block = j < 3 ? -1 : Math.floor((j - 3) / M);
      const r = gen.floats(1)[0];
      // π and pen logits ±2, μ ±1, σ raw in [−1.2, 0.8], ρ raw ±2
      out[i * C + j] = block === -1 || block === 0 ? 2 * r : block <= 2 ? r : block <= 4 ? r - 0.2 : 2 * r;
    }
  }
  const y = new Float32Array(N * 5);
  for (let i = 0; i < N; i++) {
    const [a, b] = gen.floats(2);
    y.set([a, b, 0, 0, 0], i * 5);
    y[i * 5 + (i === N - 1 ? 4 : gen.chance(0.7) ? 2 : 3)] = 1;
  }
  return { M, N, out, y, wOff: Float32Array.of(1, 0.3, 0, 0.7), wPen: Float32Array.of(1, 0.5, 1, 0), scale: 0.37 };
}

// float64 reference of the loss, from the formulas (README, assembly/mdn.ts)
function reference(c: Case): number {
  const { M, N, out, y } = c, C = 6 * M + 3;
  const lse = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); };
  let total = 0;
  for (let i = 0; i < N; i++) {
    const o = (j: number) => out[i * C + j], t = (j: number) => y[i * 5 + j];
    const pen = [o(0), o(1), o(2)], lp = lse(pen);
    if (c.wPen[i]) total += c.wPen[i] * pen.reduce((s, q, kk) => s + t(2 + kk) * (lp - q), 0);
    if (!c.wOff[i]) continue;
    const pis = Array.from({ length: M }, (_, j) => o(3 + j)), la = lse(pis);
    const terms = pis.map((a, j) => {
      const s1 = Math.max(o(3 + 3 * M + j), MDN_BOUNDS.logSigmaMin), s2 = Math.max(o(3 + 4 * M + j), MDN_BOUNDS.logSigmaMin);
      const rho = Math.min(Math.max(Math.tanh(o(3 + 5 * M + j)), -MDN_BOUNDS.rhoMax), MDN_BOUNDS.rhoMax);
      const z1 = (t(0) - o(3 + M + j)) / Math.exp(s1), z2 = (t(1) - o(3 + 2 * M + j)) / Math.exp(s2), q = 1 - rho * rho;
      return a - la - Math.log(2 * Math.PI) - s1 - s2 - 0.5 * Math.log(q) - (z1 * z1 + z2 * z2 - 2 * rho * z1 * z2) / (2 * q);
    });
    total -= c.wOff[i] * lse(terms);
  }
  return total * c.scale;
}

describe('MDN kernel', () => {
  for (const M of [1, 3, 7, 13, 33]) {
    it(`M = ${M}: the gradient is the loss's (central differences, DESIGN.md §5 metric ≤ 1e-4); the value is the float64 reference's`, () => {
      const c = randomCase(M, 100 + M);
      const { value, grad } = run(c);
      expect(Math.abs(value - reference(c)) / Math.abs(reference(c))).toBeLessThan(1e-12);
      const fd = new Float64Array(grad.length), x = c.out.slice();
      for (let i = 0; i < x.length; i++) {
        const v = c.out[i], h = 2 ** -12;
        x[i] = v + h; const up = x[i], fp = run(c, x).value;
        x[i] = v - h; const dn = x[i], fm = run(c, x).value;
        x[i] = v;
        fd[i] = (fp - fm) / (up - dn); // the float32 steps actually taken
      }
      const err = parityError(grad, fd);
      console.log(`M = ${M}: gradient vs central differences ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-4);
    });
  }

  it('clamps pass no gradient: σ raw below ln 1e-4, ρ raw beyond tanh⁻¹(1 − 1e-6); moving them further changes nothing', () => {
    const c = randomCase(3, 7), C = 21, M = 3;
    c.out[3 + 3 * M + 1] = -11; // σx raw of component 1, row 0: below the floor
    c.out[C + 3 + 4 * M + 2] = -9.3; // σy raw of component 2, row 1
    c.out[3 + 5 * M + 0] = 8; // ρ raw, row 0: tanh(8) = 1 − 2.3e-7 > 1 − 1e-6
    c.out[3 * C + 3 + 5 * M + 1] = -30;
    c.wOff.fill(1);
    const a = run(c);
    for (const i of [3 + 3 * M + 1, C + 3 + 4 * M + 2, 3 + 5 * M + 0, 3 * C + 3 + 5 * M + 1]) {
      expect(Math.abs(a.grad[i]), `element ${i}`).toBe(0);
      const moved = c.out.slice();
      moved[i] = c.out[i] < 0 ? c.out[i] - 5 : c.out[i] + 5;
      expect(run(c, moved).value).toBe(a.value);
    }
    // just inside the bounds the gradient flows (the targets on those components' means, so that
    // they carry the likelihood)
    c.out[3 + 3 * M + 1] = -9.2;
    c.out[2 * C + 3 + 5 * M + 0] = 7;
    c.y.set([c.out[3 + M + 1], c.out[3 + 2 * M + 1] + 0.01], 0);
    const sx = Math.exp(c.out[2 * C + 3 + 3 * M]), sy = Math.exp(c.out[2 * C + 3 + 4 * M]); // ρ ≈ 1: along (σx, σy)
    c.y.set([c.out[2 * C + 3 + M] + 0.5 * sx, c.out[2 * C + 3 + 2 * M] + 0.5 * sy], 2 * 5);
    const b = run(c);
    expect(Math.abs(b.grad[3 + 3 * M + 1])).toBeGreaterThan(1e-3);
    expect(Math.abs(b.grad[2 * C + 3 + 5 * M + 0])).toBeGreaterThan(1e-6);
  });

  it('stays finite for extreme outputs: logits ±1e30, means 1e30 away, σ raw ±1e30, ρ raw ±1e30 (the loss); large but sane ones (the gradient too)', () => {
    const M = 2, C = 15;
    const extreme = Float32Array.of(1e30, -1e30, 0, 3e38, -3e38, 1e30, -1e30, -1e30, 1e30, 1e30, -1e30, -1e30, 1e30, 1e30, -1e30);
    const c: Case = { M, N: 1, out: extreme, y: Float32Array.of(-1e30, 1e30, 0, 1, 0), wOff: Float32Array.of(1), wPen: Float32Array.of(1), scale: 1 };
    const a = run(c);
    expect(Number.isFinite(a.value)).toBe(true);
    const sane = Float32Array.of(1e4, -1e4, 0, 1e4, -1e4, 500, -500, 200, -200, 50, -50, -50, 50, 1e4, -1e4);
    const b = run({ ...c, out: sane, y: Float32Array.of(-500, 500, 0, 1, 0) });
    expect(Number.isFinite(b.value)).toBe(true);
    expect(b.grad.every(Number.isFinite)).toBe(true);
    // mdnLoss agrees with itself across a tiny σ and ρ → ±1 at once
    const r = mdnLoss(Float32Array.of(0, 0, 0, 0, 0.001, -0.002, -20, -20, 30), Float32Array.of(0.001, -0.002, 1, 0, 0), { components: 1, shape: [1, 1] });
    expect(Number.isFinite(r.loss) && r.grad.every(Number.isFinite)).toBe(true);
  });

  it('a row of weight 0 is not read for that term: NaN targets and outputs there give a finite loss and a zero gradient', () => {
    const c = randomCase(3, 11), C = 21;
    const clean = run(c);
    const dirty = { ...c, y: c.y.slice(), out: c.out.slice() };
    dirty.y[2 * 5] = NaN; // row 2: wOff 0 → its offsets are never read
    dirty.y[3 * 5 + 1] = NaN; // row 3: wOff 0.7, its offset term reads it…
    dirty.wOff = Float32Array.of(1, 0.3, 0, 0); // …so it is weighted 0 here
    dirty.wPen = Float32Array.of(1, 0.5, 1, 0);
    for (let j = 3; j < C; j++) dirty.out[3 * C + j] = NaN; // row 3's mixture outputs
    dirty.out[3 * C] = NaN; // and its pen logits (wPen 0)
    const r = run(dirty);
    expect(Number.isFinite(r.value)).toBe(true);
    expect(r.grad.subarray(3 * C).every((g) => g === 0)).toBe(true);
    expect(Array.from(r.grad.subarray(0, 2 * C))).toEqual(Array.from(clean.grad.subarray(0, 2 * C)));
  });
});
