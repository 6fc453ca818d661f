// Regression tests for the cases reported against the input contract (issue 15): typos that were
// silently ignored, rejections that destroyed state, non-finite values that passed through
// Sequential, interleaved fits, and odd failures (a stack overflow, a hang, a backward without a
// forward, an error that did not name its argument).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Embedding, init, Linear, load, LSTM, save, NonFiniteError, Sequential, ShapeError, StateDictError, StateError, GRU,
} from '../../src/index.js';
import { streams, Trainer, type SequenceDataset } from '../../src/train/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

const charModel = (seed = 1, batchFirst = true) => new Sequential([
  new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed }),
  new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst, seed: seed + 1 }),
  new Linear({ inFeatures: 4, outFeatures: 5, seed: seed + 2 }),
], { vocabulary: 'abcde' });

const tokens = (N: number, T: number): SequenceDataset => ({
  x: Int32Array.from({ length: N * T }, (_, i) => (i * 7) % 5), xShape: [N, T],
  y: Int32Array.from({ length: N * T }, (_, i) => (i * 3 + 1) % 5), yShape: [N, T],
});

const bits = (m: { stateDict(): Record<string, Float32Array> }) => Object.values(m.stateDict()).flatMap((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)));

describe('typos are errors that name the key and the key meant', () => {
  it('forward(x, { shape, c_0 })', () => {
    const l = new LSTM({ inputSize: 2, hiddenSize: 3 });
    expect(() => l.forward(new Float32Array(4), { shape: [2, 1, 2], c_0: new Float32Array(3) } as never))
      .toThrow(/forward: unknown option "c_0" \(did you mean "c0"\?\); the options are shape, h0, c0, lengths/);
  });

  it('sample({ temprature }), sample({ lenght }), sample({ prime: 5 }), sample({ seed: 1.5 })', () => {
    const m = charModel();
    expect(() => m.sample({ temprature: 0.5 } as never)).toThrow(ConfigError);
    expect(() => m.sample({ temprature: 0.5 } as never)).toThrow(/sample: unknown option "temprature" \(did you mean "temperature"\?\)/);
    expect(() => m.sample({ lenght: 100 } as never)).toThrow(/unknown option "lenght" \(did you mean "length"\?\)/);
    expect(() => m.sample({ prime: 5 } as never)).toThrow(/sample prime: expected a string, or token ids .*, got number 5/);
    expect(() => m.sample({ seed: 1.5 })).toThrow(/sample seed: expected an integer ≥ 0, got number 1\.5/);
  });

  it('trainer.fit(data, { epochs: 1, batchSzie: 2 }) trains nothing', async () => {
    const m = charModel();
    const t = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.01 } });
    const before = bits(m);
    await expect(t.fit(tokens(4, 3), { epochs: 1, batchSzie: 2 } as never)).rejects.toThrow(/fit: unknown option "batchSzie" \(did you mean "batchSize"\?\)/);
    expect(bits(m)).toEqual(before);
    expect(t.optimizer.stepCount).toBe(0);
  });

  it('nested options too: clip, schedule, earlyStopping, callbacks, loss, optimizer', () => {
    const m = charModel();
    const mk = (o: object) => () => new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'adam' }, ...o } as never);
    expect(mk({ clip: { maxNorm: 1, normtype: 'inf' } })).toThrow(/Trainer clip: unknown option "normtype" \(did you mean "normType"\?\)/);
    expect(mk({ clip: { maxnorm: 1 } })).toThrow(/Trainer clip: expected \{ maxNorm, normType\? \}/);
    expect(mk({ schedule: { type: 'cosine', totalStep: 10 } })).toThrow(/schedule 'cosine': unknown option "totalStep" \(did you mean "totalSteps"\?\)/);
    expect(mk({ schedule: { type: 'step', stepSize: 0 } })).toThrow(/schedule 'step' stepSize: expected an integer ≥ 1, got number 0/);
    expect(mk({ optimizer: { type: 'sgd', lr: 0.1, momentun: 0.9 } })).toThrow(/SGD: unknown option "momentun" \(did you mean "momentum"\?\)/);
    expect(mk({ loss: { type: 'crossEntropy', ignore_index: -1 } })).toThrow(/loss: unknown option "ignore_index" \(did you mean "ignoreIndex"\?\)/);
    expect(mk({ onNonFinite: 'ignore' })).toThrow(/Trainer onNonFinite: expected 'throw' or 'skip', got string "ignore"/);
  });
});

describe('a rejected call leaves every piece of state as it was', () => {
  it('lstm.backward(dOut, { dhN: <NaN> }) is refused, and the valid backward that follows gives the same bits as without it', () => {
    const x = randoms(3 * 2 * 2, 1), d = randoms(3 * 2 * 4, 2), dh = randoms(2 * 4, 3);
    const [a, b] = [1, 2].map(() => new LSTM({ inputSize: 2, hiddenSize: 4, seed: 5 }));
    for (const l of [a, b]) l.forward(x, { shape: [3, 2, 2] });
    const bad = dh.slice(); bad[5] = NaN;
    expect(() => a.backward(d, { dhN: bad })).toThrow(NonFiniteError);
    expect(() => a.backward(d, { dhN: bad })).toThrow(/backward dhN: element 5 is NaN/);
    const ra = a.backward(d, { dhN: dh }), rb = b.backward(d, { dhN: dh });
    expect(ra.dInput).toEqual(rb.dInput);
    expect(a.namedParameters().map((p) => Array.from(p.grad))).toEqual(b.namedParameters().map((p) => Array.from(p.grad)));
  });

  it('a rejected forward keeps the previous forward for backward (layer and model)', () => {
    const x = randoms(3 * 2 * 2, 1), d = randoms(3 * 2 * 4, 2);
    const l = new GRU({ inputSize: 2, hiddenSize: 4, seed: 5 }), twin = new GRU({ inputSize: 2, hiddenSize: 4, seed: 5 });
    l.forward(x, { shape: [3, 2, 2] }); twin.forward(x, { shape: [3, 2, 2] });
    const big = Float64Array.from(randoms(4 * 5 * 2, 9)); big[3] = 1e39; // finite in float64, Infinity in float32
    expect(() => l.forward(big, { shape: [4, 5, 2] })).toThrow(/forward x: element 3 is 1e\+39, beyond the float32 range/);
    expect(l.backward(d).dInput).toEqual(twin.backward(d).dInput);

    const m = charModel(), mt = charModel();
    const ids = Int32Array.from([1, 2, 3, 4, 0, 1]);
    m.forward(ids, { shape: [2, 3] }); mt.forward(ids, { shape: [2, 3] });
    expect(() => m.forward(Int32Array.from([1, 2, 9, 4, 0, 1, 2, 3]), { shape: [2, 4] })).toThrow(/token ids\): element 2 is 9/);
    const dm = randoms(2 * 3 * 5, 4);
    m.backward(dm); mt.backward(dm);
    expect(m.namedParameters().map((p) => Array.from(p.grad))).toEqual(mt.namedParameters().map((p) => Array.from(p.grad)));
  });

  it('a rejected step leaves the stream as it was', () => {
    const m = charModel().eval();
    const s = m.initState(2);
    m.step(Int32Array.from([1, 2]), s);
    const before = s.snapshot();
    expect(() => m.step(Int32Array.from([1, 7]), s)).toThrow(/element 1 is 7/);
    expect(s.snapshot()).toEqual(before);
    expect(s.steps).toBe(1);
  });

  it('a model whose layer ran on its own since its forward refuses backward instead of mixing the two', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const m = new Sequential([lstm, new Linear({ inFeatures: 3, outFeatures: 1, seed: 2 })]);
    m.forward(randoms(4, 1), { shape: [2, 1, 2] });
    lstm.forward(randoms(6, 2), { shape: [3, 1, 2] });
    const grads = m.namedParameters().map((p) => Array.from(p.grad));
    expect(() => m.backward(new Float32Array(2))).toThrow(/layer 0 \(rnn\) was reloaded or run on its own since this model's forward/);
    expect(m.namedParameters().map((p) => Array.from(p.grad))).toEqual(grads);
  });
});

describe('non-finite values through Sequential', () => {
  it('model.backward refuses NaN and Infinity in dOutput, naming the element', () => {
    const m = charModel();
    m.forward(Int32Array.from([1, 2, 3]), { shape: [1, 3] });
    const d = new Float32Array(15); d[7] = Infinity;
    expect(() => m.backward(d)).toThrow(NonFiniteError);
    expect(() => m.backward(d)).toThrow(/backward dOutput: element 7 is Infinity/);
    expect(m.namedParameters().every((p) => p.grad.every((v) => v === 0))).toBe(true);
  });

  it('loadStateDict checks values as float32: 1e39 in a Float64Array is refused', () => {
    const m = charModel();
    const dict: Record<string, Float32Array | Float64Array> = m.stateDict();
    const w = Float64Array.from(dict['head.weight']); w[2] = 1e39;
    dict['head.weight'] = w;
    const before = bits(m);
    expect(() => m.loadStateDict(dict)).toThrow(StateDictError);
    expect(() => m.loadStateDict(dict)).toThrow(/"head\.weight": element 2 is 1e\+39, beyond the float32 range/);
    expect(bits(m)).toEqual(before);
  });
});

describe('one fit at a time', () => {
  it('a second fit on the same model while one runs is refused; the first applies exactly its own updates', async () => {
    const m = charModel();
    const t1 = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.01 } });
    const t2 = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 } });
    const data = tokens(30, 4);
    const first = t1.fit(data, { epochs: 1, batchSize: 1, yieldEveryMs: 0 });
    await new Promise((r) => setImmediate(r)); // the first fit is now between two batches
    await expect(t2.fit(data, { epochs: 1, batchSize: 1 })).rejects.toThrow(StateError);
    await expect(t1.fit(data, { epochs: 1, batchSize: 1 })).rejects.toThrow(/fit\(\) is already running on this model; await it/);
    expect(() => t2.trainBatch(tokens(1, 4))).toThrow(/trainBatch: a fit\(\) is already running/);
    const h = await first;
    expect(h.steps).toBe(30);
    expect(t1.optimizer.stepCount).toBe(30);
    expect(t2.optimizer.stepCount).toBe(0);
    expect((await t2.fit(data, { epochs: 1, batchSize: 10 })).steps).toBe(3); // free again afterwards
  });

  it('predicting or sampling from a callback does not disturb the hidden state carried across tbptt windows', async () => {
    const ids = Int32Array.from({ length: 401 }, (_, i) => (i * i + 3 * i) % 5);
    const run = async (peek: boolean) => {
      const m = charModel(3);
      const t = new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.01 } });
      await t.fit(streams(ids, { batchSize: 4 }), {
        epochs: 1, tbptt: 10,
        callbacks: { onBatchEnd: () => { if (peek) { m.predict({ x: Int32Array.from([1, 2]), xShape: [1, 2] }); m.sample({ length: 3, seed: 1 }); } } },
      });
      return bits(m);
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe('odd failures', () => {
  it('functions, symbols and bigints as arguments get a ShapeError, not a stack overflow', () => {
    const l = new LSTM({ inputSize: 2, hiddenSize: 3 });
    for (const v of [() => 1, Symbol('s'), 10n]) {
      expect(() => l.forward(new Float32Array(2), { shape: v as never })).toThrow(ShapeError);
      expect(() => l.forward(v as never, { shape: [1, 1, 2] })).toThrow(/forward x: expected a Float32Array .*, got (a function|a symbol|bigint 10n)/);
    }
  });

  it('a huge sample length or stream batch is refused at once, against setLimits', () => {
    const m = charModel();
    const t0 = performance.now();
    expect(() => m.sample({ length: 1e9 })).toThrow(/sample length: 1000000000 is more than the limit of 1048576 tokens per call \(setLimits\(\{ maxSampleLength \}\)\)/);
    expect(() => m.initState(1e9)).toThrow(/initState batch: shape \[1000000000, 8\] is 8000000000 elements, more than the limit/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('Sequential.backward after a sample, a streaming step or a training batch is refused: it needs forward()', () => {
    const m = charModel();
    m.sample({ length: 2, seed: 1 });
    expect(() => m.backward(new Float32Array(5))).toThrow(/backward\(\): the last run was a streaming step, a sample or a training batch, not forward\(\)/);
    new Trainer(m, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 } }).trainBatch(tokens(1, 3));
    expect(() => m.backward(new Float32Array(15))).toThrow(StateError);
  });
});

describe('layouts and types that cannot be confused', () => {
  it('predict(batch) reads a data set\'s [N, T, F] whatever the model\'s batchFirst', () => {
    const timeMajor = charModel(1, false), batchMajor = charModel(1, true);
    const N = 6, T = 5;
    const data = tokens(N, T);
    const a = timeMajor.predict(data), b = batchMajor.predict(data);
    expect(a).toHaveLength(N * T * 5);
    expect(a).toEqual(b);
    // the positional form takes the model's own layout
    expect(batchMajor.predict(data.x, { shape: [N, T] })).toEqual(b);
  });

  it('load(bytes, { expect }) gives the kind asked for, or a FormatError', () => {
    const bytes = charModel().save();
    const m: Sequential = load(bytes, { expect: 'Sequential' });
    expect(m).toBeInstanceOf(Sequential);
    expect(() => load(bytes, { expect: 'layer' })).toThrow(/expected a file holding one recurrent layer \(options.expect 'layer'\), but it holds a Sequential model/);
    const layerBytes = save(new LSTM({ inputSize: 1, hiddenSize: 1 }));
    expect(load(layerBytes, { expect: 'layer' })).toBeInstanceOf(LSTM);
    expect(() => load(layerBytes, { expect: 'Sequential' })).toThrow(/expected a file holding a Sequential model .* but it holds one LSTM layer/);
  });
});
