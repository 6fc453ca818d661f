// ONNX Runtime Web (inference only; a devDependency, run when installed). It runs OUR inference
// model exported by the library's exportOnnx (rnn-wasm/interop), as a user would ship it: the
// batch-first graph takes the row's [B, T, I] input as predict does (its Transpose nodes are part
// of the timed run). Before timing, ORT's logits are checked against ours. Wasm backend, one thread.
import { exportOnnx } from '../../src/interop/index.js';
import type { Sequential } from '../../src/index.js';
import { asyncJob, type Job } from '../compare.js';
import { oneHotStream, type Config, type Data } from '../suite.js';

export const SYSTEM = 'ONNX Runtime Web';

// The part of onnxruntime-web's API used here, declared locally, so that the project
// type-checks without the package (it is ~145 MB installed; the bench says when it is absent).
interface OrtTensor { readonly data: unknown }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: { wasm: { numThreads: number; proxy: boolean }; versions?: { web?: string } };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: { executionProviders: string[]; graphOptimizationLevel: string }): Promise<OrtSession> };
}
const PACKAGE = 'onnxruntime-web';

export interface OrtPeer { ort: Ort; version: string; info: string }

/** Load onnxruntime-web (wasm, 1 thread), or say why not. */
export async function loadOrt(): Promise<OrtPeer | string> {
  let ort: Ort;
  try {
    ort = (await import(PACKAGE)) as Ort;
  } catch (e) {
    return `onnxruntime-web is not installed (${(e as Error).message.split('\n')[0]})`;
  }
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const version = ort.env.versions?.web ?? 'unknown';
  return { ort, version, info: 'wasm execution provider, numThreads 1, graphOptimizationLevel all' };
}

const session = (p: OrtPeer, model: Uint8Array) =>
  p.ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });

export interface OrtRow {
  infer: Job;
  /** Largest |ORT − ours| over the row's logits. */
  maxAbsDiff: number;
  dispose(): void;
}

/** ORT on the row's data with our inference model exported; `ours` = our logits [B, T, O] for d.x. */
export async function ortRow(p: OrtPeer, c: Config, d: Data, model: Sequential, ours: Float32Array): Promise<OrtRow> {
  const { B, T, I } = c;
  const s = await session(p, exportOnnx(model, { batchSize: B, sequenceLength: T }));
  const input = new p.ort.Tensor('float32', d.x, [B, T, I]);
  const run = async () => (await s.run({ input })).output.data as Float32Array;
  const y = await run();
  let maxAbsDiff = y.length === ours.length ? 0 : NaN;
  for (let i = 0; i < ours.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(y[i] - ours[i])); // NaN stays NaN
  return {
    infer: asyncJob(SYSTEM, B * T, run, 'session.run({ input }) → logits (exportOnnx graph)'),
    maxAbsDiff,
    dispose() { void s.release(); },
  };
}

/** Streaming on ORT: one run per step, the state fed back; softmax in JS like ours. */
export async function ortStream(p: OrtPeer, c: Config, model: Sequential, softmax: (v: Float32Array, out: Float32Array) => void): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const { H, I, O } = c;
  const s = await session(p, exportOnnx(model, { batchSize: 1, sequenceLength: 1, states: true }));
  const input = oneHotStream();
  const probs = new Float32Array(O);
  const feeds: Record<string, OrtTensor> = {
    input: new p.ort.Tensor('float32', input.x, [1, 1, I]), // refilled in place by next()
    h0: new p.ort.Tensor('float32', new Float32Array(H), [1, 1, H]),
  };
  if (c.cell === 'LSTM') feeds.c0 = new p.ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
  return {
    async step() {
      input.next();
      const r = await s.run(feeds);
      feeds.h0 = r.hN;
      if (r.cN) feeds.c0 = r.cN;
      softmax(r.output.data as Float32Array, probs);
    },
    dispose() { void s.release(); },
  };
}
