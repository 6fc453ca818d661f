// The mixture density loss inside the Trainer's machinery: evaluate = mdnLoss over predict's
// outputs; gradient accumulation = the whole batch; truncated BPTT over long padded drawings
// (a window may start in the padding); gradientFlow with the loss; a checkpoint restores it.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Linear, LSTM, Sequential, ShapeError } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { mdnLoss, mdnOutputSize, penDataset } from '../../src/sketch/index.js';
import { gradientFlow, sliceTime, Trainer, type SequenceDataset } from '../../src/train/index.js';
import { parityError } from '../support/metric.js';

beforeAll(() => init());

const M = 2, C = mdnOutputSize(M);
const spec = { type: 'mixtureDensity' as const, components: M };

// N random drawings padded to T, ending at random steps in [2, T]
function drawings(N: number, T: number, seed: number, condition = false): SequenceDataset {
  const rng = new Rng(seed), y = new Float32Array(N * T * 5);
  for (let n = 0; n < N; n++) {
    const len = 2 + Math.floor(rng.next() * (T - 1));
    for (let t = 0; t < T; t++) {
      const row = t < len ? [rng.next() * 2 - 1, rng.next() * 2 - 1, ...(rng.next() < 0.8 ? [1, 0] : [0, 1]), 0] : [0, 0, 0, 0, 1];
      y.set(row, (n * T + t) * 5);
    }
  }
  const cond = Float32Array.from({ length: N * 3 }, (_, i) => (i % 3 === (Math.floor(i / 3) % 3) ? 1 : 0));
  return penDataset(y, { shape: [N, T, 5], ...(condition ? { condition: cond, conditionShape: [N, 3] } : {}) });
}
const sequential = (seed = 1) => new Sequential([new LSTM({ inputSize: 5, hiddenSize: 8, batchFirst: true, seed }), new Linear({ inFeatures: 8, outFeatures: C, seed: seed + 1 })]);

describe('the mixture density loss in the Trainer', () => {
  it('evaluate = mdnLoss over predict, for a Sequential and a Seq2Seq (with lengths)', () => {
    const data = { ...drawings(6, 7, 1), lengths: Int32Array.of(7, 5, 7, 3, 6, 7) };
    const m = sequential();
    const t = new Trainer(m, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 } });
    const ours = mdnLoss(m.predict(data), data.y, { components: M, shape: [6, 7], lengths: data.lengths }).loss;
    expect(Math.abs(t.evaluate(data, { batchSize: 4 }) - ours) / Math.abs(ours)).toBeLessThan(1e-6);
    m.dispose();
    const cdata = { ...drawings(5, 6, 2, true), lengths: Int32Array.of(6, 2, 4, 6, 5) };
    const s = new Seq2Seq({ conditionSize: 3, decoder: new LSTM({ inputSize: 8, hiddenSize: 8, seed: 3 }), head: new Linear({ inFeatures: 8, outFeatures: C, seed: 4 }) }, { stepInput: true, seed: 5 });
    const ts = new Trainer(s, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 } });
    const sl = mdnLoss(s.predict(cdata), cdata.y, { components: M, shape: [5, 6], lengths: cdata.lengths }).loss;
    expect(Math.abs(ts.evaluate(cdata) - sl) / Math.abs(sl)).toBeLessThan(1e-6);
    s.dispose();
  });

  it('accumulating two halves of a batch gives the gradient of the whole batch', () => {
    const data = drawings(8, 6, 3);
    const a = sequential(), b = sequential();
    new Trainer(a, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 }, accumulate: 2 }).trainBatch(data);
    const tb = new Trainer(b, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 }, accumulate: 4 });
    const half = (from: number) => ({ x: data.x.slice(from, from + 4 * 30), xShape: [4, 6, 5], y: data.y.slice(from, from + 4 * 30), yShape: [4, 6, 5] });
    tb.trainBatch(half(0));
    tb.trainBatch(half(4 * 30));
    // a: the whole batch's mean ÷ 2; b: (half + half) ÷ 4 = the whole batch's mean ÷ 2
    a.namedParameters().forEach((p, i) => expect(parityError(b.namedParameters()[i].grad, p.grad), p.name).toBeLessThan(1e-5));
    a.dispose(); b.dispose();
  });

  it('truncated BPTT over long padded drawings: windows may start in the padding (carried), a fresh one may not', async () => {
    const data = drawings(6, 12, 4);
    const m = sequential(5);
    const t = new Trainer(m, { loss: spec, optimizer: { type: 'adam', lr: 0.01 } });
    const h = await t.fit(data, { epochs: 3, batchSize: 3, tbptt: 4 });
    expect(h.steps).toBe(3 * 2 * 3);
    expect(h.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(Number.isFinite(t.evaluate(data, { tbptt: 4 }))).toBe(true);
    // a window of only padding: fine as a continuation, an empty drawing as a start
    const tail = sliceTime(data, 11, 1);
    const ended = Array.from({ length: 6 }, (_, n) => tail.y[n * 5 + 4]);
    expect(ended).toContain(1);
    t.trainBatch(sliceTime(data, 0, 11));
    expect(() => t.trainBatch(tail, true)).not.toThrow();
    expect(() => t.trainBatch(tail)).toThrow(ShapeError);
    expect(() => t.trainBatch(tail)).toThrow(/is empty/);
    m.dispose();
  });

  it('gradientFlow takes the loss: ‖∂E/∂h_k‖ for every step, finite', () => {
    const data = drawings(4, 9, 5);
    const m = sequential(7);
    const flow = gradientFlow(m, data, { loss: spec });
    expect(flow.layers).toHaveLength(1);
    expect(flow.layers[0].norms).toHaveLength(9);
    expect(flow.layers[0].norms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(flow.layers[0].norms[8]).toBeGreaterThan(0);
    m.dispose();
  });

  it('a checkpoint keeps the loss: restored, the trainer continues with the same numbers', () => {
    const data = drawings(6, 6, 6);
    const m = sequential(9);
    const t = new Trainer(m, { loss: spec, optimizer: { type: 'adam', lr: 0.01 } });
    t.trainBatch(data);
    const r = Trainer.restore(t.checkpoint());
    expect(r.trainBatch(data).loss).toBe(t.trainBatch(data).loss);
    expect(r.model.stateDict()).toEqual(m.stateDict());
    r.model.dispose();
    m.dispose();
  });
});
