// Faults and long runs: exploding gradients, out-of-memory, input limits for untrusted requests,
// and 20,000 truncated-BPTT steps over a 1,000,000-step series with flat memory.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  getLimits, GRU, init, Linear, LSTM, NonFiniteError, OutOfMemoryError, RNN, Sequential, setLimits, ShapeError,
} from '../../src/index.js';
import { Trainer, type SequenceDataset } from '../../src/train/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { addingProblem } from '../../examples/tasks/adding.js';

beforeAll(() => init());

const weights = (m: Sequential) => Object.values(m.stateDict()).flatMap((v) => Array.from(v));

describe('exploding gradients', () => {
  // a ReLU RNN whose recurrent weights are 4× PyTorch's initialisation: activations and gradients grow
  // geometrically over the 30 steps of the adding problem (initial loss ≈ 1e6)
  const model = () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 16, nonlinearity: 'relu', batchFirst: true, seed: 1 });
    const sd = rnn.stateDict();
    sd.weight_hh_l0 = sd.weight_hh_l0.map((v) => v * 4);
    rnn.loadStateDict(sd);
    return new Sequential([rnn, new Linear({ inFeatures: 16, outFeatures: 1, seed: 2 })], { output: 'last' });
  };
  const data = addingProblem(16 * 600, 30, 3);

  it('without clipping: reported with the parameter and the step, the weights of the last good step kept', async () => {
    const m = model();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.05 } });
    let lastGood = weights(m);
    let err: unknown;
    try {
      await t.fit(data, { batchSize: 16, callbacks: { onBatchEnd: () => { lastGood = weights(m); } } });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(/^training step \d+: the gradient of rnn\.weight_(hh|ih)_l0 is NaN at element \d+; the weights are unchanged/);
    expect(weights(m)).toEqual(lastGood);
    expect(lastGood.every(Number.isFinite)).toBe(true);
  });

  it('with clipping ({ maxNorm: 1 }) the same run trains: the loss falls by over 5 orders of magnitude', async () => {
    const m = model();
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.05 }, clip: { maxNorm: 1 } });
    const losses: number[] = [];
    let clipped = 0;
    await t.fit(data, { batchSize: 16, callbacks: { onBatchEnd: (s) => { losses.push(s.loss); if (s.clipped) clipped++; } } });
    expect(losses).toHaveLength(600);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]).toBeGreaterThan(1e5);
    expect(losses.slice(-50).reduce((a, b) => a + b) / 50).toBeLessThan(1);
    expect(clipped).toBeGreaterThan(100);
  });
});

describe('memory', () => {
  it('asking for more than 32-bit wasm memory is a clear error, and the library stays usable', () => {
    const { arena } = getRuntime();
    const before = arena.allocatedBytes;
    const big = new LSTM({ inputSize: 1, hiddenSize: 512, numLayers: 4, bidirectional: true, seed: 1 });
    const T = 1000, B = 100; // each buffer is allowed (< 2 GiB), all of them together are not (≈ 11 GiB)
    const used = arena.allocatedBytes;
    let err: unknown;
    try { big.forward(new Float32Array(T * B), { shape: [T, B, 1] }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as Error).message).toMatch(/LSTM.* forward activations needs [\d.]+ MiB but WebAssembly \(32-bit\) memory is at most 4096 MiB; use smaller shapes/);
    // nothing kept for the refused call but the staged input (reused by the next forward)
    expect(arena.allocatedBytes - used).toBeLessThanOrEqual(T * B * 4 + 64);
    expect(big.forward(new Float32Array(6), { shape: [3, 2, 1] }).output).toHaveLength(3 * 2 * 1024);
    big.dispose();
    expect(arena.allocatedBytes).toBeLessThanOrEqual(before); // never grows (the finalizer may free abandoned layers)
  });
});

describe('limits for untrusted requests', () => {
  afterEach(() => setLimits({ maxInputElements: 2 ** 28 }));

  it('an oversized input is refused before anything is allocated', () => {
    const m = new Sequential([new GRU({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 8, outFeatures: 2, seed: 2 })]).eval();
    m.predict(new Float32Array(4 * 10 * 4), { shape: [4, 10, 4] });
    const { arena } = getRuntime();
    setLimits({ maxInputElements: 1000 });
    expect(getLimits().maxInputElements).toBe(1000);
    const used = arena.allocatedBytes, mem = arena.memoryBytes;
    // the request claims a huge shape; the check is on the shape, before reading any data
    expect(() => m.predict(new Float32Array(8), { shape: [64, 1000, 4] })).toThrow(ShapeError);
    expect(() => m.predict(new Float32Array(8), { shape: [64, 1000, 4] })).toThrow(/forward x: shape \[64, 1000, 4\] is 256000 elements, more than the limit of 1000 \(setLimits/);
    expect(() => new GRU({ inputSize: 4, hiddenSize: 2 }).forward(new Float32Array(4), { shape: [300, 1, 4] })).toThrow(/more than the limit of 1000/);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(used + 4096);
    expect(arena.memoryBytes).toBe(mem);
    expect(m.predict(new Float32Array(2 * 10 * 4), { shape: [2, 10, 4] })).toHaveLength(2 * 10 * 2);
    expect(() => setLimits({ maxInputElements: -1 })).toThrow(/expected a positive integer/);
    expect(() => setLimits({ maxTime: 5 } as never)).toThrow(/unknown limit "maxTime"/);
  });
});

describe('long runs', () => {
  it('20,000 truncated-BPTT steps over a 1,000,000-step series: memory flat, loss finite and falling', async () => {
    const L = 1_000_000, streamsN = 20, S = L / streamsN;
    // a noisy sum of two sines, one value per step; target = the next value
    let s = 1;
    const noise = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.1;
    const series = new Float32Array(L + 1);
    for (let i = 0; i <= L; i++) series[i] = Math.sin(i * 0.07) * 0.6 + Math.sin(i * 0.013) * 0.3 + noise();
    const x = new Float32Array(streamsN * S), y = new Float32Array(streamsN * S);
    for (let b = 0; b < streamsN; b++) for (let t = 0; t < S; t++) { x[b * S + t] = series[b * S + t]; y[b * S + t] = series[b * S + t + 1]; }
    const data: SequenceDataset = { x, xShape: [streamsN, S, 1], y, yShape: [streamsN, S, 1] };
    const m = new Sequential([new GRU({ inputSize: 1, hiddenSize: 8, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 8, outFeatures: 1, seed: 2 })]);
    const t = new Trainer(m, { loss: 'mse', optimizer: { type: 'adam', lr: 3e-3 }, clip: { maxNorm: 1 } });
    const { arena } = getRuntime();
    let mem = 0, used = 0, heap = 0;
    const losses: number[] = [];
    const h = await t.fit(data, {
      epochs: 20, batchSize: streamsN, tbptt: 50,
      callbacks: {
        onBatchEnd: (st) => {
          if (st.step === 100) { mem = arena.memoryBytes; used = arena.allocatedBytes; heap = process.memoryUsage().heapUsed; }
          if (st.step === 1 || st.step % 1000 === 0) losses.push(st.loss);
          if (st.step > 100) {
            // never grows (it may shrink: the finalizer frees layers other code abandoned)
            expect(arena.memoryBytes).toBe(mem);
            expect(arena.allocatedBytes).toBeLessThanOrEqual(used);
          }
        },
      },
    });
    expect(h.steps).toBe(20_000);
    expect(losses.every(Number.isFinite)).toBe(true);
    // from the series' variance (≈ 0.2) down to near the noise floor (uniform ±0.05: 8.3e-4)
    expect(losses[0]).toBeGreaterThan(0.05);
    expect(losses.at(-1)!).toBeLessThan(2.5e-3);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
  }, 600_000);
});
