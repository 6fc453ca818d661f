// Inference: predict, streaming step (state in wasm, nothing allocated per step), sampling.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Embedding, GRU, init, Linear, LSTM, RNN, Sequential } from '../../src/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

const charModel = () => new Sequential([
  new Embedding({ numEmbeddings: 7, embeddingDim: 4, seed: 1 }),
  new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, batchFirst: true, dropout: 0.5, seed: 2 }),
  new GRU({ inputSize: 6, hiddenSize: 5, batchFirst: true, seed: 3 }),
  new Linear({ inFeatures: 5, outFeatures: 7, seed: 4 }),
], { vocabulary: 'abcde \n' });

describe('streaming step', () => {
  it('feeding a sequence step by step gives what forward gives for the whole sequence', () => {
    const m = charModel().eval();
    const ids = Int32Array.from([0, 3, 2, 6, 1, 1, 5, 4]);
    const T = ids.length, B = 1;
    const whole = m.forward(ids, { shape: [B, T] }).output;
    const s = m.initState();
    for (let t = 0; t < T; t++) {
      const out = m.step([ids[t]], s);
      for (let o = 0; o < 7; o++) expect(Math.abs(out[o] - whole[t * 7 + o])).toBeLessThan(1e-6);
    }
    expect(s.steps).toBe(T);
    const snap = s.snapshot();
    expect(snap).toHaveLength(2);
    expect(snap[0].c).toHaveLength(2 * 6); // LSTM: 2 layers × batch 1 × H 6
    expect(snap[1].c).toBeUndefined();
    s.dispose();
  });

  it('streams of a batch, and separate states, stay independent', () => {
    const m = new Sequential([new RNN({ inputSize: 3, hiddenSize: 4, seed: 5 }), new Linear({ inFeatures: 4, outFeatures: 2, seed: 6 })]).eval();
    const xs = randoms(5 * 2 * 3, 7);
    const both = m.initState(2);
    const a = m.initState(1), b = m.initState(1);
    for (let t = 0; t < 5; t++) {
      const xb = xs.subarray(t * 6, t * 6 + 6);
      const ob = m.step(xb, both).slice();
      const oa = m.step(xb.subarray(0, 3), a).slice();
      m.forward(randoms(12, t), { shape: [4, 1, 3] }); // unrelated work in between changes nothing
      const o2 = m.step(xb.subarray(3, 6), b).slice();
      expect(Array.from(ob)).toEqual([...oa, ...o2]);
    }
  });

  it('allocates nothing in wasm per step (2,000 steps)', () => {
    const m = charModel().eval();
    const s = m.initState();
    m.step([1], s);
    const { arena } = getRuntime();
    const mem = arena.memoryBytes, used = arena.allocatedBytes;
    const ids = new Int32Array(1);
    for (let i = 0; i < 2000; i++) { ids[0] = i % 7; m.step(ids, s); }
    expect(arena.memoryBytes).toBe(mem);
    expect(arena.allocatedBytes).toBeLessThanOrEqual(used); // never grows (the finalizer may free abandoned layers)
    s.dispose();
    expect(arena.allocatedBytes).toBeLessThan(used);
    expect(() => m.step(ids, s)).toThrow(/disposed/);
  });

  for (const kind of ['Sequential', 'Seq2Seq'] as const) {
    it(`${kind}: allocates nothing on the JS heap per step either: no garbage collection in 300,000 steps`, () => {
      const out = execFileSync(process.execPath, ['--trace-gc', '--expose-gc', '--import', 'tsx', 'test/support/stream-gc.ts', ...(kind === 'Seq2Seq' ? ['seq2seq'] : [])], {
        cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8',
      });
      const during = out.slice(out.indexOf('STEPS BEGIN'), out.indexOf('STEPS END'));
      expect(out).toMatch(/STEPS END true/);
      expect(during.match(/Scavenge|Mark-Compact|Mark-sweep/g) ?? [], during).toEqual([]);
    }, 600_000);
  }

  it('refuses bidirectional models', () => {
    const m = new Sequential([new GRU({ inputSize: 1, hiddenSize: 2, bidirectional: true })]);
    expect(() => m.initState()).toThrow(ConfigError);
  });
});

describe('sample and predict', () => {
  it('is reproducible from the seed, uses only the vocabulary, and greedy = temperature 0 = topK 1', () => {
    const m = charModel();
    const a = m.sample({ prime: 'ab', length: 40, seed: 3 });
    expect(a).toHaveLength(40);
    expect(m.sample({ prime: 'ab', length: 40, seed: 3 })).toBe(a);
    expect([...a].every((c) => 'abcde \n'.includes(c))).toBe(true);
    const greedy = m.sample({ prime: 'ab', length: 30, temperature: 0 });
    expect(m.sample({ prime: 'ab', length: 30, topK: 1, seed: 9 })).toBe(greedy);
    // greedy equals arg-max of forward applied step by step
    const ids = [0, 1];
    for (let n = 0; n < 30; n++) {
      const out = m.predict(Int32Array.from(ids), { shape: [1, ids.length] });
      const last = out.subarray((ids.length - 1) * 7);
      ids.push(last.indexOf(Math.max(...last)));
    }
    expect(ids.slice(2).map((i) => 'abcde \n'[i]).join('')).toBe(greedy);
    expect(m.training).toBe(true); // sample and predict restore the mode
    expect(() => m.sample({ prime: 'xyz' })).toThrow(/character "x" at position 0 is not in the model's vocabulary/);
  });
});
