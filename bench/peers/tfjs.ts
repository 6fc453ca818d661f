// TensorFlow.js (tfjs-layers on the wasm backend, one thread; and the pure-JS cpu backend):
// the same model as ours, built as a Keras user would (tf.sequential of an LSTM/GRU/SimpleRNN
// with returnSequences and a Dense head), trained with model.trainOnBatch and plain SGD.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import { asyncJob, type Job } from '../compare.js';
import { oneHotStream, STREAM, tokens, type Config, type Data } from '../suite.js';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The Node bundle of tfjs-entry.ts (build/ is git-ignored). */
export const TFJS_BUNDLE = path.join(ROOT, 'build/bench/tfjs.cjs');
/** Where Node loads the backend's .wasm files from: the package itself. */
export const TFJS_WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;

export type Backend = 'wasm' | 'cpu';
export const systemName = (b: Backend) => (b === 'wasm' ? 'TF.js wasm' : 'TF.js cpu');

interface Bundle {
  tf: typeof TfCore;
  tfl: typeof TfLayers;
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

export const version = (pkg: string): string =>
  JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version as string;

/** Bundle tfjs-entry.ts for Node (CommonJS, so the wasm glue's require('fs') and __dirname work). */
export async function bundleTfjs(): Promise<string> {
  const { build } = await import('esbuild');
  await mkdir(path.dirname(TFJS_BUNDLE), { recursive: true });
  await build({
    entryPoints: [fileURLToPath(new URL('./tfjs-entry.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'cjs', outfile: TFJS_BUNDLE, logLevel: 'error',
    mainFields: ['module', 'main'], // the ES modules (see tfjs-entry.ts), not the Node builds
  });
  return TFJS_BUNDLE;
}

export interface Tfjs {
  readonly tf: typeof TfCore;
  readonly tfl: typeof TfLayers;
  readonly info: string;
  use(b: Backend): Promise<void>;
}

export async function loadTfjs(): Promise<Tfjs> {
  await bundleTfjs();
  const m = require(TFJS_BUNDLE) as Bundle;
  const { tf, tfl } = m;
  // One thread, set before the backend initialises (it is read once, at init). In Node the
  // .wasm is read from disk: point the backend at the package's dist/ folder.
  m.setThreadsCount(1);
  m.setWasmPaths(TFJS_WASM_DIR);
  if (!(await tf.setBackend('wasm'))) throw new Error('bench: TF.js wasm backend failed to initialise');
  const threads = m.getThreadsCount();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  if (threads !== 1 || !simd) throw new Error(`bench: TF.js wasm runs ${threads} threads, SIMD ${simd}; expected 1 thread with SIMD`);
  // (not IS_TEST to silence the cpu backend's "install tfjs-node" banner: it turns on a leak check per kernel)
  return {
    tf, tfl,
    info: `wasm backend: ${threads} thread, SIMD ${simd}, tfjs-backend-wasm-simd.wasm; cpu backend: plain JS`,
    async use(b) { if (tf.getBackend() !== b) await tf.setBackend(b); },
  };
}

const LR = 0.01;

function buildModel(t: Tfjs, c: Config, opts: { stateful?: boolean } = {}): TfLayers.Sequential {
  const { tf, tfl } = t;
  // Keras defaults differ from PyTorch's: sigmoid (not hard sigmoid) gates, and a uniform
  // recurrent init instead of 'orthogonal' (a QR decomposition in JS at build time, which a
  // user loading weights would not pay either). GRU: tfjs-layers has no reset_after=true
  // (PyTorch's form); its reset_before GRU does the same GEMM work.
  const shape = opts.stateful ? { batchInputShape: [1, 1, c.I] } : { inputShape: [c.T, c.I] };
  const args = { units: c.H, returnSequences: !opts.stateful, stateful: !!opts.stateful, recurrentInitializer: 'glorotUniform', ...shape } as const;
  const rnn = c.cell === 'LSTM' ? tfl.layers.lstm({ ...args, recurrentActivation: 'sigmoid' })
    : c.cell === 'GRU' ? tfl.layers.gru({ ...args, recurrentActivation: 'sigmoid' })
      : tfl.layers.simpleRNN({ ...args, activation: 'tanh' });
  const model = tfl.sequential({ layers: [rnn, tfl.layers.dense({ units: c.O, activation: opts.stateful ? 'softmax' : 'linear' })] });
  model.compile({
    optimizer: tf.train.sgd(LR),
    // logits + softmax cross-entropy, as ours and PyTorch's CrossEntropyLoss
    loss: c.loss === 'ce' ? (yTrue: TfCore.Tensor, yPred: TfCore.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) : 'meanSquaredError',
  });
  return model;
}

export interface TfjsRow {
  train: Job;
  infer: Job;
  check(steps: number): Promise<number[]>;
  dispose(): void;
}

export async function tfjsRow(t: Tfjs, b: Backend, c: Config, d: Data): Promise<TfjsRow> {
  const { tf } = t;
  await t.use(b); // the model's weights and the data live in this backend
  const model = buildModel(t, c);
  const x = tf.tensor3d(d.x, [c.B, c.T, c.I]);
  const y = tf.tensor3d(d.y, [c.B, c.T, c.O]); // one-hot targets for 'ce' (softmaxCrossEntropy takes no ids)
  const system = systemName(b);
  const train = async () => model.trainOnBatch(x, y);
  const infer = async () => {
    const p = model.predict(x) as TfCore.Tensor;
    await p.data();
    p.dispose();
  };
  const withBackend = (job: Job): Job => ({ ...job, time: async (n) => { await t.use(b); return job.time(n); } });
  return {
    train: withBackend(asyncJob(system, tokens(c), train, 'await model.trainOnBatch(x, y)')),
    infer: withBackend(asyncJob(system, tokens(c), infer, 'model.predict(x), await data()')),
    async check(steps) {
      await t.use(b);
      const out: number[] = [];
      for (let i = 0; i < steps; i++) out.push(Number(await train()));
      return out;
    },
    dispose() { x.dispose(); y.dispose(); model.dispose(); },
  };
}

/** Streaming: a stateful layer (batchInputShape [1, 1, I]) carries the state between predict calls. */
export async function tfjsStream(t: Tfjs): Promise<{ step: () => void; dispose: () => void }> {
  const { tf } = t;
  await t.use('wasm');
  const model = buildModel(t, STREAM, { stateful: true });
  const input = oneHotStream();
  return {
    step() {
      input.next();
      const p = tf.tidy(() => model.predict(tf.tensor3d(input.x, [1, 1, STREAM.I])) as TfCore.Tensor);
      p.dataSync();
      p.dispose();
    },
    dispose() { model.dispose(); },
  };
}
