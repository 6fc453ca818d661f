// Bad input to the pen-stroke API: NaN offsets, pen states that are not one-hot, empty drawings,
// steps after the end that are not the end state, wrong shapes, unknown or mistyped options,
// models that are not pen models. Each gets an Error subclass of src/errors.ts naming the
// argument (and the element), and changes nothing: the weights, the optimizer, the arena and a
// stream are as before, and the next valid call gives the bits of a twin that never saw it.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Embedding, init, Linear, LSTM, NonFiniteError, RnnWasmError, Sequential, ShapeError } from '../../src/index.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { mdnLoss, mdnOutputSize, penDataset, sampleSketch, SketchStream } from '../../src/sketch/index.js';
import { lossAndGrad, Trainer, type SequenceDataset } from '../../src/train/index.js';

beforeAll(() => init());

const M = 2, C = mdnOutputSize(M);
const model = (seed = 1) => new Sequential([
  new LSTM({ inputSize: 5, hiddenSize: 6, batchFirst: true, seed }),
  new Linear({ inFeatures: 6, outFeatures: C, seed: seed + 1 }),
]);
// two drawings of T = 4: one ends at step 2 (then padding), one runs the whole length
const strokes = () => Float32Array.of(
  0.5, 0.1, 1, 0, 0, -0.2, 0.3, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
  0.1, 0.1, 1, 0, 0, 0.2, -0.4, 1, 0, 0, -0.3, 0.2, 1, 0, 0, 0.4, 0.1, 0, 1, 0,
);
const dataset = (y = strokes()): SequenceDataset => ({ ...penDataset(strokes(), { shape: [2, 4, 5] }), y });
const spec = { type: 'mixtureDensity' as const, components: M };
const fingerprint = (m: Sequential, t?: Trainer) => JSON.stringify([
  Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v)]),
  m.namedParameters().map((p) => Array.from(p.grad)),
  t ? t.optimizer.stateDict().buffers.map((b) => b.map((a) => Array.from(a))) : [],
]);
const with_ = (y: Float32Array, i: number, v: number) => { const c = y.slice(); c[i] = v; return c; };
const withRow = (y: Float32Array, row: number, pen: number[]) => { const c = y.slice(); c.set(pen, row * 5 + 2); return c; };

type ErrorClass = abstract new (...args: never[]) => RnnWasmError;

/** Expect `fn` to throw `cls` with a message matching each pattern. */
function refuses(fn: () => unknown, cls: ErrorClass, ...patterns: RegExp[]): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'threw').toBeInstanceOf(cls);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

describe('Trainer with the mixture density loss: bad targets are refused before any update', () => {
  const bad: [string, () => SequenceDataset, ErrorClass, RegExp[]][] = [
    ['a NaN offset', () => dataset(with_(strokes(), 26, NaN)), NonFiniteError, [/trainBatch batch\.y: element 26 is (number )?NaN/]],
    ['an infinite offset', () => dataset(with_(strokes(), 0, Infinity)), NonFiniteError, [/trainBatch batch\.y: element 0 is (number )?Infinity/]],
    ['a pen state [0.5, 0.5, 0]', () => dataset(withRow(strokes(), 1, [0.5, 0.5, 0])), ShapeError, [/batch\.y: sample 0, step 1 \(elements 5–9\) has the pen state \[0\.5, 0\.5, 0\]; expected one-hot/]],
    ['a pen state [1, 1, 0]', () => dataset(withRow(strokes(), 5, [1, 1, 0])), ShapeError, [/sample 1, step 1/, /one-hot/]],
    ['a pen state [0, 0, 0]', () => dataset(withRow(strokes(), 7, [0, 0, 0])), ShapeError, [/sample 1, step 3/, /one-hot/]],
    ['an empty drawing', () => dataset(withRow(strokes(), 4, [0, 0, 1]).map((v, i) => (i >= 20 ? [0, 0, 0, 0, 1][i % 5] : v))), ShapeError, [/sample 1 is empty: its first step \(elements 20–24\) is already the end state/]],
    ['a drawn step after the end', () => dataset(withRow(strokes(), 3, [1, 0, 0])), ShapeError, [/sample 0, step 3 .* follows the end of the drawing/]],
    ['targets [N, T, 4]', () => ({ ...dataset(), y: new Float32Array(2 * 4 * 4), yShape: [2, 4, 4] }), ShapeError, [/yShape: loss mixtureDensity needs stroke-5 targets \[2, 4, 5\]/]],
    ['class-id targets', () => ({ ...dataset(), y: new Int32Array(8), yShape: [2, 4] }), ShapeError, [/yShape/]],
  ];
  for (const [what, data, cls, patterns] of bad) {
    it(`${what}: ${cls.name}, the model and the optimizer unchanged; the next batch = a twin's`, () => {
      const a = model(), b = model();
      const ta = new Trainer(a, { loss: spec, optimizer: { type: 'adam', lr: 0.01 } });
      const tb = new Trainer(b, { loss: spec, optimizer: { type: 'adam', lr: 0.01 } });
      ta.trainBatch(dataset());
      tb.trainBatch(dataset());
      const before = fingerprint(a, ta);
      refuses(() => ta.trainBatch(data()), cls, ...patterns);
      expect(fingerprint(a, ta)).toBe(before);
      const ra = ta.trainBatch(dataset()), rb = tb.trainBatch(dataset());
      expect(ra.loss).toBe(rb.loss);
      expect(fingerprint(a, ta)).toBe(fingerprint(b, tb));
      a.dispose(); b.dispose();
    });
  }

  it('fit and evaluate check the whole data set (and validation) before the first update', async () => {
    const m = model(), t = new Trainer(m, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 } });
    const before = fingerprint(m, t);
    await expect(t.fit(dataset(with_(strokes(), 31, NaN)), { epochs: 1, batchSize: 1 })).rejects.toThrow(/fit data\.y: element 31 is (number )?NaN/);
    await expect(t.fit(dataset(), { epochs: 1, validation: dataset(withRow(strokes(), 6, [0, 0.5, 0.5])) })).rejects.toThrow(/fit validation\.y: sample 1, step 2/);
    expect(() => t.evaluate(dataset(withRow(strokes(), 0, [0, 0, 1])))).toThrow(/evaluate data\.y: sample 0 is empty/);
    expect(fingerprint(m, t)).toBe(before);
    m.dispose();
  });

  it('padding past lengths is not read: its pen states need not be one-hot', () => {
    const y = strokes();
    y.fill(0, 30); // sample 1, steps 2 and 3: (0, 0, 0, 0, 0)
    const data = { ...dataset(y), lengths: Int32Array.of(4, 2) };
    const t = new Trainer(model(), { loss: spec, optimizer: { type: 'sgd', lr: 0.1 } });
    expect(Number.isFinite(t.trainBatch(data).loss)).toBe(true);
    refuses(() => t.trainBatch(dataset(y)), ShapeError, /sample 1, step 2 .* one-hot/); // without the lengths they are steps
    t.model.dispose();
  });

  it('a model that is not an MDN head of that size, or gives one output per sequence, is refused', () => {
    const t = new Trainer(model(), { loss: { type: 'mixtureDensity', components: 3 }, optimizer: { type: 'sgd', lr: 0.1 } });
    refuses(() => t.trainBatch(dataset()), ShapeError, /mixtureDensity with 3 components needs a head of 6·3 \+ 3 = 21 outputs per step.*the model gives 15/);
    t.model.dispose();
    const last = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 4, batchFirst: true }), new Linear({ inFeatures: 4, outFeatures: C })], { output: 'last' });
    const t2 = new Trainer(last, { loss: spec, optimizer: { type: 'sgd', lr: 0.1 } });
    refuses(() => t2.trainBatch({ ...dataset(), y: new Float32Array(2 * C), yShape: [2, C] }), ShapeError, /output must be 'sequence'/);
    last.dispose();
  });

  it('the loss spec refuses unknown keys, a missing or wrong components', () => {
    const m = model();
    const make = (loss: unknown) => () => new Trainer(m, { loss: loss as never, optimizer: { type: 'sgd', lr: 0.1 } });
    refuses(make({ type: 'mixtureDensity', components: 2, component: 2 }), ConfigError, /loss: unknown option "component"/);
    refuses(make({ type: 'mixtureDensity', components: 2, sigmaMin: 1e-3 }), ConfigError, /unknown option "sigmaMin"/);
    refuses(make({ type: 'mixtureDensity' }), ConfigError, /option "components" is required/);
    for (const c of [0, 2.5, '2', -1, NaN]) refuses(make({ type: 'mixtureDensity', components: c }), ConfigError, /loss components: expected an integer in \[1, 65536\]/);
    refuses(make({ type: 'mixtureDensty', components: 2 }), ConfigError, /mixtureDensity/);
    m.dispose();
  });

  it('without rnn-wasm/sketch imported, the loss says where it is defined', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { init, LSTM, Linear, Sequential } from './src/index.ts';
      import { Trainer } from './src/train/index.ts';
      await init();
      const m = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 4 }), new Linear({ inFeatures: 4, outFeatures: 15 })]);
      try { new Trainer(m, { loss: { type: 'mixtureDensity', components: 2 }, optimizer: { type: 'sgd', lr: 1 } }); } catch (e) { console.log(e.name + ': ' + e.message); }
    `], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
    expect(out).toMatch(/ConfigError: loss mixtureDensity: defined by rnn-wasm\/sketch; import it/);
  });
});

describe('mdnLoss, lossAndGrad and penDataset refuse bad input, allocating nothing', () => {
  const out = new Float32Array(2 * 4 * C);
  const cases: [string, () => unknown, ErrorClass, RegExp][] = [
    ['a NaN output', () => mdnLoss(with_(out, 7, NaN), strokes(), { components: M, shape: [2, 4] }), NonFiniteError, /mdnLoss output: element 7 is NaN/],
    ['a NaN offset', () => mdnLoss(out, with_(strokes(), 1, NaN), { components: M, shape: [2, 4] }), NonFiniteError, /mdnLoss target: element 1 is NaN/],
    ['a NaN pen value', () => mdnLoss(out, with_(strokes(), 2, NaN), { components: M, shape: [2, 4] }), NonFiniteError, /mdnLoss target: element 2 is NaN/],
    ['a pen state not one-hot', () => mdnLoss(out, withRow(strokes(), 0, [1, 0, 1]), { components: M, shape: [2, 4] }), ShapeError, /mdnLoss target: sample 0, step 0 \(elements 0–4\) has the pen state \[1, 0, 1\]/],
    ['an empty drawing', () => mdnLoss(out.subarray(0, 4 * C), Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1), { components: M, shape: [1, 4] }), ShapeError, /mdnLoss target: the drawing is empty/],
    ['the output of another M', () => mdnLoss(out, strokes(), { components: 3, shape: [2, 4] }), ShapeError, /mdnLoss output: expected shape \[2, 4, 21\]/],
    ['a target of 4 per step', () => mdnLoss(out, new Float32Array(32), { components: M, shape: [2, 4] }), ShapeError, /mdnLoss target: expected shape \[2, 4, 5\]/],
    ['nested arrays', () => mdnLoss([[0]] as never, strokes(), { components: M, shape: [2, 4] }), ShapeError, /mdnLoss output: .*nested arrays are not accepted/],
    ['a shape of rank 3', () => mdnLoss(out, strokes(), { components: M, shape: [2, 4, 5] }), ShapeError, /mdnLoss options\.shape: expected \[N, T\]/],
    ['lengths past T', () => mdnLoss(out, strokes(), { components: M, shape: [2, 4], lengths: [4, 5] }), ShapeError, /mdnLoss lengths: element 1 is 5/],
    ['an unknown option', () => mdnLoss(out, strokes(), { components: M, shape: [2, 4], length: [4, 4] } as never), ConfigError, /mdnLoss: unknown option "length" \(did you mean "lengths"\?\)/],
    ['components missing', () => mdnLoss(out, strokes(), { shape: [2, 4] } as never), ConfigError, /mdnLoss: option "components" is required/],
    ['lossAndGrad with another C', () => lossAndGrad(spec, out, strokes(), { shape: [8, 21] }), ShapeError, /lossAndGrad options\.shape \[8, 21\]: a mixture of 2 components has 6·2 \+ 3 = 15 outputs per row/],
    ['lossAndGrad with a pen state not one-hot', () => lossAndGrad(spec, out, withRow(strokes(), 3, [0, 1, 1]), { shape: [8, C] }), ShapeError, /lossAndGrad target: sample 3, .*one-hot/],
    ['penDataset: a NaN offset', () => penDataset(with_(strokes(), 21, NaN), { shape: [2, 4, 5] }), NonFiniteError, /penDataset strokes: element 21 is NaN/],
    ['penDataset: [N, T, 3]', () => penDataset(strokes(), { shape: [2, 4, 3] }), ShapeError, /penDataset options\.shape: expected \[N, T, 5\]/],
    ['penDataset: an empty drawing', () => penDataset(Float32Array.of(0, 0, 0, 0, 1), { shape: [1, 1, 5] }), ShapeError, /penDataset strokes: the drawing is empty/],
    ['penDataset: a condition of another N', () => penDataset(strokes(), { shape: [2, 4, 5], condition: [1, 0, 0], conditionShape: [3, 1] }), ShapeError, /conditionShape: expected \[2, F\]/],
    ['penDataset: an unknown option', () => penDataset(strokes(), { shape: [2, 4, 5], conditions: [] } as never), ConfigError, /unknown option "conditions" \(did you mean "condition"\?\)/],
  ];
  for (const [what, fn, cls, pattern] of cases) {
    it(what, () => {
      const { arena } = getRuntime();
      const used = arena.allocatedBytes;
      refuses(fn, cls, pattern);
      expect(arena.allocatedBytes).toBe(used);
    });
  }

  it('lossAndGrad takes independent steps: an end state in the first row is fine there', () => {
    const r = lossAndGrad(spec, out.subarray(0, 2 * C), Float32Array.of(0, 0, 0, 0, 1, 0.5, 0.5, 1, 0, 0), { shape: [2, C] });
    expect(Number.isFinite(r.loss)).toBe(true);
  });
});

describe('sampleSketch and SketchStream refuse bad input, changing nothing', () => {
  it('options: unknown keys, wrong types and sizes', () => {
    const m = model();
    const before = fingerprint(m);
    const cases: [unknown, ErrorClass, RegExp][] = [
      [{ temprature: 0.5 }, ConfigError, /sampleSketch: unknown option "temprature" \(did you mean "temperature"\?\)/],
      [{ temperature: -0.1 }, ConfigError, /sampleSketch temperature: expected a finite number ≥ 0, got number -0\.1/],
      [{ temperature: NaN }, ConfigError, /temperature/],
      [{ seed: -1 }, ConfigError, /sampleSketch seed/],
      [{ maxLength: 0 }, ConfigError, /sampleSketch maxLength: expected an integer ≥ 1/],
      [{ maxLength: 2 ** 21 }, ConfigError, /maxLength: 2097152 is more than the limit/],
      [{ prefix: 'abc' }, ConfigError, /sampleSketch prefix: expected stroke-5 rows/],
      [{ prefix: [1, 0, 1, 0] }, ShapeError, /sampleSketch prefix: expected stroke-5 rows \[L, 5\] \(a multiple of 5 values\), got 4 values/],
      [{ prefix: [NaN, 0, 1, 0, 0] }, NonFiniteError, /sampleSketch prefix: element 0 is NaN/],
      [{ prefix: [1, 0, 1, 0, 0, 1, 1, 0.5, 0.5, 0] }, ShapeError, /sampleSketch prefix: step 1 \(elements 5–9\) has the pen state \[0\.5, 0\.5, 0\]/],
      [{ prefix: [1, 0, 1, 0, 0, 0, 0, 0, 0, 1] }, ShapeError, /sampleSketch prefix: step 1 .* is the end state \(p_end = 1\); expected an unfinished drawing/],
      [{ condition: [1, 0] }, ConfigError, /a Sequential model takes no condition/],
      ['fast', ConfigError, /sampleSketch: expected an options object/],
    ];
    for (const [options, cls, pattern] of cases) refuses(() => sampleSketch(m, options as never), cls, pattern);
    expect(fingerprint(m)).toBe(before);
    expect(m.training).toBe(true);
    m.dispose();
  });

  it('models that are not pen models', () => {
    const token = new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 5 }), new LSTM({ inputSize: 5, hiddenSize: 4 }), new Linear({ inFeatures: 4, outFeatures: 15 })]);
    const four = new Sequential([new LSTM({ inputSize: 4, hiddenSize: 4 }), new Linear({ inFeatures: 4, outFeatures: 15 })]);
    const ten = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 4 }), new Linear({ inFeatures: 4, outFeatures: 10 })]);
    const last = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 4 }), new Linear({ inFeatures: 4, outFeatures: 15 })], { output: 'last' });
    refuses(() => sampleSketch(token), ConfigError, /reads stroke-5 points \(5 features, no Embedding\)/);
    refuses(() => sampleSketch(four), ConfigError, /reads 4 features per step; a pen model reads the 5 of a stroke-5 point/);
    refuses(() => new SketchStream(ten), ConfigError, /SketchStream: the head outputs 10 values per step; an MDN head has 6M \+ 3/);
    refuses(() => sampleSketch(last), ConfigError, /output 'sequence'/);
    refuses(() => sampleSketch({} as never), ConfigError, /expected a Sequential or Seq2Seq pen model/);
    const s2s = new Seq2Seq({ conditionSize: 3, decoder: new LSTM({ inputSize: 8, hiddenSize: 4 }), head: new Linear({ inFeatures: 4, outFeatures: 15 }) }, { stepInput: true });
    refuses(() => sampleSketch(s2s, { condition: [1, 0, 0, 0, 0, 0], conditionShape: [2, 3] }), ShapeError, /one drawing per stream: expected a batch of 1 \(conditionShape \[1, F\]\), got 2/);
    refuses(() => sampleSketch(s2s, { condition: [1, 0] }), ShapeError, /conditionShape: expected \[N, 3\]/);
    refuses(() => sampleSketch(s2s, { condition: [NaN, 0, 0] }), NonFiniteError, /condition: element 0 is NaN/);
    for (const m of [token, four, ten, last, s2s]) m.dispose();
  });

  it('SketchStream.feed: a rejected point changes nothing (the stream then draws what its twin draws)', () => {
    const m = model().eval();
    const a = new SketchStream(m, { seed: 5, temperature: 0.7 }), b = new SketchStream(m, { seed: 5, temperature: 0.7 });
    a.feed([0.3, 0.1, 1, 0, 0]); b.feed([0.3, 0.1, 1, 0, 0]);
    refuses(() => a.feed([NaN, 0, 1, 0, 0]), NonFiniteError, /SketchStream\.feed point: element 0 is NaN/);
    refuses(() => a.feed([0, 0, 1, 1, 0]), ShapeError, /SketchStream\.feed point: elements 0–4 has the pen state \[1, 1, 0\]/);
    refuses(() => a.feed([0, 0, 1, 0]), ShapeError, /SketchStream\.feed point: expected shape \[5\]/);
    refuses(() => new SketchStream(m, { seeds: 1 } as never), ConfigError, /SketchStream: unknown option "seeds" \(did you mean "seed"\?\)/);
    expect(a.steps).toBe(1);
    expect(a.output).toEqual(b.output);
    for (let i = 0; i < 5 && !b.ended; i++) expect(a.next()).toEqual(b.next());
    a.dispose(); b.dispose();
    m.dispose();
  });
});
