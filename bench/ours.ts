// rnn-wasm's side of the comparison rows, through the public API only (what a user writes).
import { GRU, Linear, LSTM, RNN, Sequential, setThreads } from '../src/index.js';
import { Trainer } from '../src/train/index.js';
import { syncJob, type Job } from './compare.js';
import { onThreads } from './machine.js';
import { oneHotStream, softmaxRow, STREAM, tokens, type Config, type Data } from './suite.js';

export const SYSTEM = 'rnn-wasm';
/** rnn-wasm on k threads: 'rnn-wasm' (1 thread, the name the existing targets use) or 'rnn-wasm 2 threads'. */
export const oursSystem = (k: number): string => (k === 1 ? SYSTEM : `${SYSTEM} ${k} threads`);
export const LR = 0.01;

function build(c: Config, seed = 1): Sequential {
  const opts = { inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed };
  const rnn = c.cell === 'LSTM' ? new LSTM(opts) : c.cell === 'GRU' ? new GRU(opts) : new RNN({ ...opts, nonlinearity: 'tanh' });
  return new Sequential([rnn, new Linear({ inFeatures: c.H, outFeatures: c.O, seed: seed + 1 })]);
}

function batchOf(c: Config, d: Data) {
  return c.loss === 'ce'
    ? { x: d.x, xShape: [c.B, c.T, c.I], y: d.yIds!, yShape: [c.B, c.T] }
    : { x: d.x, xShape: [c.B, c.T, c.I], y: d.y, yShape: [c.B, c.T, c.O] };
}

export interface OursRow {
  /** The jobs on k threads (setThreads(k) before each repetition, outside the time). */
  train(k: number): Job;
  infer(k: number): Job;
  /** `check` on k threads. */
  checkOn(k: number): (steps: number) => Promise<number[]>;
  /** The inference model's logits for the row's input, and the model (for a peer that runs it exported). */
  logits(): Float32Array;
  model: Sequential;
  /** Losses of `steps` training steps of the timed model itself on the row's batch. */
  check(steps: number): number[];
  dispose(): void;
}

export function oursRow(c: Config, d: Data): OursRow {
  const trainModel = build(c);
  const trainer = new Trainer(trainModel, { loss: c.loss === 'ce' ? 'crossEntropy' : 'mse', optimizer: { type: 'sgd', lr: LR } });
  const inferModel = build(c);
  inferModel.eval();
  const batch = batchOf(c, d);
  const shape = [c.B, c.T, c.I];
  const logits = () => inferModel.predict(d.x, { shape });
  const check = (steps: number) => Array.from({ length: steps }, () => trainer.trainBatch(batch).loss);
  return {
    // both thread counts train the same model: results are bit-identical for every count
    train: (k) => onThreads(syncJob(oursSystem(k), tokens(c), () => { trainer.trainBatch(batch); }, 'Trainer.trainBatch (forward, loss, BPTT, SGD)'), k),
    infer: (k) => onThreads(syncJob(oursSystem(k), tokens(c), () => { logits(); }, 'model.predict → logits'), k),
    checkOn: (k) => async (steps) => { await setThreads(k); return check(steps); },
    logits,
    model: inferModel,
    check,
    dispose() { trainModel.dispose(); inferModel.dispose(); },
  };
}

/** Streaming: one `step` per call with the state carried, then a softmax in JS; `model` for a peer that runs it exported. */
export function oursStream(): { step: () => void; model: Sequential; dispose: () => void } {
  const model = build(STREAM);
  model.eval();
  const s = model.initState(1);
  const input = oneHotStream();
  const probs = new Float32Array(STREAM.O);
  return {
    step() {
      input.next();
      softmaxRow(model.step(input.x, s), probs);
    },
    model,
    dispose() { s.dispose(); model.dispose(); },
  };
}
