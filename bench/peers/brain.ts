// brain.js 1.6.1 recurrent networks. Quirks that shape these rows:
// - one sequence at a time (no batch): a call is one sequence, tokens/s = T / time per call;
//   the timed model cycles through the batch's B sequences.
// - token models (recurrent.LSTM/GRU/RNN) take integer ids and look up a learned
//   [vocab+1, inputSize] input matrix (index 0 = start/end token) — with inputSize = 65 that is
//   the same 4H×65 input GEMM as a one-hot input. Targets are the next input id (built in); we
//   pass T−1 ids so a call is exactly T timesteps (start token + T−1 ids).
// - the update is built in: RMSprop-style with clipping at 5 (no plain SGD), lr 1e-4 here
//   (1e-2, its default, diverges within a few steps on these models).
// - recurrent.RNN is a ReLU Elman cell (no tanh option); its LSTM multiplies the forget gate
//   with the previous hidden state, not the cell state (no separate cell state): same GEMMs.
// - S uses recurrent.LSTMTimeStep (vectors in, vectors out, MSE-like on the next vector).
import { createRequire } from 'node:module';
import { syncJob, type Job } from '../compare.js';
import type { Config, Data } from '../suite.js';

const require = createRequire(import.meta.url);

export const SYSTEM = 'brain.js';
export const version = (): string => (require('brain.js/package.json') as { version: string }).version;
const LR = 1e-4;

interface Matrix { weights: Float32Array }
interface Equation { runIndex(i: number): Matrix }
interface Net {
  initialize(): void;
  bindEquation(): void;
  trainPattern(input: unknown, logErrorRate?: boolean): number;
  train(data: unknown, opts: object): unknown;
  formatData(data: unknown): unknown[];
  run(input: unknown): unknown;
  model: { equations: Equation[] };
}
type NetCtor = new (opts: object) => Net;
interface Brain { recurrent: Record<'LSTM' | 'GRU' | 'RNN' | 'LSTMTimeStep', NetCtor> }

export interface BrainRow {
  train: Job;
  infer: Job;
  check(steps: number): number[];
}

export function brainRow(c: Config, d: Data): BrainRow {
  const brain = require('brain.js') as Brain;
  if (c.loss === 'mse') return timeStepRow(brain, c, d);
  const net = new brain.recurrent[c.cell]({ inputSize: c.I, inputRange: c.I, hiddenLayers: [c.H], outputSize: c.O, learningRate: LR });
  net.initialize();
  // sequence b: the first T−1 input ids of sample b (plain arrays, as brain.js expects)
  const seqs = Array.from({ length: c.B }, (_, b) => Array.from(d.xIds!.subarray(b * c.T, b * c.T + c.T - 1)));
  let k = 0;
  // forward only, as trainPattern's forward (start token, then the ids) without the loss
  const forward = (seq: number[]) => {
    const eq = net.model.equations;
    while (eq.length < seq.length + 1) net.bindEquation();
    eq[0].runIndex(0);
    for (let t = 0; t < seq.length; t++) eq[t + 1].runIndex(seq[t] + 1);
  };
  return {
    train: syncJob(SYSTEM, c.T, () => { net.trainPattern(seqs[k++ % c.B]); }, 'trainPattern(ids): one sequence'),
    infer: syncJob(SYSTEM, c.T, () => forward(seqs[k++ % c.B]), 'equations[t].runIndex: one sequence'),
    // the error it reports is perplexity / 100 over the sequence
    check: (steps) => Array.from({ length: steps }, () => net.trainPattern(seqs[0], true)),
  };
}

function timeStepRow(brain: Brain, c: Config, d: Data): BrainRow {
  const net = new brain.recurrent.LSTMTimeStep({ inputSize: c.I, hiddenLayers: [c.H], outputSize: c.O, learningRate: LR });
  const raw = Array.from({ length: c.B }, (_, b) =>
    Array.from({ length: c.T }, (_, t) => Array.from(d.x.subarray((b * c.T + t) * c.I, (b * c.T + t + 1) * c.I))));
  // initialises the model and picks its array trainer; train() resets the training options
  // to its defaults (lr 0.01) unless given again
  net.train(raw.slice(0, 1), { iterations: 1, learningRate: LR });
  const seqs = net.formatData(raw);
  let k = 0;
  return {
    train: syncJob(SYSTEM, c.T, () => { net.trainPattern(seqs[k++ % c.B]); }, 'trainPattern(vectors): one sequence'),
    infer: syncJob(SYSTEM, c.T, () => { net.run(raw[k++ % c.B]); }, 'run(vectors): one sequence'),
    check: (steps) => Array.from({ length: steps }, () => net.trainPattern(seqs[0], true)),
  };
}
