// The training loop: determinism, flat memory, the non-finite policy, cancellation, truncated
// BPTT, early stopping, gradient accumulation, mini-batch averaging and target checks.
import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding, GRU, init, Linear, LSTM, NonFiniteError, RNN, Sequential, ShapeError } from '../../src/index.js';
import { gradNorm, Trainer, type SequenceDataset } from '../../src/train/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { addingProblem } from '../../examples/tasks/adding.js';

beforeAll(() => init());

const smallModel = (seed = 1) => new Sequential([
  new GRU({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed }),
  new Linear({ inFeatures: 8, outFeatures: 1, seed: seed + 1 }),
], { output: 'last' });

const weights = (m: Sequential) => Object.values(m.stateDict()).map((v) => Array.from(v)).flat();

describe('Trainer', () => {
  it('is deterministic: the same seeds give bit-identical weights after 200 updates, twice', async () => {
    const run = async () => {
      const m = new Sequential([
        new LSTM({ inputSize: 2, hiddenSize: 6, numLayers: 2, dropout: 0.3, batchFirst: true, seed: 3 }),
        new Linear({ inFeatures: 6, outFeatures: 1, seed: 4 }),
      ], { output: 'last' });
      const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adamw', lr: 1e-2 }, clip: { maxNorm: 1 } });
      await t.fit(addingProblem(16 * 50, 8, 5), { epochs: 4, batchSize: 16, seed: 9 });
      return weights(m);
    };
    const a = await run(), b = await run();
    expect(a).toEqual(b); // toEqual on numbers: bit-identical (NaN-free)
  });

  it('keeps wasm memory and the JS heap flat over 5,000 training steps', async () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-3 } });
    const data = addingProblem(8 * 100, 10, 1);
    await t.fit(data, { epochs: 1, batchSize: 8 }); // warm-up: buffers sized once
    const { arena } = getRuntime();
    const wasmBefore = arena.memoryBytes, allocBefore = arena.allocatedBytes;
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const h = await t.fit(data, { epochs: 50, batchSize: 8 });
    expect(h.steps).toBe(5000);
    expect(arena.memoryBytes).toBe(wasmBefore);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(allocBefore); // may shrink: the finalizer frees abandoned layers
    globalThis.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 2 ** 20);
  }, 600_000);

  it('a non-finite gradient stops training with the parameter and step named, weights unchanged', async () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 } });
    const data = addingProblem(4, 5, 2);
    t.trainBatch(data);
    const before = weights(m);
    // a target of 1e38 makes the squared error overflow float32: loss and gradients go non-finite
    const bad = { ...data, y: Float32Array.from(data.y, () => 3e38) };
    let err: unknown;
    try { t.trainBatch(bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(/training step 2: (the gradient of \S+ is (NaN|-?Infinity) at element \d+|the loss is (NaN|Infinity)); the weights are unchanged/);
    expect(weights(m)).toEqual(before);
    // and training continues normally afterwards
    expect(Number.isFinite(t.trainBatch(data).loss)).toBe(true);
  });

  it('gradient norms of large but finite gradients stay finite (squares summed in float64)', () => {
    const m = smallModel();
    const p = m.namedParameters()[0];
    p.grad.fill(1e20);
    expect(gradNorm(m)).toBeCloseTo(1e20 * Math.sqrt(p.grad.length), -15);
  });

  it("onNonFinite 'skip' drops such updates and counts them", () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 }, onNonFinite: 'skip' });
    const data = addingProblem(4, 5, 2);
    const before = weights(m);
    const r = t.trainBatch({ ...data, y: Float32Array.from(data.y, () => 3e38) });
    expect(r.skipped).toBe(true);
    expect(t.skippedSteps).toBe(1);
    expect(weights(m)).toEqual(before);
  });

  it('stops on an AbortSignal between updates, leaving a consistent model', async () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-3 } });
    const ctl = new AbortController();
    const h = await t.fit(addingProblem(4 * 1000, 10, 3), {
      batchSize: 4, callbacks: { onBatchEnd: (s) => { if (s.step === 37) ctl.abort(); } }, signal: ctl.signal,
    });
    expect(h.stopped).toBe('aborted');
    expect(h.steps).toBe(37);
    expect(weights(m).every(Number.isFinite)).toBe(true);
    expect(m.forward(new Float32Array(20), { shape: [1, 10, 2] }).output).toHaveLength(1);
  });

  it('yields to the event loop while fitting (timers keep running)', async () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-3 } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await t.fit(addingProblem(8 * 4000, 20, 4), { batchSize: 8, yieldEveryMs: 10 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('early stopping restores the best weights', async () => {
    const m = smallModel();
    // far too large a step: training diverges, validation gets worse, updates go non-finite (skipped)
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 5 }, onNonFinite: 'skip' });
    const h = await t.fit(addingProblem(8 * 20, 5, 1), { epochs: 30, batchSize: 8, validation: addingProblem(64, 5, 2), earlyStopping: { patience: 2 } });
    expect(h.stopped).toBe('earlyStopping');
    expect(Math.abs(t.evaluate(addingProblem(64, 5, 2)) - h.bestValLoss!)).toBeLessThan(1e-6);
  });

  it('averages over the mini-batch: one batch of 4 = the mean of 4 single-sample gradients', () => {
    const data = addingProblem(4, 6, 3);
    const full = smallModel(5);
    const tFull = new Trainer(full, { loss: 'mse', optimizer: { type: 'sgd', lr: 1 } });
    const one = smallModel(5);
    const tOne = new Trainer(one, { loss: 'mse', optimizer: { type: 'sgd', lr: 1 }, accumulate: 4 });
    tFull.trainBatch(data);
    for (let i = 0; i < 4; i++) {
      tOne.trainBatch({ x: data.x.slice(i * 12, (i + 1) * 12), xShape: [1, 6, 2], y: data.y.slice(i, i + 1), yShape: [1, 1] });
    }
    const a = weights(full), b = weights(one);
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-6));
  });

  it('truncated BPTT: windows carry the state forward (not the gradient) and match one long forward', async () => {
    const m = new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 }), new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 2 }), new Linear({ inFeatures: 4, outFeatures: 5, seed: 3 })]);
    const B = 2, S = 12;
    const ids = Int32Array.from({ length: B * S }, (_, i) => (i * 7) % 5);
    const data: SequenceDataset = { x: ids, xShape: [B, S], y: Int32Array.from(ids, (v) => (v + 1) % 5), yShape: [B, S] };
    const t = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0 } });
    // with lr 0 the weights stay; the loss over windows with carried state equals the loss of one pass
    const whole = t.evaluate(data, { batchSize: B });
    const windows = t.evaluate(data, { batchSize: B, tbptt: 5 });
    expect(Math.abs(whole - windows)).toBeLessThan(1e-6);
    const h = await t.fit(data, { batchSize: B, tbptt: 5 });
    expect(h.steps).toBe(3); // ⌈12 / 5⌉ windows, one update each
  });

  it('padded sequences: padded steps do not count in the loss', () => {
    const m = new Sequential([new Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 1 }), new RNN({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 2 }), new Linear({ inFeatures: 3, outFeatures: 4, seed: 3 })]);
    const t = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0 } });
    const x = Int32Array.from([1, 2, 3, 0, 2, 1, 0, 0]);
    const y = Int32Array.from([2, 3, 1, 0, 1, 3, 0, 0]);
    const padded = t.evaluate({ x, xShape: [2, 4], y, yShape: [2, 4], lengths: Int32Array.from([3, 2]) });
    const a = t.evaluate({ x: x.slice(0, 3), xShape: [1, 3], y: y.slice(0, 3), yShape: [1, 3] });
    const b = t.evaluate({ x: x.slice(4, 6), xShape: [1, 2], y: y.slice(4, 6), yShape: [1, 2] });
    expect(Math.abs(padded - (3 * a + 2 * b) / 5)).toBeLessThan(1e-6);
  });

  it('can report spectral radii and the gradient flow every epoch', async () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 } });
    const epochs: { spectralRadii?: unknown[]; gradientFlow?: { layers: { norms: Float64Array }[] } }[] = [];
    await t.fit(addingProblem(8 * 5, 6, 1), { epochs: 2, batchSize: 8, report: { spectralRadius: true, gradientFlow: addingProblem(4, 6, 2) }, callbacks: { onEpochEnd: (s) => epochs.push(s) } });
    expect(epochs).toHaveLength(2);
    expect(epochs[1].spectralRadii).toHaveLength(3); // GRU gates r, z, n
    expect(epochs[1].gradientFlow!.layers[0].norms).toHaveLength(6);
  });

  it('a batch whose targets are all ignored is no signal: no update, not a fault', () => {
    const m = new Sequential([new Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 1 }), new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 2 }), new Linear({ inFeatures: 3, outFeatures: 4, seed: 3 })]);
    const t = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.1 } });
    const before = weights(m);
    const r = t.trainBatch({ x: Int32Array.from([1, 2, 3]), xShape: [1, 3], y: Int32Array.from([-100, -100, -100]), yShape: [1, 3] });
    expect(r.loss).toBeNaN();
    expect(r.step).toBe(0);
    expect(weights(m)).toEqual(before);
  });

  it('checks targets against the model', () => {
    const m = smallModel();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 } });
    const data = addingProblem(4, 5, 2);
    expect(() => t.trainBatch({ ...data, y: new Float32Array(20), yShape: [4, 5, 1] })).toThrow(ShapeError);
    expect(() => t.trainBatch({ ...data, y: new Float32Array(20), yShape: [4, 5, 1] })).toThrow(/needs y of shape \[4, 1\] \(one target per sequence\)/);
    expect(() => new Trainer(m, { loss: 'hinge' as never, optimizer: { type: 'sgd', lr: 1 } })).toThrow(/loss: expected 'mse'/);
    expect(() => new Trainer(m, { loss: 'mse', optimizer: { type: 'adamax' } as never })).toThrow(/optimizer: expected \{ type: 'sgd'/);
  });
});
