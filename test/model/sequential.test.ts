// Sequential: structure checks, and every gradient against finite differences for token and
// feature models, output 'sequence' and 'last', batch-first and time-major.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Dropout, Embedding, GRU, init, Linear, LSTM, RNN, Sequential, ShapeError,
} from '../../src/index.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

function energy(m: Sequential, x: ArrayLike<number>, shape: number[], R: Float32Array): number {
  const { output } = m.forward(x as Float32Array, { shape });
  let e = 0;
  for (let i = 0; i < output.length; i++) e += output[i] * R[i];
  return e;
}

// max over tensors of |fd − analytic| / max|analytic| (step 1e-2, central)
function fdCheck(make: () => Sequential, x: ArrayLike<number>, shape: number[], withInput: boolean): Record<string, number> {
  const m = make().eval();
  const R = randoms(m.forward(x as Float32Array, { shape }).output.length, 3);
  m.zeroGrad();
  m.forward(x as Float32Array, { shape });
  const { dInput } = m.backward(R);
  const report: Record<string, number> = {};
  const h = 1e-2;
  for (const p of m.namedParameters()) {
    const g = p.grad.slice();
    const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
    let worst = 0;
    const n = p.data.length;
    for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 40))) {
      const v = p.data[i];
      p.data[i] = v + h; const ep = energy(m, x, shape, R);
      p.data[i] = v - h; const em = energy(m, x, shape, R);
      p.data[i] = v;
      worst = Math.max(worst, Math.abs((ep - em) / (2 * h) - g[i]) / scale);
    }
    report[p.name] = worst;
  }
  if (withInput) {
    const xs = Float32Array.from(x);
    const scale = Math.max(1e-3, ...Array.from(dInput!, Math.abs));
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      xs[i] = v + h; const ep = energy(m, xs, shape, R);
      xs[i] = v - h; const em = energy(m, xs, shape, R);
      xs[i] = v;
      worst = Math.max(worst, Math.abs((ep - em) / (2 * h) - dInput![i]) / scale);
    }
    report.dInput = worst;
  }
  m.dispose();
  return report;
}

const within = (r: Record<string, number>) => Object.entries(r).filter(([, e]) => !(e < 2e-3));

describe('Sequential gradients (finite differences)', () => {
  it('Embedding → LSTM (2 layers) → Dropout → Linear, per timestep, batch-first', () => {
    const ids = [3, 0, 5, 5, 1, 2, 4, 6];
    const make = () => new Sequential([
      new Embedding({ numEmbeddings: 7, embeddingDim: 4, seed: 1 }),
      new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2, batchFirst: true, seed: 2 }),
      new Dropout(0.5, { seed: 3 }),
      new Linear({ inFeatures: 5, outFeatures: 3, seed: 4 }),
    ]);
    const r = fdCheck(make, ids, [2, 4], false);
    expect(Object.keys(r)).toContain('embedding.weight');
    expect(within(r), JSON.stringify(r)).toEqual([]);
  });

  it('bidirectional GRU → Linear → Linear, many-to-one (last), time-major, with input gradient', () => {
    const make = () => new Sequential([
      new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, seed: 5 }),
      new Linear({ inFeatures: 8, outFeatures: 6, seed: 6 }),
      new Linear({ inFeatures: 6, outFeatures: 2, bias: false, seed: 7 }),
    ], { output: 'last' });
    const x = randoms(5 * 2 * 3, 8);
    const r = fdCheck(make, x, [5, 2, 3], true);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['rnn.weight_ih_l0_reverse', 'head.weight', 'head1.weight', 'dInput']));
    expect(within(r), JSON.stringify(r)).toEqual([]);
  });

  it('two stacked recurrent modules (RNN → LSTM) and an unbatched sequence', () => {
    const make = () => new Sequential([
      new RNN({ inputSize: 2, hiddenSize: 3, seed: 9 }),
      new LSTM({ inputSize: 3, hiddenSize: 3, seed: 10 }),
      new Linear({ inFeatures: 3, outFeatures: 1, seed: 11 }),
    ]);
    const r = fdCheck(make, randoms(6 * 2, 12), [6, 2], true);
    expect(within(r), JSON.stringify(r)).toEqual([]);
  });
});

describe('Sequential structure and inputs', () => {
  it('names parameters as PyTorch attributes would', () => {
    const m = new Sequential([
      new Embedding({ numEmbeddings: 5, embeddingDim: 2 }), new LSTM({ inputSize: 2, hiddenSize: 3 }),
      new Dropout(0.1), new Linear({ inFeatures: 3, outFeatures: 5 }),
    ], { vocabulary: 'abcde' });
    expect(Object.keys(m.parameterShapes())).toEqual([
      'embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.weight', 'head.bias',
    ]);
    expect(m.config()).toMatchObject({ type: 'Sequential', output: 'sequence', vocabulary: 'abcde', layers: [{ name: 'embedding', type: 'Embedding' }, { name: 'rnn', type: 'LSTM' }, { name: 'dropout', type: 'Dropout', p: 0.1 }, { name: 'head', type: 'Linear' }] });
  });

  it('rejects mismatched sizes, misplaced layers, bad names and vocabularies', () => {
    expect(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3 }), new Linear({ inFeatures: 4, outFeatures: 1 })]))
      .toThrow(/layer 1 \(head: Linear.*\): inFeatures 4 does not match the 3 features/);
    expect(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3 }), new Embedding({ numEmbeddings: 3, embeddingDim: 3 })]))
      .toThrow(/an Embedding can only be the first layer/);
    expect(() => new Sequential([new Linear({ inFeatures: 2, outFeatures: 2 })])).toThrow(ConfigError);
    expect(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3 })], { names: ['a.b'] })).toThrow(/unique identifier/);
    expect(() => new Sequential([new Embedding({ numEmbeddings: 3, embeddingDim: 2 }), new GRU({ inputSize: 2, hiddenSize: 2 })], { vocabulary: 'ab' }))
      .toThrow(/exactly numEmbeddings characters .* of 2 characters for numEmbeddings 3/);
    expect(() => new Sequential([new GRU({ inputSize: 2, hiddenSize: 2, batchFirst: true }), new GRU({ inputSize: 2, hiddenSize: 2 })]))
      .toThrow(/agree on batchFirst/);
  });

  it('rejects out-of-range token ids and wrong shapes, naming the element', () => {
    const m = new Sequential([new Embedding({ numEmbeddings: 4, embeddingDim: 2 }), new GRU({ inputSize: 2, hiddenSize: 2 })]);
    expect(() => m.forward(new Int32Array([0, 1, 4, 2]), { shape: [2, 2] })).toThrow(/element 2 is 4; token ids must be integers in \[0, 3\]/);
    expect(() => m.forward([0, 1.5], { shape: [2, 1] })).toThrow(/element 1 is 1\.5/);
    expect(() => m.forward(new Int32Array(4), { shape: [2, 2, 1] })).toThrow(ShapeError);
    expect(m.forward(new Int32Array([0, 1, 3, 2]), { shape: [2, 2] }).outputShape).toEqual([2, 2, 2]);
  });
});
