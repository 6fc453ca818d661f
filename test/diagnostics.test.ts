// Gradient flow and spectral radius against cases with exact answers.
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, Linear, LSTM, RNN, Sequential } from '../src/index.js';
import { gradientFlow, recurrentSpectralRadii, spectralRadius } from '../src/train/index.js';

beforeAll(() => init());

describe('gradientFlow', () => {
  it('a linear recurrence h = 0.8·h + … gives ‖∂E/∂h_k‖ = 0.8^(T−1−k)·‖∂E/∂h_{T−1}‖ exactly', () => {
    const H = 4, T = 30, B = 3;
    // ReLU RNN kept in its linear regime: positive inputs, weights and biases
    const rnn = new RNN({ inputSize: 1, hiddenSize: H, nonlinearity: 'relu', batchFirst: true, seed: 1 });
    const sd = rnn.stateDict();
    sd.weight_ih_l0.fill(0.5); sd.bias_ih_l0.fill(1); sd.bias_hh_l0.fill(0);
    sd.weight_hh_l0.fill(0);
    for (let i = 0; i < H; i++) sd.weight_hh_l0[i * H + i] = 0.8;
    rnn.loadStateDict(sd);
    const model = new Sequential([rnn, new Linear({ inFeatures: H, outFeatures: 1, seed: 2 })]);
    const batch = { x: new Float32Array(B * T).fill(1), xShape: [B, T, 1], y: new Float32Array(B * T), yShape: [B, T, 1] };
    model.namedParameters()[0].grad.fill(0.25); // accumulated gradients must survive
    const flow = gradientFlow(model, batch, { loss: 'mse' });
    expect(flow.layers).toHaveLength(1);
    const n = flow.layers[0].norms;
    expect(n).toHaveLength(T);
    for (let k = 0; k < T; k++) expect(n[k] / n[T - 1]).toBeCloseTo(0.8 ** (T - 1 - k), 5);
    expect(Array.from(model.namedParameters()[0].grad)).toEqual(new Array(H).fill(0.25));
    expect(recurrentSpectralRadii(model)).toEqual([{ parameter: 'rnn.weight_hh_l0', gate: 'h', radius: expect.closeTo(0.8, 6) }]);
  });

  it('reports every layer and direction; an untrained tanh RNN fades faster than its own last step', () => {
    const model = new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: 8, numLayers: 2, bidirectional: true, batchFirst: true, seed: 3 }),
      new GRU({ inputSize: 16, hiddenSize: 4, batchFirst: true, seed: 4 }),
      new Linear({ inFeatures: 4, outFeatures: 1, seed: 5 }),
    ], { output: 'last' });
    const T = 12;
    const flow = gradientFlow(model, { x: new Float32Array(2 * T * 2).fill(0.3), xShape: [2, T, 2], y: new Float32Array(2), yShape: [2, 1] }, { loss: 'mse' });
    expect(flow.layers.map((l) => `${l.module}/${l.layer}/${l.direction}`)).toEqual([
      'rnn/0/forward', 'rnn/0/reverse', 'rnn/1/forward', 'rnn/1/reverse', 'rnn1/0/forward',
    ]);
    expect(flow.layers.every((l) => l.norms.length === T && l.norms.every(Number.isFinite))).toBe(true);
    const top = flow.layers[4].norms; // the GRU under the head: the error enters at the last step
    expect(top[0]).toBeLessThan(top[T - 1]);
  });
});

describe('spectralRadius', () => {
  it('is exact on diagonal, triangular and rotation-scaled matrices', () => {
    expect(spectralRadius([0.8, 0, 0, 0.8], 2)).toBeCloseTo(0.8, 8);
    expect(spectralRadius([0.5, 3, 1, 0, -0.9, 2, 0, 0, 0.2], 3)).toBeCloseTo(0.9, 3);
    const a = Math.PI / 6, s = 1.1; // complex pair 1.1·e^{±iπ/6}
    expect(spectralRadius([s * Math.cos(a), -s * Math.sin(a), s * Math.sin(a), s * Math.cos(a)], 2)).toBeCloseTo(1.1, 8);
    expect(spectralRadius([0, 0, 0, 0], 2)).toBe(0);
    expect(() => spectralRadius([1, 2, 3], 2)).toThrow(/expected an n×n matrix/);
  });

  it('lists one radius per gate block of each W_hh', () => {
    const r = recurrentSpectralRadii(new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 1 }));
    expect(r.map((x) => `${x.parameter}:${x.gate}`)).toEqual([
      'weight_hh_l0:i', 'weight_hh_l0:f', 'weight_hh_l0:g', 'weight_hh_l0:o',
      'weight_hh_l1:i', 'weight_hh_l1:f', 'weight_hh_l1:g', 'weight_hh_l1:o',
    ]);
    expect(r.every((x) => x.radius > 0 && x.radius < 1.5)).toBe(true);
  });
});
