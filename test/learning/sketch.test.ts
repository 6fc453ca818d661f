// Learning with the mixture density loss: a synthetic pen task — closed squares and triangles of
// random size (0.5 … 1.5), drawn pen-down with the pen lifted on the last side, ±0.01 noise. A
// class-conditioned Seq2Seq (one-hot class at every step) and an unconditioned Sequential learn
// it: the validation NLL falls from its untrained value to well below zero (densities sharper
// than unit Gaussians), and the trained models draw the shapes: the right number of sides, then
// the end state, closing on the start point — the Seq2Seq from its class alone, the Sequential
// completing a square from its first side (the user's stroke).
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Linear, LSTM, Sequential } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { mdnOutputSize, penDataset, sampleSketch, type PenModel } from '../../src/sketch/index.js';
import { Trainer, type SequenceDataset } from '../../src/train/index.js';

beforeAll(() => init());

const T = 6, M = 3;

// n drawings, class i % classes (0: square, 1: triangle), padded to T with the end state
function shapes(n: number, seed: number, classes: number): SequenceDataset {
  const rng = new Rng(seed), y = new Float32Array(n * T * 5), cond = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = i % classes, s = 0.5 + rng.next();
    const sides = c === 0 ? [[s, 0], [0, s], [-s, 0], [0, -s]] : [[s, 0], [-s / 2, s * Math.sqrt(0.75)], [-s / 2, -s * Math.sqrt(0.75)]];
    cond[i * 2 + c] = 1;
    for (let t = 0; t < T; t++) {
      const last = t === sides.length - 1;
      const row = t < sides.length ? [sides[t][0] + 0.02 * (rng.next() - 0.5), sides[t][1] + 0.02 * (rng.next() - 0.5), last ? 0 : 1, last ? 1 : 0, 0] : [0, 0, 0, 0, 1];
      y.set(row, (i * T + t) * 5);
    }
  }
  return penDataset(y, { shape: [n, T, 5], ...(classes > 1 ? { condition: cond, conditionShape: [n, 2] } : {}) });
}

// the drawn rows of a sample (the end row left out) and how far the pen ends from its start
function drawn(model: PenModel, options: Parameters<typeof sampleSketch>[1]) {
  const r = sampleSketch(model, { maxLength: 10, ...options });
  const rows = Array.from({ length: r.shape[0] - (r.ended ? 1 : 0) }, (_, i) => Array.from(r.strokes.subarray(5 * i, 5 * i + 5)));
  const gap = Math.hypot(rows.reduce((a, p) => a + p[0], 0), rows.reduce((a, p) => a + p[1], 0));
  return { rows, ended: r.ended, gap, pens: rows.map((p) => (p[2] ? 'down' : 'up')) };
}

async function train(model: PenModel, data: SequenceDataset, val: SequenceDataset) {
  const trainer = new Trainer(model, { loss: { type: 'mixtureDensity', components: M }, optimizer: { type: 'adam', lr: 5e-3 }, clip: { maxNorm: 1 } });
  const before = trainer.evaluate(val);
  const h = await trainer.fit(data, { epochs: 200, batchSize: 32, validation: val, seed: 1 });
  const after = h.epochs.at(-1)!.valLoss!;
  console.log(`validation NLL: ${before.toFixed(3)} untrained → ${after.toFixed(3)} after ${h.steps} updates`);
  return { before, after };
}

describe('learning a pen task with the mixture density loss', () => {
  it('a class-conditioned Seq2Seq: the NLL falls below −1; greedy and sampled drawings are squares and triangles by class', async () => {
    const model = new Seq2Seq({
      conditionSize: 2,
      decoder: new LSTM({ inputSize: 5 + 2, hiddenSize: 32, batchFirst: true, seed: 1 }),
      head: new Linear({ inFeatures: 32, outFeatures: mdnOutputSize(M), seed: 2 }),
    }, { stepInput: true, seed: 3 });
    const { before, after } = await train(model, shapes(64, 1, 2), shapes(32, 2, 2));
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(-1);
    for (const [c, sides] of [[0, 4], [1, 3]] as const) {
      const condition = c === 0 ? [1, 0] : [0, 1];
      const g = drawn(model, { condition, temperature: 0 });
      expect(g.ended).toBe(true);
      expect(g.pens).toEqual([...Array(sides - 1).fill('down'), 'up']);
      expect(g.gap, `class ${c}: the greedy drawing closes`).toBeLessThan(0.2);
      // sampled at τ = 0.3: the right shape nearly always
      let good = 0;
      for (let seed = 0; seed < 20; seed++) {
        const d = drawn(model, { condition, temperature: 0.3, seed });
        if (d.ended && d.rows.length === sides && d.gap < 0.3) good++;
      }
      console.log(`class ${c}: ${good}/20 sampled drawings have ${sides} sides and close within 0.3`);
      expect(good).toBeGreaterThanOrEqual(16);
    }
    model.dispose();
  });

  it('an unconditioned Sequential: the NLL falls below −1; given the first side, it completes the square of that size', async () => {
    const model = new Sequential([
      new LSTM({ inputSize: 5, hiddenSize: 32, batchFirst: true, seed: 4 }),
      new Linear({ inFeatures: 32, outFeatures: mdnOutputSize(M), seed: 5 }),
    ]);
    const { before, after } = await train(model, shapes(64, 3, 1), shapes(32, 4, 1));
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(-1);
    // Sketch-RNN's completion: the user's first stroke goes through the model, which draws the rest
    for (const side of [0.7, 1, 1.3]) {
      const g = drawn(model, { prefix: [side, 0, 1, 0, 0], temperature: 0 });
      expect(g.ended).toBe(true);
      expect(g.pens).toEqual(['down', 'down', 'up']);
      const gap = Math.hypot(side + g.rows.reduce((a, p) => a + p[0], 0), g.rows.reduce((a, p) => a + p[1], 0));
      expect(gap, `side ${side}: the square closes`).toBeLessThan(0.2);
      for (const p of g.rows) expect(Math.abs(Math.hypot(p[0], p[1]) - side), `side ${side}: ${p}`).toBeLessThan(0.15);
    }
    model.dispose();
  });
});
