// Variable-length sequences in one batch: with `lengths`, a right-padded batch must give, for
// each sequence, exactly what that sequence gives alone at its true length — outputs at valid
// steps, final states (both directions), and (summed) gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, LSTM, RNN, type RecurrentLayer, type RecurrentOptions } from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

const cells: [string, (o: RecurrentOptions) => RecurrentLayer][] = [
  ['LSTM', (o) => new LSTM(o)], ['GRU', (o) => new GRU(o)], ['RNN', (o) => new RNN(o)],
];

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${what}[${i}]`).toBeLessThan(2e-6);
}

describe('padding with lengths', () => {
  for (const [name, make] of cells) {
    it(`${name}, 2 layers, bidirectional: each padded sequence equals itself alone`, () => {
      const T = 6, B = 3, I = 2, H = 5, L = 2, D = 2;
      const lengths = [6, 2, 4];
      const opts = { inputSize: I, hiddenSize: H, numLayers: L, bidirectional: true, seed: 3 };
      const batch = make(opts);
      const x = randoms(T * B * I, 1);
      const dOut = randoms(T * B * D * H, 2);
      // gradients only where the step is valid (padded outputs are not part of any loss)
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lengths[b]) dOut.fill(0, (t * B + b) * D * H, (t * B + b + 1) * D * H);
      const f = batch.forward(x, { shape: [T, B, I], lengths });
      batch.zeroGrad();
      const g = batch.backward(dOut);
      const gradSum = new Map<string, Float32Array>();
      const single = make(opts);
      for (let b = 0; b < B; b++) {
        const n = lengths[b];
        const xs = new Float32Array(n * I), ds = new Float32Array(n * D * H);
        for (let t = 0; t < n; t++) {
          xs.set(x.subarray((t * B + b) * I, (t * B + b + 1) * I), t * I);
          ds.set(dOut.subarray((t * B + b) * D * H, (t * B + b + 1) * D * H), t * D * H);
        }
        const fs = single.forward(xs, { shape: [n, 1, I] });
        for (let t = 0; t < n; t++) close(f.output.subarray((t * B + b) * D * H, (t * B + b + 1) * D * H), fs.output.subarray(t * D * H, (t + 1) * D * H), `output b=${b} t=${t}`);
        for (let s = 0; s < L * D; s++) close(f.hN.subarray((s * B + b) * H, (s * B + b + 1) * H), fs.hN.subarray(s * H, (s + 1) * H), `hN b=${b} s=${s}`);
        if (f.cN) for (let s = 0; s < L * D; s++) close(f.cN.subarray((s * B + b) * H, (s * B + b + 1) * H), fs.cN!.subarray(s * H, (s + 1) * H), `cN b=${b}`);
        single.zeroGrad();
        const gs = single.backward(ds);
        for (let t = 0; t < n; t++) close(g.dInput.subarray((t * B + b) * I, (t * B + b + 1) * I), gs.dInput.subarray(t * I, (t + 1) * I), `dInput b=${b} t=${t}`);
        for (let t = n; t < T; t++) expect(Array.from(g.dInput.subarray((t * B + b) * I, (t * B + b + 1) * I))).toEqual(new Array(I).fill(0));
        for (let s = 0; s < L * D; s++) close(g.dh0.subarray((s * B + b) * H, (s * B + b + 1) * H), gs.dh0.subarray(s * H, (s + 1) * H), `dh0 b=${b}`);
        for (const p of single.namedParameters()) {
          const acc = gradSum.get(p.name) ?? new Float32Array(p.grad.length);
          p.grad.forEach((v, i) => { acc[i] += v; });
          gradSum.set(p.name, acc);
        }
      }
      for (const p of batch.namedParameters()) {
        const want = gradSum.get(p.name)!;
        const scale = Math.max(...Array.from(want, Math.abs));
        p.grad.forEach((v, i) => expect(Math.abs(v - want[i]) / scale, p.name).toBeLessThan(1e-5));
      }
    });
  }

  it('rejects bad lengths', () => {
    const l = new GRU({ inputSize: 1, hiddenSize: 2 });
    expect(() => l.forward(new Float32Array(6), { shape: [3, 2, 1], lengths: [3] })).toThrow(/forward lengths: expected shape \[2\]/);
    expect(() => l.forward(new Float32Array(6), { shape: [3, 2, 1], lengths: [3, 4] })).toThrow(/element 1 is 4; lengths must be integers in \[0, 3\]/);
  });
});
