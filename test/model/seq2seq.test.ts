// Seq2Seq: conditioned decoders and encoder–decoders. Gradients against finite differences (every
// parameter block, the condition, source features), streaming and generation against the
// teacher-forced forward, beam search against an exhaustive search, save/load, the trainer on
// paired data (validation, clipping, schedule, checkpoint and bit-identical resume), bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Embedding, GRU, init, Linear, load, LSTM, RNN, RnnWasmError, StateError, type RecurrentLayer,
} from '../../src/index.js';
import { Seq2Seq, type Seq2SeqBatch } from '../../src/seq2seq.js';
import { seq2seqDataset, Trainer, type SequenceDataset } from '../../src/train/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { Gen } from '../support/gen.js';

beforeAll(() => init());

type Cell = 'LSTM' | 'GRU' | 'RNN';
const cell = (kind: Cell, o: ConstructorParameters<typeof LSTM>[0]): RecurrentLayer => (kind === 'LSTM' ? new LSTM(o) : kind === 'GRU' ? new GRU(o) : new RNN(o));

interface Case { name: string; make: () => Seq2Seq; batch: (g: Gen) => Seq2SeqBatch; h?: number }

// Small models of every kind: an encoder reading ids or features (bidirectional, stacked), a
// condition vector; initial states, every step, or both; tanh or linear bridge; LSTM/GRU/RNN.
const cases: Case[] = [
  {
    name: 'features → biGRU encoder → tanh bridge → 2-layer LSTM decoder with step input',
    make: () => new Seq2Seq({
      encoder: new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, seed: 1 }),
      embedding: new Embedding({ numEmbeddings: 7, embeddingDim: 3, seed: 2 }),
      decoder: new LSTM({ inputSize: 3 + 8, hiddenSize: 5, numLayers: 2, seed: 3 }),
      head: new Linear({ inFeatures: 5, outFeatures: 7, seed: 4 }),
    }, { stepInput: true, seed: 5 }),
    batch: (g) => ({ source: g.floats(3 * 5 * 3), sourceShape: [3, 5, 3], sourceLengths: [5, 3, 4], x: ids(g, 3 * 4, 7), xShape: [3, 4], lengths: [4, 2, 3] }),
  },
  {
    name: 'condition → linear bridge → GRU decoder reading features, step input',
    make: () => new Seq2Seq({
      conditionSize: 4, decoder: new GRU({ inputSize: 2 + 4, hiddenSize: 3, seed: 1 }), head: new Linear({ inFeatures: 3, outFeatures: 6, seed: 2 }),
    }, { stepInput: true, bridgeActivation: 'linear', seed: 3 }),
    batch: (g) => ({ condition: g.floats(2 * 4), conditionShape: [2, 4], x: g.floats(2 * 3 * 2), xShape: [2, 3, 2] }),
  },
  {
    name: 'token ids → 2-layer LSTM encoder → tanh bridge → RNN decoder (initial states only)',
    make: () => new Seq2Seq({
      sourceEmbedding: new Embedding({ numEmbeddings: 6, embeddingDim: 3, seed: 1 }),
      encoder: new LSTM({ inputSize: 3, hiddenSize: 3, numLayers: 2, seed: 2 }),
      embedding: new Embedding({ numEmbeddings: 5, embeddingDim: 2, seed: 3 }),
      decoder: new RNN({ inputSize: 2, hiddenSize: 4, seed: 4 }),
      head: new Linear({ inFeatures: 4, outFeatures: 5, bias: false, seed: 5 }),
    }, { seed: 6 }),
    batch: (g) => ({ source: ids(g, 3 * 4, 6), sourceShape: [3, 4], sourceLengths: [2, 4, 1], x: ids(g, 3 * 3, 5), xShape: [3, 3] }),
  },
  {
    name: 'condition at every step only (no bridge), LSTM decoder',
    make: () => new Seq2Seq({
      conditionSize: 3, embedding: new Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 1 }),
      decoder: new LSTM({ inputSize: 2 + 3, hiddenSize: 3, seed: 2 }), head: new Linear({ inFeatures: 3, outFeatures: 4, seed: 3 }),
    }, { initState: false, stepInput: true }),
    batch: (g) => ({ condition: g.floats(2 * 3), conditionShape: [2, 3], x: ids(g, 2 * 4, 4), xShape: [2, 4], lengths: [4, 1] }),
  },
  {
    name: 'relu RNN encoder, bidirectional and stacked, → GRU decoder reading features',
    make: () => new Seq2Seq({
      encoder: new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, nonlinearity: 'relu', seed: 1 }),
      decoder: cell('GRU', { inputSize: 1, hiddenSize: 4, numLayers: 2, seed: 2 }), head: new Linear({ inFeatures: 4, outFeatures: 3, seed: 3 }),
    }, { seed: 4 }),
    batch: (g) => ({ source: g.floats(2 * 3 * 2), sourceShape: [2, 3, 2], x: g.floats(2 * 2), xShape: [2, 2, 1] }),
    h: 1e-3, // a small step keeps the differences off relu's kink
  },
];

function ids(g: Gen, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => g.int(0, V - 1));
}

// E = Σ w ⊙ logits over valid steps (a fixed random weighting: every output matters)
function objective(m: Seq2Seq, batch: Seq2SeqBatch, w: Float32Array): number {
  const { output } = m.forward(batch);
  const [N, T] = batch.xShape, O = m.outputSize;
  let e = 0;
  for (let n = 0; n < N; n++) for (let t = 0; t < (batch.lengths?.[n] ?? T); t++) for (let o = 0; o < O; o++) e += w[(n * T + t) * O + o] * output[(n * T + t) * O + o];
  return e;
}

function masked(w: Float32Array, batch: Seq2SeqBatch, O: number): Float32Array {
  const [N, T] = batch.xShape;
  return w.map((v, i) => (Math.floor(i / O) % T < (batch.lengths?.[Math.floor(i / (O * T))] ?? T) ? v : 0));
}

describe('Seq2Seq gradients: finite differences', () => {
  for (const c of cases) {
    it(c.name, () => {
      const g = new Gen(11);
      const m = c.make();
      const batch = c.batch(g);
      const [N, T] = batch.xShape;
      const w = masked(g.floats(N * T * m.outputSize), batch, m.outputSize);
      m.zeroGrad();
      m.forward(batch);
      const grads = m.backward(w);
      // central differences of a float32 forward: truncation error ~h², rounding ~1e-7/h;
      // tolerance 2e-2 relative to the largest gradient of the tensor
      const h = c.h ?? 1e-2;
      for (const p of m.namedParameters()) {
        const an = p.grad.slice(), scale = Math.max(1e-3, ...Array.from(an, Math.abs));
        for (const i of [0, Math.floor(an.length / 2), an.length - 1]) {
          const v = p.data[i];
          p.data[i] = v + h; const up = objective(m, batch, w);
          p.data[i] = v - h; const down = objective(m, batch, w);
          p.data[i] = v;
          expect(Math.abs((up - down) / (2 * h) - an[i]) / scale, `${p.name}[${i}]`).toBeLessThan(2e-2);
        }
      }
      const input = batch.condition ?? (batch.sourceShape?.length === 3 ? batch.source : undefined);
      const dIn = grads.dCondition ?? grads.dSource;
      expect(dIn === undefined, 'a gradient for every feature input').toBe(input === undefined);
      if (input && dIn) {
        const x = input as Float32Array, scale = Math.max(1e-3, ...Array.from(dIn, Math.abs));
        for (const i of [0, Math.floor(x.length / 2), x.length - 1]) {
          const v = x[i];
          x[i] = v + h; const up = objective(m, batch, w);
          x[i] = v - h; const down = objective(m, batch, w);
          x[i] = v;
          expect(Math.abs((up - down) / (2 * h) - dIn[i]) / scale, `condition/source [${i}]`).toBeLessThan(2e-2);
        }
      }
      m.dispose();
    });
  }
});

describe('Seq2Seq inference', () => {
  it('streaming steps from initState give the teacher-forced forward, step by step', () => {
    for (const c of cases) {
      const g = new Gen(5);
      const m = c.make().eval();
      const batch = c.batch(g);
      const { lengths: _l, ...full } = batch;
      const out = m.predict(full);
      const [N, T] = batch.xShape, O = m.outputSize;
      const { condition, conditionShape, source, sourceShape, sourceLengths } = batch;
      const s = m.initState(condition ? { condition, conditionShape } : { source, sourceShape, sourceLengths });
      const F = batch.xShape.length === 3 ? batch.xShape[2] : 0;
      for (let t = 0; t < T; t++) {
        const x = F
          ? Float32Array.from({ length: N * F }, (_, i) => (batch.x as Float32Array)[(Math.floor(i / F) * T + t) * F + (i % F)])
          : Int32Array.from({ length: N }, (_, n) => (batch.x as Int32Array)[n * T + t]);
        const y = m.step(x, s);
        for (let n = 0; n < N; n++) {
          for (let o = 0; o < O; o++) expect(Math.abs(y[n * O + o] - out[(n * T + t) * O + o]), `${c.name}: step ${t}`).toBeLessThan(1e-5);
        }
      }
      s.dispose();
      m.dispose();
    }
  });

  it('beam search finds the most likely sequence (exhaustive check), greedy takes the argmax at each step', () => {
    const V = 3, L = 3;
    const m = new Seq2Seq({
      conditionSize: 2, embedding: new Embedding({ numEmbeddings: V, embeddingDim: 2, seed: 1 }),
      decoder: new GRU({ inputSize: 2, hiddenSize: 3, seed: 2 }), head: new Linear({ inFeatures: 3, outFeatures: V, seed: 3 }),
    }, { seed: 4 }).eval();
    const condition = Float32Array.from([0.7, -1.2]);
    // log P of every sequence of length L after bos 0 (no eos), by teacher forcing
    let best = { seq: [] as number[], logP: -Infinity };
    for (let code = 0; code < V ** L; code++) {
      const seq = [Math.floor(code / 9) % 3, Math.floor(code / 3) % 3, code % 3];
      const out = m.predict({ condition, conditionShape: [1, 2], x: Int32Array.from([0, seq[0], seq[1]]), xShape: [1, 3] });
      let lp = 0;
      for (let t = 0; t < L; t++) {
        const row = Array.from(out.subarray(t * V, (t + 1) * V)), max = Math.max(...row);
        lp += row[seq[t]] - max - Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
      }
      if (lp > best.logP) best = { seq, logP: lp };
    }
    const [beam] = m.generate({ condition, conditionShape: [1, 2] }, { bos: 0, maxLength: L, beamWidth: V * V, lengthPenalty: 0 });
    expect(Array.from(beam.tokens)).toEqual(best.seq);
    expect(beam.score).toBeCloseTo(best.logP, 5);
    // greedy: at each step the most likely token given the prefix
    const [greedy] = m.generate({ condition, conditionShape: [1, 2] }, { bos: 0, maxLength: L, temperature: 0 });
    const prefix = [0];
    for (let t = 0; t < L; t++) {
      const out = m.predict({ condition, conditionShape: [1, 2], x: Int32Array.from(prefix), xShape: [1, prefix.length] });
      const row = Array.from(out.subarray(t * V, (t + 1) * V));
      prefix.push(row.indexOf(Math.max(...row)));
    }
    expect(Array.from(greedy.tokens)).toEqual(prefix.slice(1));
    expect(greedy.score).toBeLessThanOrEqual(beam.score + 1e-9);
  });

  it('sampling is seeded; eos ends a sequence; text comes from the vocabulary', () => {
    const m = new Seq2Seq({
      conditionSize: 2, embedding: new Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 1 }),
      decoder: new LSTM({ inputSize: 2, hiddenSize: 3, seed: 2 }), head: new Linear({ inFeatures: 3, outFeatures: 4, seed: 3 }),
    }, { seed: 4, vocabulary: '^$ab' });
    const input = { condition: Float32Array.from([1, 0, 0, 1, 0.5, 0.5]), conditionShape: [3, 2] };
    const a = m.generate(input, { bos: 0, eos: 1, maxLength: 12, seed: 9 }), b = m.generate(input, { bos: 0, eos: 1, maxLength: 12, seed: 9 });
    expect(a).toEqual(b);
    for (const r of a) {
      expect(Array.from(r.tokens).includes(1)).toBe(false);
      expect(r.ended || r.tokens.length === 12).toBe(true);
      expect(r.text).toBe(Array.from(r.tokens, (i) => '^$ab'[i]).join(''));
    }
    expect(m.sample({ ...input, bos: 0, eos: 1, maxLength: 12, seed: 9 })).toEqual(a.map((r) => r.text));
  });
});

describe('Seq2Seq files', () => {
  it('save → load gives the same model (configuration and bits), typed by expect', () => {
    for (const c of cases) {
      const m = c.make().eval();
      const batch = c.batch(new Gen(3));
      const back: Seq2Seq = load(m.save(), { expect: 'Seq2Seq' });
      expect(back.config()).toEqual(m.config());
      expect(back.predict(batch)).toEqual(m.predict(batch));
      expect(() => load(m.save(), { expect: 'Sequential' })).toThrow(/expected a file holding a Sequential model .* but it holds a Seq2Seq model/);
      back.dispose();
      m.dispose();
    }
  });
});

describe('Seq2Seq bad input: an error naming the argument, the model unchanged', () => {
  const make = cases[1].make; // condition 4 → GRU decoder reading features
  const good = (): Seq2SeqBatch => ({ condition: new Float32Array(8).fill(0.1), conditionShape: [2, 4], x: new Float32Array(12).fill(0.2), xShape: [2, 3, 2] });
  const bad: [string, (b: Seq2SeqBatch) => unknown, RegExp][] = [
    ['condition of the wrong width', (b) => ({ ...b, condition: new Float32Array(10), conditionShape: [2, 5] }), /conditionShape: expected \[N, 4\] \(conditionSize 4\), got \[2, 5\]/],
    ['condition of the wrong batch', (b) => ({ ...b, condition: new Float32Array(12), conditionShape: [3, 4] }), /xShape: expected \[N, T, 2\] with N = 3 \(the condition's\), got \[2, 3, 2\]/],
    ['a missing condition', (b) => ({ x: b.x, xShape: b.xShape }), /this model is conditioned: give condition \[N, 4\]/],
    ['a source for a model without an encoder', (b) => ({ ...b, source: new Float32Array(2), sourceShape: [2, 1, 1] }), /this model has no encoder; give a condition/],
    ['NaN in the condition', (b) => ({ ...b, condition: Float32Array.from(b.condition as Float32Array, (v, i) => (i === 5 ? NaN : v)) }), /condition: element 5 is NaN/],
    ['condition values too few', (b) => ({ ...b, condition: new Float32Array(7) }), /condition: expected shape \[2, 4\] \(8 values\), got 7 values/],
    ['a typo', (b) => ({ ...b, conditon: b.condition }), /unknown option "conditon" \(did you mean "condition"\?\)/],
  ];
  for (const [what, mutate, message] of bad) {
    it(what, () => {
      const m = make();
      const b = good();
      m.forward(b);
      const before = m.stateDict();
      expect(() => m.forward(mutate(b) as Seq2SeqBatch)).toThrow(RnnWasmError);
      expect(() => m.forward(mutate(b) as Seq2SeqBatch)).toThrow(message);
      expect(m.stateDict()).toEqual(before);
      // the pending backward of the good forward still works
      expect(m.backward(new Float32Array(2 * 3 * 6).fill(1)).dCondition).toHaveLength(8);
      m.dispose();
    });
  }

  it('an encoder–decoder: source/target batch mismatch, a condition instead of a source, ids out of range', () => {
    const m = cases[2].make();
    const b = cases[2].batch(new Gen(1));
    expect(() => m.forward({ ...b, xShape: [2, 3], x: (b.x as Int32Array).subarray(0, 6) })).toThrow(/xShape: expected \[N, T\] with N = 3 \(the condition's\), got \[2, 3\]/);
    expect(() => m.forward({ ...b, condition: new Float32Array(9), conditionShape: [3, 3] })).toThrow(/this model has an encoder; give the source sequences/);
    const src = Int32Array.from(b.source as Int32Array); src[4] = 6;
    expect(() => m.forward({ ...b, source: src })).toThrow(/source \(token ids\): element 4 is 6; token ids must be integers in \[0, 5\]/);
    expect(() => m.forward({ ...b, sourceLengths: [2, 5, 1] })).toThrow(/sourceLengths: element 1 is 5/);
  });

  it('the parts must fit together', () => {
    const dec = () => new GRU({ inputSize: 3, hiddenSize: 2, seed: 1 });
    const head = () => new Linear({ inFeatures: 2, outFeatures: 3, seed: 2 });
    expect(() => new Seq2Seq({ decoder: dec(), head: head() })).toThrow(/conditionSize: without an encoder, expected the condition's width/);
    expect(() => new Seq2Seq({ conditionSize: 3, decoder: dec(), head: head() }, { stepInput: true })).toThrow(/inputSize 3 leaves no room for its own input beside the condition's 3/);
    expect(() => new Seq2Seq({ conditionSize: 2, decoder: new GRU({ inputSize: 3, hiddenSize: 2, bidirectional: true }), head: head() })).toThrow(/must be unidirectional/);
    expect(() => new Seq2Seq({ conditionSize: 2, decoder: dec(), head: new Linear({ inFeatures: 3, outFeatures: 3 }) })).toThrow(/head: inFeatures 3 does not match the decoder's hiddenSize 2/);
    expect(() => new Seq2Seq({ conditionSize: 2, decoder: dec(), head: head() }, { initState: false })).toThrow(/initState and stepInput are both false/);
    expect(() => new Seq2Seq({ encoder: new GRU({ inputSize: 1, hiddenSize: 2 }), conditionSize: 3, decoder: dec(), head: head() })).toThrow(/with an encoder the condition is its last layer's final states, 1 × 2 = 2 wide/);
    expect(() => new Seq2Seq({ conditionSize: 2, decoder: dec(), head: head(), encodr: 1 } as never)).toThrow(ConfigError);
    expect(() => new Seq2Seq({ conditionSize: 2, decoder: dec(), head: head() }, { stepinput: true } as never)).toThrow(/did you mean "stepInput"/);
  });

  it('backward needs the model\'s own forward', () => {
    const m = cases[0].make();
    expect(() => m.backward(new Float32Array(3))).toThrow(StateError);
    const b = cases[0].batch(new Gen(2));
    m.eval();
    m.generate({ source: b.source, sourceShape: b.sourceShape }, { bos: 0, maxLength: 2, temperature: 0 });
    expect(() => m.backward(new Float32Array(3 * 4 * 7))).toThrow(/call forward\(\) first/);
  });
});

describe('Seq2Seq training', () => {
  // reverse digit strings: source ids, target = the source reversed + eos
  function reversal(g: Gen, n: number): SequenceDataset {
    const src = Array.from({ length: n }, () => Array.from({ length: g.int(2, 4) }, () => g.int(0, 4)));
    return seq2seqDataset(src.map((s) => s.slice().reverse()), { bos: 5, eos: 6, sources: src });
  }
  const model = () => new Seq2Seq({
    sourceEmbedding: new Embedding({ numEmbeddings: 5, embeddingDim: 4, seed: 1 }),
    encoder: new GRU({ inputSize: 4, hiddenSize: 8, bidirectional: true, seed: 2 }),
    embedding: new Embedding({ numEmbeddings: 7, embeddingDim: 4, seed: 3 }),
    decoder: new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, dropout: 0.1, seed: 4 }),
    head: new Linear({ inFeatures: 8, outFeatures: 7, seed: 5 }),
  }, { seed: 6 });
  const options = { loss: 'crossEntropy' as const, optimizer: { type: 'adamw' as const, lr: 5e-3 }, clip: { maxNorm: 1 }, schedule: { type: 'cosine' as const, totalSteps: 80, warmupSteps: 5 } };

  it('fit on paired data: validation, clipping, schedule, shuffling, masks; the loss falls; memory stays flat', async () => {
    const g = new Gen(1);
    const train = reversal(g, 200), val = reversal(g, 40);
    const m = model();
    const t = new Trainer(m, options);
    const before = t.evaluate(val);
    const { arena } = getRuntime();
    const h1 = await t.fit(train, { epochs: 2, batchSize: 16, validation: val });
    const used = arena.allocatedBytes, mem = arena.memoryBytes;
    const h2 = await t.fit(train, { epochs: 4, batchSize: 16, validation: val });
    expect(arena.allocatedBytes).toBe(used);
    expect(arena.memoryBytes).toBe(mem);
    expect(h2.epochs.at(-1)!.valLoss!).toBeLessThan(before * 0.8);
    expect(h1.steps + h2.steps).toBe(6 * 13);
    await expect(t.fit(train, { tbptt: 2 })).rejects.toThrow(/truncated BPTT is for Sequential models/);
  });

  it('checkpoint in the middle of an epoch, restore, resume: bit-identical to an uninterrupted run', async () => {
    const g = new Gen(2);
    const train = reversal(g, 96);
    const fit = { epochs: 2, batchSize: 8, seed: 3 };
    const full = new Trainer(model(), options);
    await full.fit(train, fit);
    const part = new Trainer(model(), options);
    const ac = new AbortController();
    await part.fit(train, { ...fit, callbacks: { onBatchEnd: (s) => { if (s.step === 17) ac.abort(); } }, signal: ac.signal });
    const resumed = Trainer.restore(part.checkpoint());
    expect(resumed.model).toBeInstanceOf(Seq2Seq);
    await resumed.fit(train, { ...fit, resume: true });
    expect(resumed.optimizer.stepCount).toBe(full.optimizer.stepCount);
    expect(resumed.model.stateDict()).toEqual(full.model.stateDict());
  });

  it('the data set must fit the model before any update', async () => {
    const m = model();
    const t = new Trainer(m, options);
    const data = reversal(new Gen(3), 10);
    const before = m.stateDict();
    const Ts = data.sourceShape![1];
    await expect(t.fit({ ...data, sourceShape: [9, Ts], source: (data.source as Int32Array).subarray(0, 9 * Ts) }, { epochs: 1 }))
      .rejects.toThrow(/fit data\.sourceShape: expected 10 samples \(xShape\[0\]\) first, got \[9, \d\]/);
    await expect(t.fit({ x: data.x, xShape: data.xShape, y: data.y, yShape: data.yShape }, { epochs: 1 })).rejects.toThrow(/give the source sequences/);
    expect(() => new Trainer(m, options).trainBatch({ ...data, y: Int32Array.from(data.y, () => 9) })).toThrow(/y: element 0 is 9; class ids must be integers in \[0, 6\]/);
    expect(m.stateDict()).toEqual(before);
  });
});

