// Finite-difference checks of every gradient backward returns, independent of the PyTorch
// fixtures. E = Σ output·R + Σ hN·S (+ Σ cN·Q); central differences with step 1e-2 (ReLU: 2e-3) on
// float32 forwards, the sum taken in float64. Expected agreement: truncation O(h²) plus
// float32 noise ≈ 1e-4 relative; tolerance 2e-3 of the tensor's largest gradient.
// ReLU is not differentiable at 0: there the analytic gradient is compared with the closest
// of the central and the two one-sided differences (a step may cross a kink).
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, LSTM, RNN, type RecurrentLayer, type RecurrentOptions } from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

type Make = (o: RecurrentOptions) => RecurrentLayer;
const cells: [string, Make][] = [
  ['LSTM', (o) => new LSTM(o)],
  ['GRU', (o) => new GRU(o)],
  ['RNN tanh', (o) => new RNN(o)],
  ['RNN relu', (o) => new RNN({ ...o, nonlinearity: 'relu' })],
];

const SMOOTH_STEP = 1e-2;
const RELU_STEP = 2e-3; // fewer kink crossings; float32 noise still well inside TOL
const TOL = 2e-3;

interface Setup { T: number; B: number; make: () => RecurrentLayer; train: boolean }

function energy(layer: RecurrentLayer, x: Float32Array, shape: number[], h0: Float32Array, c0: Float32Array | undefined, R: Float32Array, S: Float32Array) {
  const f = layer.forward(x, { shape, h0, c0 });
  let e = 0;
  for (let i = 0; i < f.output.length; i++) e += f.output[i] * R[i];
  for (let i = 0; i < f.hN.length; i++) e += f.hN[i] * S[i];
  if (f.cN) for (let i = 0; i < f.cN.length; i++) e += f.cN[i] * S[i] * 0.5;
  return { e, f };
}

function check({ T, B, make, train }: Setup) {
  const base = make();
  if (!train) base.eval();
  const I = base.inputSize, H = base.hiddenSize, LD = base.numLayers * base.numDirections;
  const shape = base.batchFirst ? [B, T, I] : [T, B, I];
  const x = randoms(T * B * I, 11), h0 = randoms(LD * B * H, 12);
  const c0 = base.mode === 'LSTM' ? randoms(LD * B * H, 13) : undefined;
  const { f } = energy(base, x, shape, h0, c0, new Float32Array(0), new Float32Array(0));
  const R = randoms(f.output.length, 14), S = randoms(f.hN.length, 15);
  const cS = c0 ? S.map((v) => v * 0.5) : undefined;
  const weights = base.stateDict();
  // the analytic gradients, from the same (first) forward of a same-seed layer
  const layer = make();
  if (!train) layer.eval();
  layer.loadStateDict(weights);
  energy(layer, x, shape, h0, c0, R, S);
  const g = layer.backward(R, { dhN: S, dcN: cS });
  const grads = Object.fromEntries(layer.namedParameters().map((p) => [p.name, p.grad.slice()]));

  // E as a function of one perturbed value, with the mask of a fresh same-seed layer's first forward
  const probe = (mutate: (w: Record<string, Float32Array>, xs: Float32Array, h: Float32Array, c?: Float32Array) => void) => {
    const l = make();
    if (!train) l.eval();
    const w = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, v.slice()]));
    const xs = x.slice(), h = h0.slice(), c = c0?.slice();
    mutate(w, xs, h, c);
    l.loadStateDict(w);
    const { e } = energy(l, xs, shape, h, c, R, S);
    l.dispose();
    return e;
  };
  const STEP = base.mode === 'RNN_RELU' ? RELU_STEP : SMOOTH_STEP;
  const e0 = probe(() => {});
  // candidate slopes: central for smooth cells; for ReLU also both one-sided slopes, since a
  // ±step may cross a kink and only the slope on the current side is the true derivative
  const fd = (set: (d: number) => (w: Record<string, Float32Array>, xs: Float32Array, h: Float32Array, c?: Float32Array) => void) => {
    const ep = probe(set(STEP)), em = probe(set(-STEP));
    const central = (ep - em) / (2 * STEP);
    return base.mode === 'RNN_RELU' ? [central, (ep - e0) / STEP, (e0 - em) / STEP] : [central];
  };

  const report: Record<string, number> = {};
  const compare = (name: string, analytic: Float32Array, numeric: (i: number) => number[]) => {
    const scale = Math.max(...Array.from(analytic, Math.abs), 1e-3);
    let worst = 0;
    for (let i = 0; i < analytic.length; i++) {
      const err = Math.min(...numeric(i).map((n) => Math.abs(n - analytic[i])));
      worst = Math.max(worst, err / scale);
    }
    report[name] = worst;
  };
  for (const [name, a] of Object.entries(grads)) {
    compare(name, a, (i) => fd((d) => (w) => { w[name][i] += d; }));
  }
  compare('dInput', g.dInput, (i) => fd((d) => (_w, xs) => { xs[i] += d; }));
  compare('dh0', g.dh0, (i) => fd((d) => (_w, _x, h) => { h[i] += d; }));
  if (c0) compare('dc0', g.dc0!, (i) => fd((d) => (_w, _x, _h, c) => { c![i] += d; }));
  base.dispose();
  layer.dispose();
  return report;
}

describe('finite-difference gradient checks', () => {
  for (const [cell, make] of cells) {
    it(`${cell}: 2 layers, bidirectional, H = 5 (vector body + tail), I = 3`, () => {
      const r = check({ T: 4, B: 2, train: false, make: () => make({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 3 }) });
      expect(Object.entries(r).filter(([, e]) => !(e < TOL)), JSON.stringify(r)).toEqual([]);
    });
    it(`${cell}: batchFirst, no bias, 1 layer, T = 6, B = 3`, () => {
      const r = check({ T: 6, B: 3, train: false, make: () => make({ inputSize: 2, hiddenSize: 4, bias: false, batchFirst: true, seed: 4 }) });
      expect(Object.entries(r).filter(([, e]) => !(e < TOL)), JSON.stringify(r)).toEqual([]);
    });
  }
  it('LSTM with dropout 0.4 between 3 layers, in training mode (gradients flow through the mask)', () => {
    const r = check({ T: 3, B: 2, train: true, make: () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 3, dropout: 0.4, seed: 5 }) });
    expect(Object.entries(r).filter(([, e]) => !(e < TOL)), JSON.stringify(r)).toEqual([]);
  });
});
