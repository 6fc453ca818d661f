// Bad input gets an Error subclass that names the argument, the expected and the given
// shape or value, and leaves the layer exactly as it was (weights checksummed, and the
// layer still gives the same answer afterwards).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, DisposedError, GRU, init, LSTM, NonFiniteError, OutOfMemoryError, RNN, RnnWasmError, ShapeError, StateDictError, StateError,
} from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

function checksum(layer: LSTM | GRU | RNN): string {
  return JSON.stringify(Object.entries(layer.stateDict()).map(([k, v]) => [k, Array.from(v)]));
}

describe('constructor options', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['missing inputSize', () => new LSTM({ hiddenSize: 4 } as never), /inputSize: expected an integer .* got undefined/],
    ['fractional hiddenSize', () => new GRU({ inputSize: 2, hiddenSize: 1.5 }), /hiddenSize: expected an integer .* got 1\.5/],
    ['zero hiddenSize', () => new GRU({ inputSize: 2, hiddenSize: 0 }), /hiddenSize: expected an integer in \[1, .* got 0/],
    ['negative numLayers', () => new RNN({ inputSize: 2, hiddenSize: 3, numLayers: -1 }), /numLayers: .* got -1/],
    ['string inputSize', () => new RNN({ inputSize: '3' as never, hiddenSize: 3 }), /inputSize: .* got "3"/],
    ['dropout 1', () => new LSTM({ inputSize: 2, hiddenSize: 3, dropout: 1 }), /dropout: expected a probability in \[0, 1\), got number 1/],
    ['dropout NaN', () => new LSTM({ inputSize: 2, hiddenSize: 3, dropout: NaN }), /dropout: .* got number NaN/],
    ['non-boolean bidirectional', () => new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: 'yes' as never }), /bidirectional: expected true or false, got "yes"/],
    ['unknown option', () => new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 2 } as never), /unknown option "projSize" \(LSTM projections are not supported\)/],
    ['typo', () => new GRU({ inputSize: 2, hiddenSize: 3, numLayer: 2 } as never), /unknown option "numLayer"/],
    ['bad nonlinearity', () => new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'sigmoid' as never }), /nonlinearity: expected 'tanh' or 'relu', got "sigmoid"/],
    ['no options', () => new LSTM(undefined as never), /expected an options object/],
    ['too many parameters for 32-bit memory', () => new LSTM({ inputSize: 40000, hiddenSize: 40000 }), /parameters .* exceeds 32-bit WebAssembly memory/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      expect(make).toThrow(RnnWasmError);
      expect(make).toThrow(message);
    });
  }
  it('nonlinearity is only an RNN option', () => {
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu' } as never)).toThrow(ConfigError);
  });
});

describe('forward / backward arguments', () => {
  const make = () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 9 });
  const x = randoms(5 * 2 * 3, 1);
  const shape = [5, 2, 3];

  const bad: [string, (l: LSTM) => unknown, new (...args: never[]) => RnnWasmError, RegExp][] = [
    ['x too short', (l) => l.forward(x.subarray(1), { shape }), ShapeError, /forward x: expected shape \[5, 2, 3\] \(30 values\), got 29 values/],
    ['shape rank', (l) => l.forward(x, { shape: [30] }), ShapeError, /options\.shape must be \[T, B, 3\] .* got \[30\]/],
    ['zero in shape', (l) => l.forward(x, { shape: [0, 2, 3] }), ShapeError, /positive integers, got \[0, 2, 3\]/],
    ['fractional shape', (l) => l.forward(x, { shape: [2.5, 4, 3] }), ShapeError, /positive integers, got \[2\.5, 4, 3\]/],
    ['last dim ≠ inputSize', (l) => l.forward(x, { shape: [5, 3, 2] }), ShapeError, /last dimension of shape \[5, 3, 2\] must be inputSize 3/],
    ['no options', (l) => l.forward(x, undefined as never), ShapeError, /options must be an object with a "shape"/],
    ['nested arrays', (l) => l.forward([[1, 2, 3]] as never, { shape: [1, 1, 3] }), ShapeError, /nested arrays are not accepted/],
    ['string x', (l) => l.forward('abc' as never, { shape: [1, 1, 3] }), ShapeError, /forward x: expected a Float32Array .* got string/],
    ['h0 wrong size', (l) => l.forward(x, { shape, h0: new Float32Array(8) }), ShapeError, /forward h0: expected shape \[2, 2, 4\] \(16 values\), got 8 values/],
    ['c0 wrong size', (l) => l.forward(x, { shape, c0: new Float32Array(17) }), ShapeError, /forward c0: expected shape \[2, 2, 4\] \(16 values\), got 17 values/],
    ['NaN in x', (l) => { const y = x.slice(); y[7] = NaN; return l.forward(y, { shape }); }, NonFiniteError, /forward x: element 7 is NaN/],
    ['Infinity in h0', (l) => { const h = new Float32Array(16); h[3] = -Infinity; return l.forward(x, { shape, h0: h }); }, NonFiniteError, /forward h0: element 3 is -Infinity/],
    ['huge T·B', (l) => l.forward(new Float32Array(3), { shape: [1e6, 1e4, 3] }), ShapeError, /forward x: shape \[1000000, 10000, 3\] is 30000000000 elements, more than the limit/],
  ];
  for (const [name, call, type, message] of bad) {
    it(`${name}: ${type.name}, layer unchanged`, () => {
      const layer = make();
      const before = checksum(layer);
      const ref = layer.forward(x, { shape }).output;
      expect(() => call(layer)).toThrow(type);
      expect(() => call(layer)).toThrow(message);
      expect(checksum(layer)).toBe(before);
      expect(layer.forward(x, { shape }).output).toEqual(ref);
      layer.dispose();
    });
  }

  it('NaN position is reported in the caller\'s batch-first layout', () => {
    const layer = new GRU({ inputSize: 3, hiddenSize: 2, batchFirst: true });
    const y = randoms(2 * 5 * 3, 3);
    y[1 * 15 + 2 * 3 + 1] = NaN; // b = 1, t = 2, feature 1
    expect(() => layer.forward(y, { shape: [2, 5, 3] })).toThrow(/element 22 is NaN/);
  });

  it('sizes whose buffers overflow 32-bit memory are refused before any allocation', () => {
    const layer = new LSTM({ inputSize: 1, hiddenSize: 1024 });
    const n = 300000 * 64;
    expect(() => layer.forward(new Float32Array(n), { shape: [300000, 64, 1] })).toThrow(OutOfMemoryError);
    expect(() => layer.forward(new Float32Array(n), { shape: [300000, 64, 1] })).toThrow(/split the batch or the sequence/);
    expect(layer.forward(new Float32Array(2), { shape: [2, 1, 1] }).output).toHaveLength(2 * 1024);
  });

  it('backward before forward, with a wrong dOutput, a wrong dhN, NaN, or after reloading weights', () => {
    const layer = make();
    expect(() => layer.backward(new Float32Array(40))).toThrow(StateError);
    expect(() => layer.backward(new Float32Array(40))).toThrow(/call forward\(\) first/);
    layer.forward(x, { shape });
    expect(() => layer.backward(new Float32Array(39))).toThrow(/backward dOutput: expected shape \[5, 2, 4\] \(40 values\), got 39 values/);
    expect(() => layer.backward(new Float32Array(40), { dhN: new Float32Array(3) })).toThrow(/backward dhN: expected shape \[2, 2, 4\]/);
    const d = new Float32Array(40); d[39] = Infinity;
    expect(() => layer.backward(d)).toThrow(NonFiniteError);
    layer.loadStateDict(layer.stateDict());
    expect(() => layer.backward(new Float32Array(40))).toThrow(StateError);
  });

  it('c0/dcN on a cell without cell state', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
    expect(() => gru.forward(x, { shape, c0: new Float32Array(8) })).toThrow(/c0 is only for LSTM/);
  });

  it('a disposed layer refuses every call, and dispose twice is harmless', () => {
    const layer = make();
    layer.dispose();
    layer.dispose();
    expect(() => layer.forward(x, { shape })).toThrow(DisposedError);
    expect(() => layer.stateDict()).toThrow(/was disposed/);
    expect(() => layer.zeroGrad()).toThrow(DisposedError);
  });
});

describe('loadStateDict', () => {
  const make = () => new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 2, seed: 4 });

  it('lists every missing, extra and mis-shaped entry, and loads nothing', () => {
    const layer = make();
    const before = checksum(layer);
    const dict: Record<string, unknown> = layer.stateDict();
    delete dict.weight_hh_l1;
    dict.weight_ih_l0 = new Float32Array(17);
    dict.bias_ih_l0 = { data: new Float32Array(6), shape: [3, 2] };
    dict.weight_hr_l0 = new Float32Array(4);
    dict.bias_hh_l1 = new Float32Array(6).fill(1); // a valid entry: must not be loaded either
    let err: unknown;
    try { layer.loadStateDict(dict as never); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StateDictError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/4 problem\(s\), nothing was loaded/);
    expect(msg).toMatch(/missing "weight_hh_l1" \(expected shape \[6, 2\]\)/);
    expect(msg).toMatch(/"weight_ih_l0": expected shape \[6, 3\] \(18 values\), got 17 values/);
    expect(msg).toMatch(/"bias_ih_l0": expected shape \[6\], got shape \[3, 2\]/);
    expect(msg).toMatch(/unexpected "weight_hr_l0"/);
    expect(checksum(layer)).toBe(before);
  });

  it('rejects NaN weights, naming the entry and the element', () => {
    const layer = make();
    const before = checksum(layer);
    const dict = layer.stateDict();
    dict.weight_hh_l0[5] = NaN;
    expect(() => layer.loadStateDict(dict)).toThrow(/"weight_hh_l0": element 5 is NaN; weights must be finite/);
    expect(checksum(layer)).toBe(before);
  });

  it('accepts Float64Array, number[] and { data, shape }', () => {
    const a = make(), b = make();
    b.resetParameters();
    const dict: Record<string, unknown> = {};
    for (const [i, [k, v]] of Object.entries(a.stateDict()).entries()) {
      dict[k] = i % 3 === 0 ? Float64Array.from(v) : i % 3 === 1 ? Array.from(v) : { data: v, shape: a.parameterShapes()[k] };
    }
    b.loadStateDict(dict as never);
    expect(checksum(b)).toBe(checksum(a));
  });
});
