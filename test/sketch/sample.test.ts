// Drawing with a pen model: seeded sampling, Sketch-RNN's temperature (checked on the statistics
// of 20,000 draws), greedy = the means of the most likely component, prefix continuation = the
// prefix through the model then stepping, streaming = a teacher-forced forward, stopping at the
// end state or maxLength, Sequential and class-conditioned Seq2Seq, and no allocation per step.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Linear, LSTM, Sequential, StateError } from '../../src/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { MDN_BOUNDS, mdnOutputSize, sampleSketch, SketchStream, type PenModel } from '../../src/sketch/index.js';

beforeAll(() => init());

const M = 3;
const sequential = (seed = 1) => new Sequential([
  new LSTM({ inputSize: 5, hiddenSize: 12, batchFirst: true, seed }),
  new Linear({ inFeatures: 12, outFeatures: mdnOutputSize(M), seed: seed + 1 }),
]);
const seq2seq = () => new Seq2Seq({
  conditionSize: 3,
  decoder: new LSTM({ inputSize: 5 + 3, hiddenSize: 12, batchFirst: true, seed: 5 }),
  head: new Linear({ inFeatures: 12, outFeatures: mdnOutputSize(M), seed: 6 }),
}, { stepInput: true, seed: 7 });
const head = (m: PenModel) => (m instanceof Seq2Seq ? m.head : (m.layers[1] as Linear));
const param = (m: PenModel, name: 'weight' | 'bias') => head(m).namedParameters().find((p) => p.name === name)!.data;
/** The pen-end logit's bias: very negative, the model never ends a drawing; very positive, at once. */
const endBias = <T extends PenModel>(m: T, v: number): T => { param(m, 'bias')[2] = v; return m; };
const argmax = (a: ArrayLike<number>, from: number, n: number) => {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[from + i] > a[from + best]) best = i;
  return best;
};

// stroke-5 rows → the teacher-forced input: S₀ then the rows
const teacherForced = (rows: number[][]) => Float32Array.from([[0, 0, 1, 0, 0], ...rows].flat());

describe('sampleSketch and SketchStream', () => {
  it('are reproducible from the seed; another seed draws another sketch', () => {
    const m = endBias(sequential(), -3);
    const a = sampleSketch(m, { seed: 3, maxLength: 60 });
    expect(a.shape[0]).toBeGreaterThan(5);
    expect(sampleSketch(m, { seed: 3, maxLength: 60 })).toEqual(a);
    expect(sampleSketch(m, { seed: 4, maxLength: 60 }).strokes).not.toEqual(a.strokes);
    // the stream with the same seed draws the same points
    const s = new SketchStream(m.eval(), { seed: 3 });
    const rows: number[] = [];
    while (!s.ended && s.steps < 60) rows.push(...s.next());
    expect(Float32Array.from(rows)).toEqual(a.strokes);
    s.dispose();
    m.dispose();
  });

  it('temperature 0 writes the means of the most likely component with the most likely pen state; as τ → 0 sampling tends to it', () => {
    const m = endBias(sequential(2), -2).eval();
    const s = new SketchStream(m, { temperature: 0 });
    let checked = 0;
    while (!s.ended && s.steps < 40) {
      const out = s.output.slice();
      const p = s.next();
      const j = argmax(out, 3, M), pen = argmax(out, 0, 3);
      expect(Array.from(p.subarray(2))).toEqual([0, 1, 2].map((k) => (k === pen ? 1 : 0)));
      if (pen !== 2) { expect([p[0], p[1]]).toEqual([out[3 + M + j], out[3 + 2 * M + j]]); checked++; }
    }
    expect(checked).toBeGreaterThan(5);
    s.dispose();
    const greedy = sampleSketch(m, { temperature: 0, maxLength: 40 });
    const cold = sampleSketch(m, { temperature: 1e-10, maxLength: 40, seed: 8 });
    expect(cold.shape).toEqual(greedy.shape);
    for (let i = 0; i < greedy.strokes.length; i++) expect(Math.abs(cold.strokes[i] - greedy.strokes[i]), `element ${i}`).toBeLessThan(1e-3);
    m.dispose();
  });

  it("applies Sketch-RNN's temperature: π and pen logits divided by τ, σ² multiplied by τ, ρ kept (20,000 draws, within 4 standard errors)", () => {
    // a head with zero weights outputs its bias at every step: a fixed mixture of 2 components
    // far apart (x ≈ −10 or +10), so each draw shows its component
    const m = sequential(3).eval();
    param(m, 'weight').fill(0);
    const pi = [0.6, -0.4], pen = [0.8, 0, -1e3], sx = [-1, -0.5], sy = [-0.7, -1.2], rr = [0.9, -0.4];
    // (M = 3: the third component's π logit −1000 leaves it out)
    param(m, 'bias').set([...pen, pi[0], pi[1], -1e3, -10, 10, 0, 1, -1, 0, sx[0], sx[1], 0, sy[0], sy[1], 0, rr[0], rr[1], 0]);
    const n = 20_000;
    for (const tau of [1, 0.5]) {
      const { strokes } = sampleSketch(m, { temperature: tau, seed: 11, maxLength: n });
      expect(strokes.length).toBe(5 * n);
      const softmax = (l: number[]) => { const e = l.map((v) => Math.exp(v / tau)); const s = e.reduce((a, c) => a + c); return e.map((v) => v / s); };
      const pPi = softmax(pi), pPen = softmax(pen);
      const rows = Array.from({ length: n }, (_, i) => strokes.subarray(5 * i, 5 * i + 5));
      const first = rows.filter((r) => r[0] < 0).length / n, down = rows.filter((r) => r[2] === 1).length / n;
      const se = (p: number) => Math.sqrt(p * (1 - p) / n);
      expect(Math.abs(first - pPi[0]), `τ ${tau}: P(component 0)`).toBeLessThan(4 * se(pPi[0]));
      expect(Math.abs(down - pPen[0]), `τ ${tau}: P(pen down)`).toBeLessThan(4 * se(pPen[0]));
      for (let j = 0; j < 2; j++) {
        const pts = rows.filter((r) => (r[0] < 0) === (j === 0));
        const mx = j === 0 ? -10 : 10, my = j === 0 ? 1 : -1;
        const k = pts.length;
        const vx = pts.reduce((a, r) => a + (r[0] - mx) ** 2, 0) / k, vy = pts.reduce((a, r) => a + (r[1] - my) ** 2, 0) / k;
        const cxy = pts.reduce((a, r) => a + (r[0] - mx) * (r[1] - my), 0) / k;
        const wantVx = Math.exp(2 * sx[j]) * tau, wantVy = Math.exp(2 * sy[j]) * tau, rho = Math.tanh(rr[j]);
        // the relative standard error of a variance from k normal draws is √(2/k)
        expect(Math.abs(vx / wantVx - 1), `τ ${tau}: σx² of component ${j}`).toBeLessThan(4 * Math.sqrt(2 / k));
        expect(Math.abs(vy / wantVy - 1), `τ ${tau}: σy² of component ${j}`).toBeLessThan(4 * Math.sqrt(2 / k));
        expect(Math.abs(cxy / Math.sqrt(vx * vy) - rho), `τ ${tau}: ρ of component ${j}`).toBeLessThan(4 * (1 - rho * rho) / Math.sqrt(k));
      }
    }
    m.dispose();
  });

  it('a prefix runs through the model first, its states carried, then the model writes: = feed() of each point, then next()', () => {
    const m = endBias(sequential(4), -3);
    const prefix = [[1, 0.5, 1, 0, 0], [0.2, -1, 1, 0, 0], [-0.3, 0.1, 0, 1, 0]];
    const r = sampleSketch(m, { prefix: prefix.flat(), seed: 21, maxLength: 30, temperature: 0.6 });
    m.eval();
    const s = new SketchStream(m, { seed: 21, temperature: 0.6 });
    for (const p of prefix) s.feed(p);
    // after the prefix the model predicts what a teacher-forced forward over S₀ + prefix gives last
    const O = mdnOutputSize(M), out = m.predict({ x: teacherForced(prefix), xShape: [1, 4, 5] });
    const last = out.subarray(3 * O);
    for (let i = 0; i < O; i++) expect(Math.abs(s.output[i] - last[i]), `output ${i}`).toBeLessThan(1e-5);
    const rows: number[] = [];
    while (!s.ended && rows.length < 30 * 5) rows.push(...s.next());
    expect(Float32Array.from(rows)).toEqual(r.strokes);
    expect(s.steps).toBe(3 + r.shape[0]);
    s.dispose();
    m.dispose();
  });

  for (const kind of ['Sequential', 'Seq2Seq'] as const) {
    it(`${kind}: streaming = a teacher-forced forward over the drawn points (every step's output within 1e-5)`, () => {
      const m = endBias(kind === 'Seq2Seq' ? seq2seq() : sequential(5), -4).eval();
      const condition = kind === 'Seq2Seq' ? { condition: [0, 0, 1] } : {};
      const s = new SketchStream(m, { seed: 2, temperature: 0.8, ...condition });
      const outputs: Float32Array[] = [], points: number[][] = [];
      for (let i = 0; i < 25 && !s.ended; i++) { outputs.push(s.output.slice()); points.push(Array.from(s.next())); }
      expect(points.length).toBeGreaterThan(10);
      const T = outputs.length, O = mdnOutputSize(M), x = teacherForced(points.slice(0, T - 1)), xShape = [1, T, 5];
      const all = m instanceof Seq2Seq ? m.predict({ x, xShape, condition: [0, 0, 1], conditionShape: [1, 3] }) : m.predict({ x, xShape });
      let worst = 0;
      outputs.forEach((o, t) => o.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - all[t * O + i])); }));
      expect(worst).toBeLessThan(1e-5);
      s.dispose();
      m.dispose();
    });
  }

  it('a Seq2Seq draws for its condition: another class, another sketch (same seed); the condition is required', () => {
    const m = endBias(seq2seq(), -3);
    const a = sampleSketch(m, { condition: [1, 0, 0], seed: 1, maxLength: 20 });
    const b = sampleSketch(m, { condition: [0, 1, 0], conditionShape: [1, 3], seed: 1, maxLength: 20 });
    expect(a.strokes).not.toEqual(b.strokes);
    expect(sampleSketch(m, { condition: [1, 0, 0], seed: 1, maxLength: 20 })).toEqual(a);
    expect(() => sampleSketch(m, { seed: 1 })).toThrow(/condition/);
    m.dispose();
  });

  it('stops at the end state (written as (0, 0, 0, 0, 1)) or after maxLength points; an ended stream refuses more', () => {
    const m = endBias(sequential(6), 50);
    const r = sampleSketch(m, { seed: 1, maxLength: 10 });
    expect(r).toEqual({ strokes: Float32Array.of(0, 0, 0, 0, 1), shape: [1, 5], ended: true });
    const s = new SketchStream(m.eval(), { seed: 1 });
    expect(Array.from(s.next())).toEqual([0, 0, 0, 0, 1]);
    expect(s.ended).toBe(true);
    expect(() => s.next()).toThrow(StateError);
    expect(() => s.feed([0, 0, 1, 0, 0])).toThrow(StateError);
    expect(s.steps).toBe(1);
    s.dispose();
    endBias(m, -50);
    const long = sampleSketch(m, { seed: 1, maxLength: 37 });
    expect(long.shape).toEqual([37, 5]);
    expect(long.ended).toBe(false);
    for (let i = 0; i < 37; i++) expect(long.strokes[5 * i + 4]).toBe(0);
    // feeding the end state ends a drawing too
    const f = new SketchStream(m, { seed: 1 });
    f.feed([1, 1, 1, 0, 0]);
    f.feed([0, 0, 0, 0, 1]);
    expect(f.ended).toBe(true);
    f.dispose();
    m.dispose();
  });

  it('restores the model\'s mode; σ and ρ are bounded as in the loss (a σ raw of −50 draws the means ± 1e-4·√τ)', () => {
    const m = sequential(7).train();
    param(m, 'weight').fill(0);
    const b = param(m, 'bias');
    b.fill(0);
    b[2] = -1e3;
    for (let j = 0; j < M; j++) { b[3 + 3 * M + j] = -50; b[3 + 4 * M + j] = -50; b[3 + 5 * M + j] = 40; b[3 + M + j] = 2; b[3 + 2 * M + j] = -1; }
    const r = sampleSketch(m, { seed: 3, maxLength: 200 });
    expect(m.training).toBe(true);
    for (let i = 0; i < 200; i++) {
      expect(Math.abs(r.strokes[5 * i] - 2)).toBeLessThan(6 * MDN_BOUNDS.sigmaMin);
      expect(Math.abs(r.strokes[5 * i + 1] + 1)).toBeLessThan(6 * MDN_BOUNDS.sigmaMin);
    }
    expect(r.strokes.every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  it('allocates nothing in wasm per step (2,000 points); dispose() frees the stream', () => {
    const m = endBias(sequential(8), -1e3).eval();
    const s = new SketchStream(m, { seed: 1 });
    s.next();
    const { arena } = getRuntime();
    const mem = arena.memoryBytes, used = arena.allocatedBytes;
    for (let i = 0; i < 2000; i++) s.next();
    expect(arena.memoryBytes).toBe(mem);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(used);
    s.dispose();
    expect(arena.allocatedBytes).toBeLessThan(used);
    expect(() => s.next()).toThrow(/disposed/);
    m.dispose();
  });

  for (const kind of ['Sequential', 'Seq2Seq'] as const) {
    it(`${kind}: allocates nothing on the JS heap per step either: no garbage collection in 300,000 drawn points`, () => {
      const out = execFileSync(process.execPath, ['--trace-gc', '--expose-gc', '--import', 'tsx', 'test/support/sketch-stream-gc.ts', ...(kind === 'Seq2Seq' ? ['seq2seq'] : [])], {
        cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8',
      });
      const during = out.slice(out.indexOf('STEPS BEGIN'), out.indexOf('STEPS END'));
      expect(out).toMatch(/STEPS END true/);
      expect(during.match(/Scavenge|Mark-Compact|Mark-sweep/g) ?? [], during).toEqual([]);
    }, 600_000);
  }
});
