// Behaviour that the parity fixtures do not cover: dropout in train vs eval mode, gradient
// accumulation (+=) across backward calls, zeroGrad, and re-planning for new shapes.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GRU, init, LSTM, RNN } from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

describe('dropout', () => {
  const x = randoms(6 * 4 * 3, 1);
  const shape = [6, 4, 3];

  it('applies between layers in training mode only', () => {
    const withDrop = new GRU({ inputSize: 3, hiddenSize: 8, numLayers: 3, dropout: 0.5, seed: 2 });
    const plain = new GRU({ inputSize: 3, hiddenSize: 8, numLayers: 3, seed: 2 });
    plain.loadStateDict(withDrop.stateDict());
    const ref = plain.forward(x, { shape }).output;
    expect(withDrop.training).toBe(true);
    const a = withDrop.forward(x, { shape }).output;
    const b = withDrop.forward(x, { shape }).output;
    expect(a).not.toEqual(ref);
    expect(b).not.toEqual(a); // a new mask per forward
    expect(withDrop.eval().training).toBe(false);
    expect(withDrop.forward(x, { shape }).output).toEqual(ref);
    withDrop.train();
    expect(withDrop.forward(x, { shape }).output).not.toEqual(ref);
  });

  it('masks are reproducible from the seed', () => {
    const make = () => new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, dropout: 0.3, seed: 11 });
    expect(make().forward(x, { shape }).output).toEqual(make().forward(x, { shape }).output);
  });

  it('drops about p of the units and rescales the rest by 1/(1 − p)', () => {
    // layer 1 reads layer 0's output through the mask; with an identity-like W_ih and no
    // recurrence, layer 1's pre-activation shows which units were dropped
    const H = 64, p = 0.25;
    const rnn = new RNN({ inputSize: 1, hiddenSize: H, numLayers: 2, dropout: p, nonlinearity: 'relu', bias: true, seed: 3 });
    const sd = rnn.stateDict();
    sd.weight_ih_l0.fill(0); sd.weight_hh_l0.fill(0); sd.bias_ih_l0.fill(0.5); sd.bias_hh_l0.fill(0);
    sd.weight_hh_l1.fill(0); sd.bias_ih_l1.fill(0); sd.bias_hh_l1.fill(0);
    sd.weight_ih_l1.fill(0);
    for (let i = 0; i < H; i++) sd.weight_ih_l1[i * H + i] = 1;
    rnn.loadStateDict(sd);
    const T = 50, B = 8;
    const { output } = rnn.forward(new Float32Array(T * B), { shape: [T, B, 1] });
    let zeros = 0;
    for (const v of output) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(0.5 / (1 - p), 6);
    }
    const frac = zeros / output.length; // 25,600 units: ±3σ = ±0.008
    expect(Math.abs(frac - p)).toBeLessThan(0.01);
  });

  it('warns, as PyTorch does, when dropout cannot act (one layer)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new LSTM({ inputSize: 2, hiddenSize: 2, dropout: 0.2 });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/dropout 0\.2 has no effect with numLayers 1/));
    warn.mockRestore();
  });
});

describe('gradients', () => {
  it('accumulate across backward calls until zeroGrad', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, seed: 1 });
    const x = randoms(4 * 2 * 2, 5);
    const { output } = lstm.forward(x, { shape: [4, 2, 2] });
    const d = randoms(output.length, 6);
    lstm.backward(d);
    const once = lstm.namedParameters().map((p) => p.grad.slice());
    lstm.backward(d);
    lstm.namedParameters().forEach((p, i) => {
      p.grad.forEach((g, j) => expect(g).toBeCloseTo(2 * once[i][j], 6));
    });
    lstm.zeroGrad();
    expect(lstm.namedParameters().every((p) => p.grad.every((g) => g === 0))).toBe(true);
  });

  it('new shapes re-plan the activations (bigger, then smaller) and give the same answers', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 8 });
    const small = randoms(2 * 1 * 3, 9);
    const a = gru.forward(small, { shape: [2, 1, 3] }).output;
    gru.forward(randoms(40 * 16 * 3, 10), { shape: [40, 16, 3] });
    expect(gru.forward(small, { shape: [2, 1, 3] }).output).toEqual(a);
    // unbatched [T, I] equals batched with B = 1
    expect(gru.forward(small, { shape: [2, 3] }).output).toEqual(a);
  });

  it('batchFirst equals the transposed time-major computation', () => {
    const T = 5, B = 3, I = 2;
    const tm = new LSTM({ inputSize: I, hiddenSize: 4, seed: 4 });
    const bf = new LSTM({ inputSize: I, hiddenSize: 4, seed: 4, batchFirst: true });
    const x = randoms(T * B * I, 12);
    const xt = new Float32Array(x.length);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xt[(b * T + t) * I + i] = x[(t * B + b) * I + i];
    const y = tm.forward(x, { shape: [T, B, I] });
    const yb = bf.forward(xt, { shape: [B, T, I] });
    expect(yb.outputShape).toEqual([B, T, 4]);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let h = 0; h < 4; h++) {
      expect(yb.output[(b * T + t) * 4 + h]).toBe(y.output[(t * B + b) * 4 + h]);
    }
    expect(yb.hN).toEqual(y.hN);
  });
});
