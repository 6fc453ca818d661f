// Writes test/fixtures/keras/<case>/: a model made by real TensorFlow.js (tfjs-layers 4.22, cpu
// backend), saved as TF.js saves it (model.json + weight shards), and expected.json with fixed
// inputs and the outputs TF.js predicts for them. The prediction comes from the model loaded
// back from the files written here (tf.loadLayersModel on the same bytes), so every fixture is a
// file TF.js itself reads, and the quantized cases hold TF.js's own dequantization.
//
//   npx tsx tools/keras-fixtures.ts          # from the repository root; deterministic output
//
// The GRU with reset_after = true (PyTorch's cell) cannot come from here: TF.js 4.22's GRUCell
// throws on resetAfter: true. tools/keras-fixtures-torch.py writes those cases from PyTorch.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const OUT = new URL('../test/fixtures/keras/', import.meta.url);
const require = createRequire(import.meta.url);
const TFJS_VERSION = (JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-layers/package.json'), 'utf8')) as { version: string }).version;

// mulberry32: a small seeded generator, so the weights and inputs do not depend on TF.js's RNG
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every initializer is 'zeros' (no seeded TF.js randomness, and no orthogonal initializer, which
// needs ops tfjs-core's Node build does not register); the weights are set afterwards.
const Z = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' } as const;
const DZ = { kernelInitializer: 'zeros', biasInitializer: 'zeros' } as const;
type Quant = 'uint8' | 'uint16' | 'float16';

interface Case {
  name: string;
  about: string;
  build(): tfl.LayersModel;
  /** Input: token ids [B, T] (vocabulary size) or features [B, T, I]. */
  input: { shape: number[]; vocab?: number };
  /** Split the weights into this many shards (as tensorflowjs_converter does past its shard size). */
  shards?: number;
  /** Quantize weights whose name matches, as tensorflowjs_converter --quantize_* does. */
  quantize?: [RegExp, Quant][];
}

const seq = (layers: tfl.layers.Layer[]): tfl.LayersModel => {
  const m = tfl.sequential();
  for (const l of layers) m.add(l);
  return m;
};
const lstm = (o: Record<string, unknown>) => tfl.layers.lstm({ recurrentActivation: 'sigmoid', ...Z, ...o } as never);
const gru = (o: Record<string, unknown>) => tfl.layers.gru({ recurrentActivation: 'sigmoid', ...Z, ...o } as never);
const rnn = (o: Record<string, unknown>) => tfl.layers.simpleRNN({ ...Z, ...o } as never);
const dense = (o: Record<string, unknown>) => tfl.layers.dense({ ...DZ, ...o } as never);

const CASES: Case[] = [
  {
    name: 'embed_lstm_dense',
    about: 'Embedding(7, 5) → LSTM(3, returnSequences) → Dense(4) at every step',
    build: () => seq([tfl.layers.embedding({ inputDim: 7, outputDim: 5, inputLength: 6 }), lstm({ units: 3, returnSequences: true }), dense({ units: 4 })]),
    input: { shape: [2, 6], vocab: 7 },
  },
  {
    name: 'simple_rnn_tanh',
    about: 'SimpleRNN(4, tanh, returnSequences), I = 5, no head',
    build: () => seq([rnn({ units: 4, activation: 'tanh', returnSequences: true, inputShape: [null, 5] })]),
    input: { shape: [3, 4, 5] },
  },
  {
    name: 'simple_rnn_relu_sigmoid',
    about: 'SimpleRNN(3, relu), last step → Dense(1, sigmoid)',
    build: () => seq([rnn({ units: 3, activation: 'relu', inputShape: [6, 5] }), dense({ units: 1, activation: 'sigmoid' })]),
    input: { shape: [2, 6, 5] },
  },
  {
    name: 'stacked_lstm_softmax',
    about: 'LSTM(3, rs) → LSTM(3, rs) → Dropout(0.25) → LSTM(4), last step → Dense(5, softmax)',
    build: () => seq([
      lstm({ units: 3, returnSequences: true, inputShape: [null, 5] }), lstm({ units: 3, returnSequences: true }),
      tfl.layers.dropout({ rate: 0.25 }), lstm({ units: 4 }), dense({ units: 5, activation: 'softmax' }),
    ]),
    input: { shape: [2, 7, 5] },
  },
  {
    name: 'bi_lstm_time_distributed',
    about: 'Bidirectional(LSTM(3, rs), concat) → TimeDistributed(Dense(2))',
    build: () => seq([
      tfl.layers.bidirectional({ layer: lstm({ units: 3, returnSequences: true }) as never, mergeMode: 'concat', inputShape: [5, 5] }),
      tfl.layers.timeDistributed({ layer: dense({ units: 2 }) }),
    ]),
    input: { shape: [2, 5, 5] },
  },
  {
    name: 'bi_lstm_stack_last',
    about: 'Bidirectional(LSTM(3, rs)) → LSTM(4), last step → Dense(3, softmax)',
    build: () => seq([
      tfl.layers.bidirectional({ layer: lstm({ units: 3, returnSequences: true }) as never, inputShape: [null, 5] }),
      lstm({ units: 4 }), dense({ units: 3, activation: 'softmax' }),
    ]),
    input: { shape: [3, 4, 5] },
  },
  {
    name: 'lstm_no_bias',
    about: 'LSTM(3, rs, useBias false) → Dense(2, useBias false)',
    build: () => seq([lstm({ units: 3, returnSequences: true, useBias: false, inputShape: [null, 5] }), dense({ units: 2, useBias: false })]),
    input: { shape: [2, 4, 5] },
  },
  {
    name: 'functional_lstm',
    about: 'tf.model (Functional): Input([6, 5]) → LSTM(3) → Dense(2, softmax); weights in two shards',
    build: () => {
      const x = tfl.input({ shape: [6, 5] });
      const h = lstm({ units: 3 }).apply(x) as tfl.SymbolicTensor;
      return tfl.model({ inputs: x, outputs: dense({ units: 2, activation: 'softmax' }).apply(h) as tfl.SymbolicTensor });
    },
    input: { shape: [2, 6, 5] },
    shards: 2,
  },
  {
    name: 'lstm_uint8',
    about: 'LSTM(4, rs) → Dense(3), every weight quantized to uint8 (TF.js dequantizes)',
    build: () => seq([lstm({ units: 4, returnSequences: true, inputShape: [null, 5] }), dense({ units: 3 })]),
    input: { shape: [2, 5, 5] },
    quantize: [[/./, 'uint8']],
  },
  {
    name: 'simple_rnn_uint16_float16',
    about: 'SimpleRNN(3, tanh, rs) → Dense(2): kernels quantized to uint16, biases to float16',
    build: () => seq([rnn({ units: 3, returnSequences: true, inputShape: [null, 5] }), dense({ units: 2 })]),
    input: { shape: [2, 4, 5] },
    quantize: [[/bias$/, 'float16'], [/kernel$/, 'uint16']],
  },
  {
    name: 'lstm_float16',
    about: 'Embedding(6, 4) → LSTM(5) last step → Dense(2, sigmoid), weights float16 (kernels) and uint16 (the rest)',
    build: () => seq([tfl.layers.embedding({ inputDim: 6, outputDim: 4 }), lstm({ units: 5 }), dense({ units: 2, activation: 'sigmoid' })]),
    input: { shape: [2, 5], vocab: 6 },
    quantize: [[/kernel$/, 'float16'], [/./, 'uint16']],
  },
  {
    name: 'gru_reset_before',
    about: "TF.js's GRU (reset_after false, the only form TF.js has): a different cell, refused",
    build: () => seq([gru({ units: 3, inputShape: [null, 5] }), dense({ units: 2 })]),
    input: { shape: [2, 4, 5] },
  },
];

// float32 → IEEE half bits, rounding to nearest even (for the float16 cases)
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) { // subnormal half (the weights here never are)
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1), mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  if (exp >= 31) return sign | 0x7c00;
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

function quantize(values: Float32Array, q: Quant): { bytes: Uint8Array; spec: { dtype: Quant; scale?: number; min?: number } } {
  if (q === 'float16') {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]);
    return { bytes: new Uint8Array(out.buffer), spec: { dtype: 'float16' } };
  }
  const levels = q === 'uint8' ? 255 : 65535;
  let min = Infinity, max = -Infinity;
  for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); }
  const scale = max > min ? (max - min) / levels : 1;
  const out = q === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] - min) / scale);
  return { bytes: new Uint8Array(out.buffer), spec: { dtype: q, scale, min } };
}

const round = (a: ArrayLike<number>) => Array.from(a, (v) => Number(v.toPrecision(9)));

async function writeCase(c: Case, seed: number): Promise<void> {
  const model = c.build();
  const r = rng(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (r() * 2 - 1) * 0.7), w.shape)));

  // what model.save() hands its IOHandler: the topology and the weights of every variable
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts!;
  const specs = a.weightSpecs!;
  const data = new Float32Array(a.weightData as ArrayBuffer);
  // the weight bytes, quantized where the case says so (TF.js's save never quantizes; its
  // converter does, writing the same manifest fields)
  const parts: Uint8Array[] = [];
  let at = 0;
  const weights = specs.map((s) => {
    const n = s.shape.reduce((x, y) => x * y, 1);
    const values = data.subarray(at, at + n);
    at += n;
    const q = c.quantize?.find(([re]) => re.test(s.name))?.[1];
    if (!q) {
      parts.push(new Uint8Array(values.slice().buffer));
      return { name: s.name, shape: s.shape, dtype: s.dtype };
    }
    const { bytes, spec } = quantize(values, q);
    parts.push(bytes);
    return { name: s.name, shape: s.shape, dtype: s.dtype, quantization: spec };
  });
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  const nShards = c.shards ?? 1;
  const size = Math.ceil(all.length / nShards);
  const paths = nShards === 1 ? ['weights.bin'] : Array.from({ length: nShards }, (_, i) => `group1-shard${i + 1}of${nShards}.bin`);
  const shards = paths.map((_, i) => all.slice(i * size, Math.min(all.length, (i + 1) * size)));
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths, weights }],
  };

  // load the files back with TF.js and predict: the expected outputs
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await tf.io.getModelArtifactsForJSON(
    modelJson as unknown as tf.io.ModelJSON,
    async (manifest) => [manifest[0].weights, tf.io.concatenateArrayBuffers(shards.map((s) => s.slice().buffer))],
  )));
  const n = c.input.shape.reduce((x, y) => x * y, 1);
  const ids = c.input.vocab !== undefined;
  const xs = ids
    ? Array.from({ length: n }, () => Math.floor(r() * c.input.vocab!))
    : Array.from({ length: n }, () => Number(((r() * 2 - 1)).toFixed(6)));
  const x = ids ? tf.tensor(xs, c.input.shape, 'int32') : tf.tensor(xs, c.input.shape, 'float32');
  const y = loaded.predict(x) as tf.Tensor;
  const original = model.predict(x) as tf.Tensor;
  const drift = Math.max(...Array.from(y.dataSync(), (v, i) => Math.abs(v - original.dataSync()[i])));
  if (!c.quantize && drift !== 0) throw new Error(`${c.name}: the reloaded model predicts differently (${drift})`);

  const dir = new URL(`${c.name}/`, OUT);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('model.json', dir), JSON.stringify(modelJson, null, 1) + '\n');
  paths.forEach((p, i) => writeFileSync(new URL(p, dir), shards[i]));
  writeFileSync(new URL('expected.json', dir), JSON.stringify({
    source: `tfjs-layers ${TFJS_VERSION}, cpu backend: model.predict of the model loaded from these files`,
    about: c.about,
    input: { dtype: ids ? 'int32' : 'float32', shape: c.input.shape, data: xs },
    output: { shape: y.shape, data: round(y.dataSync()) },
  }) + '\n');
  console.log(`${c.name.padEnd(28)} ${all.length} weight bytes, output ${JSON.stringify(y.shape)}${c.quantize ? `, quantization moved the output by ${drift.toExponential(1)}` : ''}`);
}

await tf.setBackend('cpu');
for (const c of CASES) rmSync(new URL(`${c.name}/`, OUT), { recursive: true, force: true });
for (let i = 0; i < CASES.length; i++) await writeCase(CASES[i], 1000 + i);
