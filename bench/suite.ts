// The comparison suite: one definition of every configuration and of its data, so that ours
// and every peer run the same shapes on the same numbers (the peers convert these arrays to
// their own formats; nothing is re-randomised per library).
import { randoms } from './gemm.js';

export type Cell = 'LSTM' | 'GRU' | 'RNN';

export interface Config {
  /** Row name in the report: S, M, L, M-GRU, M-RNN. */
  readonly id: string;
  readonly cell: Cell;
  /** Input features (one-hot width when `classes`). */
  readonly I: number;
  readonly H: number;
  /** Outputs of the per-timestep linear head. */
  readonly O: number;
  readonly T: number;
  readonly B: number;
  /** 'ce': one-hot inputs, class-id targets, softmax cross-entropy; 'mse': real inputs and targets. */
  readonly loss: 'ce' | 'mse';
}

const M = { cell: 'LSTM', I: 65, H: 128, O: 65, T: 64, B: 32, loss: 'ce' } as const;

export const CONFIGS: readonly Config[] = [
  { id: 'S', cell: 'LSTM', I: 8, H: 32, O: 8, T: 64, B: 32, loss: 'mse' },
  { id: 'M', ...M },
  { id: 'L', ...M, H: 512 },
  { id: 'M-GRU', ...M, cell: 'GRU' },
  { id: 'M-RNN', ...M, cell: 'RNN' },
];

/** The streaming row: M's model, batch 1, one timestep per call, state carried. */
export const STREAM = { ...M, id: 'stream', B: 1, T: 1 } as const satisfies Config;
/** Steps timed per system for the streaming row (the median is over single steps). */
export const STREAM_STEPS = 2400;

export const gates = (cell: Cell): number => (cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1);

/** Forward GEMM flops per token: 2·G·H·(I+H) + 2·H·O (elementwise work ignored); training = 3×. */
export const fwdFlopsPerToken = (c: Config): number => 2 * gates(c.cell) * c.H * (c.I + c.H) + 2 * c.H * c.O;

export const tokens = (c: Config): number => c.B * c.T;

export interface Data {
  /** Inputs [B, T, I], batch-major (one-hot rows for 'ce'). */
  readonly x: Float32Array;
  /** 'ce': the input ids [B, T] behind the one-hot x. */
  readonly xIds?: Int32Array;
  /** 'ce': target class ids [B, T]. */
  readonly yIds?: Int32Array;
  /** 'mse': targets [B, T, O]; 'ce': the one-hot of yIds (for libraries that need it). */
  readonly y: Float32Array;
}

/** Deterministic ids in [0, n) (xorshift32). */
export function ids(count: number, n: number, seed: number): Int32Array {
  const u = randoms(count, seed);
  return Int32Array.from(u, (v) => Math.min(n - 1, Math.floor(((v + 1) / 2) * n)));
}

/** Each id as a one-hot row of n. */
export function oneHot(idx: Int32Array, n: number): Float32Array {
  const out = new Float32Array(idx.length * n);
  idx.forEach((k, i) => { out[i * n + k] = 1; });
  return out;
}

/**
 * The batch every system trains and infers on. 'ce' targets are the next input id (a
 * character model's task), so the loss can fall when the same batch is repeated.
 */
export function makeData(c: Config, seed = 1234): Data {
  if (c.loss === 'mse') {
    const x = randoms(c.B * c.T * c.I, seed);
    const y = randoms(c.B * c.T * c.O, seed + 1).map((v) => 0.5 * v);
    return { x, y };
  }
  const xIds = ids(c.B * c.T, c.I, seed);
  const yIds = new Int32Array(c.B * c.T);
  for (let b = 0; b < c.B; b++) {
    for (let t = 0; t < c.T; t++) yIds[b * c.T + t] = t + 1 < c.T ? xIds[b * c.T + t + 1] : xIds[b * c.T];
  }
  return { x: oneHot(xIds, c.I), xIds, yIds, y: oneHot(yIds, c.O) };
}

/** How many inputs the streaming row cycles through. */
const STREAM_IDS = 4096;

/** Ids of the streaming row's inputs (the same for every system). */
export const streamIds = (): Int32Array => ids(STREAM_IDS, STREAM.I, 99);

/** The streaming row's inputs as one-hot vectors: `next()` refills the one buffer `x` with the next. */
export function oneHotStream(): { x: Float32Array; next: () => void } {
  const seq = streamIds(), x = new Float32Array(STREAM.I);
  let i = 0;
  return {
    x,
    next() {
      x.fill(0);
      x[seq[i++ % seq.length]] = 1;
    },
  };
}

/** In-place softmax over one row: streaming consumers want probabilities, not logits. */
export function softmaxRow(v: Float32Array, out: Float32Array): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
  let s = 0;
  for (let i = 0; i < v.length; i++) { const e = Math.exp(v[i] - m); out[i] = e; s += e; }
  for (let i = 0; i < v.length; i++) out[i] /= s;
  return out;
}
