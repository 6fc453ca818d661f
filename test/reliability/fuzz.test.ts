// Property tests over the public API with a seeded generator: random shapes, lengths, dtypes,
// NaN/±Infinity, zero, negative, fractional and overflowing sizes. Every call must end in either
// a correct result or an RnnWasmError whose message names the argument — never a crash, a hang,
// a wasm trap ("unreachable", RangeError) or a silently wrong answer — and the model's weights
// and the arena must be unchanged by a rejected call.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Embedding, GRU, init, Linear, load, LSTM, RNN, RnnWasmError, save, Sequential, type RecurrentLayer,
} from '../../src/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { Gen } from '../support/gen.js';

beforeAll(() => init());

const WEIRD_SIZES = [0, -1, 1.5, NaN, Infinity, 2 ** 31, 2 ** 53, 1e12, -0];
const WEIRD_VALUES = [NaN, Infinity, -Infinity];

function checksum(values: Iterable<Float32Array>): number {
  let h = 0;
  for (const a of values) for (let i = 0; i < a.length; i++) h = (Math.imul(h, 31) + Math.fround(a[i]) * 1e6) | 0;
  return h;
}

function weightSum(m: RecurrentLayer | Sequential): number {
  return checksum(Object.values(m.stateDict()));
}

// an array of n values in a random container type
function values(g: Gen, n: number): ArrayLike<number> {
  const data = Array.from({ length: n }, () => g.int(-1000, 1000) / 500);
  switch (g.int(0, 3)) {
    case 0: return Float32Array.from(data);
    case 1: return Float64Array.from(data);
    case 2: return data;
    default: return Int32Array.from(data, Math.round);
  }
}

function expectNamedError(e: unknown, names: RegExp, ctx: string) {
  expect(e, ctx).toBeInstanceOf(RnnWasmError);
  expect((e as Error).message, ctx).toMatch(names);
  expect((e as Error).message, ctx).not.toMatch(/unreachable|RuntimeError|out of bounds/i);
}

describe('fuzzing the recurrent layers', () => {
  it('2,000 random forward/backward calls: correct results or named errors, nothing changed by errors', () => {
    const g = new Gen(20261122);
    const { arena } = getRuntime();
    let ok = 0, rejected = 0;
    for (let c = 0; c < 2000; c++) {
      const seed = g.u32();
      const cg = new Gen(seed || 1);
      const I = cg.int(1, 6), H = cg.int(1, 6), L = cg.int(1, 2), bidirectional = cg.chance(0.3), batchFirst = cg.chance(0.5);
      const make = cg.pick([
        () => new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional, batchFirst, seed: 1 }),
        () => new GRU({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional, batchFirst, seed: 1 }),
        () => new RNN({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional, batchFirst, seed: 1, nonlinearity: cg.chance(0.5) ? 'tanh' : 'relu' }),
      ]);
      const layer = make();
      const T = cg.int(1, 5), B = cg.int(1, 4);
      let shape: number[] = batchFirst ? [B, T, I] : [T, B, I];
      let n = T * B * I;
      let x: ArrayLike<number> = values(cg, n);
      let h0: ArrayLike<number> | undefined;
      const S = L * (bidirectional ? 2 : 1) * B * H;
      const fault = cg.int(0, 9);
      if (fault === 1) shape = shape.map((d) => (cg.chance(0.4) ? cg.pick(WEIRD_SIZES) : d));
      if (fault === 2) x = values(cg, n + cg.pick([-1, 1, 7]));
      if (fault === 3) { const a = Float64Array.from(x); a[cg.int(0, n - 1)] = cg.pick(WEIRD_VALUES); x = a; }
      if (fault === 4) h0 = values(cg, S + cg.pick([-1, 1]));
      if (fault === 5) { const a = new Float32Array(S); a[cg.int(0, S - 1)] = cg.pick(WEIRD_VALUES); h0 = a; }
      if (fault === 6) x = cg.pick([null, undefined, 'x', {}, [[1, 2]], 42]) as never;
      if (fault === 7) shape = [cg.pick([2 ** 20, 2 ** 31]), cg.pick([2 ** 20, 2 ** 31]), I];
      if (fault === 0 || fault >= 8) h0 = cg.chance(0.5) ? values(cg, S) : undefined;
      const before = weightSum(layer), used = arena.allocatedBytes;
      const ctx = `case seed ${seed} fault ${fault}`;
      let fwd;
      try {
        fwd = layer.forward(x as never, { shape, h0 });
      } catch (e) {
        expectNamedError(e, /forward (x|h0|c0)|options\.shape|last dimension|shape/, ctx);
        expect(weightSum(layer), ctx).toBe(before);
        expect(arena.allocatedBytes, ctx).toBeLessThanOrEqual(used + 4 * 2 ** 20); // scratch sized for the call at most
        rejected++;
        layer.dispose();
        continue;
      }
      // a correct result: finite, right size, and equal to a fresh Float32Array copy's result
      expect(fwd.output.length, ctx).toBe(T * B * (bidirectional ? 2 : 1) * H);
      expect(fwd.output.every(Number.isFinite), ctx).toBe(true);
      const again = layer.forward(Float32Array.from(x), { shape, h0: h0 && Float32Array.from(h0) });
      expect(Array.from(again.output), ctx).toEqual(Array.from(fwd.output));
      // backward with a randomly broken gradient
      const dBad = cg.int(0, 3);
      const d = dBad === 1 ? values(cg, fwd.output.length + 1) : dBad === 2 ? Float32Array.from(fwd.output, (v, i) => (i === 0 ? NaN : v)) : values(cg, fwd.output.length);
      const grads = () => checksum(layer.namedParameters().map((p) => p.grad));
      const g0 = grads();
      try {
        layer.backward(d as never);
        expect(dBad === 1 || dBad === 2, ctx).toBe(false);
      } catch (e) {
        expectNamedError(e, /backward dOutput/, ctx);
        expect(grads(), `${ctx}: a rejected backward must not touch the gradients`).toBe(g0);
      }
      expect(weightSum(layer), ctx).toBe(before);
      ok++;
      layer.dispose();
    }
    expect(ok).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  }, 600_000);

  it('constructor options: 1,000 random option objects give a layer or a ConfigError naming the option', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // PyTorch-style dropout notes
    const g = new Gen(7);
    const keys = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'seed', 'nonlinearity', 'projSize', 'hiddenSizes'];
    const vals = [1, 3, 0, -2, 1.5, NaN, 2 ** 40, '4', true, false, null, 'relu', 0.5, 1, undefined];
    for (let c = 0; c < 1000; c++) {
      const o: Record<string, unknown> = { inputSize: g.int(1, 4), hiddenSize: g.int(1, 4) };
      for (let k = g.int(0, 3); k > 0; k--) o[g.pick(keys)] = g.pick(vals);
      let layer: RNN | undefined;
      try {
        layer = new RNN(o as never);
      } catch (e) {
        expectNamedError(e, new RegExp(Object.keys(o).join('|')), `options ${JSON.stringify(o)}`);
        continue;
      } finally {
        layer?.dispose();
      }
    }
    warn.mockRestore();
  });
});

describe('fuzzing models and files', () => {
  it('1,000 random token batches on a model: correct results or named errors', () => {
    const g = new Gen(99);
    const m = new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 }), new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 2 }), new Linear({ inFeatures: 4, outFeatures: 5, seed: 3 })]);
    const before = weightSum(m);
    for (let c = 0; c < 1000; c++) {
      const B = g.int(1, 3), T = g.int(1, 4);
      const ids = Array.from({ length: B * T }, () => (g.chance(0.1) ? g.pick([-1, 5, 2.5, NaN, 1e9]) : g.int(0, 4)));
      const lengths = g.chance(0.3) ? Array.from({ length: B }, () => g.int(-1, T + 1)) : undefined;
      const given: ArrayLike<number> = g.chance(0.5) ? Int32Array.from(ids) : ids; // Int32Array.from truncates 2.5 → 2
      let output: Float32Array | undefined;
      try {
        output = m.forward(given, { shape: [B, T], lengths }).output;
      } catch (e) {
        expectNamedError(e, /token ids|lengths/, JSON.stringify({ ids, lengths }));
        continue;
      }
      // accepted: then every id was valid, every length in range, and the output finite
      expect(Array.from(given).every((v) => Number.isInteger(v) && v >= 0 && v < 5), JSON.stringify(ids)).toBe(true);
      expect(!lengths || lengths.every((n) => n >= 0 && n <= T)).toBe(true);
      expect(output.every(Number.isFinite)).toBe(true);
    }
    expect(weightSum(m)).toBe(before);
  });

  it('5,000 corrupted model files: every one loads correctly or is refused with a FormatError/StateDictError', () => {
    const g = new Gen(5);
    const good = save(new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 }));
    const { arena } = getRuntime();
    const used = arena.allocatedBytes;
    let refused = 0;
    for (let c = 0; c < 5000; c++) {
      const b = good.slice(0, g.chance(0.2) ? g.int(0, good.length) : good.length);
      for (let k = g.int(1, 4); k > 0; k--) if (b.length) b[g.int(0, b.length - 1)] = g.u32() & 255;
      try {
        const m = load(b);
        // a file that still loads must give a working model with finite weights
        expect(Object.values(m.stateDict()).every((a) => a.every(Number.isFinite))).toBe(true);
        m.dispose();
      } catch (e) {
        expect(e, `corruption case ${c}`).toBeInstanceOf(RnnWasmError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(used); // never grows (the finalizer may free abandoned layers)
  });
});
