// One-hot (sparse) inputs take their own kernels: the input projection gathers columns of W_ih
// and the W_ih gradient adds rows of ∂E/∂gates into the columns under the nonzeros, instead of
// dense GEMMs (assembly/gemm.ts, assembly/sequence.ts). Here they must agree with the dense
// kernels, which PyTorch's fixtures check: the same layer, input and output gradient, plus one
// extra batch element of dense features whose output gradient is zero. That element turns the
// dense paths on (a single dense row does) and adds nothing but exact zeros to any gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, LSTM, RNN, type RecurrentLayer } from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

const T = 9, B = 5, I = 33;

/** x [T, B, I] with one nonzero per row (some rows two), or that plus a dense element b = B. */
function inputs(): { sparse: Float32Array; mixed: Float32Array; dOut: (D: number) => { sparse: Float32Array; mixed: Float32Array } } {
  const r = randoms(T * B * 3 + T * I, 4);
  const sparse = new Float32Array(T * B * I), mixed = new Float32Array(T * (B + 1) * I);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * I, k = Math.floor(((r[(t * B + b) * 3] + 1) / 2) * I) % I;
      sparse[row + k] = 1 + r[(t * B + b) * 3 + 1];
      if (b % 2) sparse[row + ((k + 7) % I)] = r[(t * B + b) * 3 + 2]; // ≤ I/8 nonzeros: still sparse
      mixed.set(sparse.subarray(row, row + I), (t * (B + 1) + b) * I);
    }
    mixed.set(r.subarray(T * B * 3 + t * I, T * B * 3 + (t + 1) * I), (t * (B + 1) + B) * I);
  }
  const dOut = (DH: number) => {
    const g = randoms(T * B * DH, 9), m = new Float32Array(T * (B + 1) * DH);
    for (let t = 0; t < T; t++) m.set(g.subarray(t * B * DH, (t + 1) * B * DH), t * (B + 1) * DH);
    return { sparse: g, mixed: m };
  };
  return { sparse, mixed, dOut };
}

function grads(layer: RecurrentLayer): Record<string, Float32Array> {
  return Object.fromEntries(layer.namedParameters().map((p) => [p.name, p.grad.slice()]));
}

describe('one-hot inputs (sparse kernels) against the dense kernels', () => {
  for (const [name, make] of [
    ['LSTM, 2 layers, bidirectional', () => new LSTM({ inputSize: I, hiddenSize: 6, numLayers: 2, bidirectional: true, seed: 3 })],
    ['GRU', () => new GRU({ inputSize: I, hiddenSize: 7, seed: 4 })],
    ['tanh RNN', () => new RNN({ inputSize: I, hiddenSize: 5, seed: 5 })],
  ] as const) {
    it(`${name}: outputs, states and every parameter gradient agree to float32 rounding`, () => {
      const layer = make();
      const { sparse, mixed, dOut } = inputs();
      const DH = layer.numDirections * layer.hiddenSize;
      const d = dOut(DH);

      layer.zeroGrad();
      const a = layer.forward(sparse, { shape: [T, B, I] });
      const da = layer.backward(d.sparse);
      const ga = grads(layer);

      layer.zeroGrad();
      const m = layer.forward(mixed, { shape: [T, B + 1, I] });
      const dm = layer.backward(d.mixed);
      const gm = grads(layer);

      const close = (what: string, got: ArrayLike<number>, want: ArrayLike<number>) => {
        let worst = 0, scale = 0;
        for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst, what).toBeLessThanOrEqual(1e-6 * Math.max(scale, 1e-3)); // float32 summation-order rounding
      };
      for (let t = 0; t < T; t++) {
        close(`output t=${t}`, a.output.subarray(t * B * DH, (t + 1) * B * DH), m.output.subarray(t * (B + 1) * DH, t * (B + 1) * DH + B * DH));
        close(`dInput t=${t}`, da.dInput.subarray(t * B * I, (t + 1) * B * I), dm.dInput.subarray(t * (B + 1) * I, t * (B + 1) * I + B * I));
      }
      for (const [p, g] of Object.entries(gm)) {
        expect(g.some((v) => v !== 0), p).toBe(true);
        close(p, ga[p], g);
      }
      layer.dispose();
    });
  }
});
