// Generation for a conditioned decoder (Seq2Seq): greedy, temperature/top-k sampling, and beam
// search with a length-normalised score. All streams of a batch advance together, one decoder
// step per token, the states in wasm memory.
import { ConfigError, ShapeError } from '../errors.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { Rng } from '../rng.js';
import { getLimits } from '../runtime/limits.js';
import { pickToken } from './sampling.js';
import type { ConditionInput, Seq2Seq } from './seq2seq.js';

/** Options of {@link Seq2Seq.generate}. */
export interface GenerateOptions {
  /** The token fed first (beginning of sequence). */
  bos: number;
  /** The token that ends a sequence (not included in the result). Default: none (stop at maxLength). */
  eos?: number;
  /** Most tokens generated per sequence. Default 100 (limit: `setLimits({ maxSampleLength })`). */
  maxLength?: number;
  /** Softmax temperature; 0 picks the most likely token (greedy). Default 1. Not with beamWidth > 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. Default: all. Not with beamWidth > 1. */
  topK?: number;
  /** Seed of the sampling. Default: random. */
  seed?: number;
  /** Beam search with this many hypotheses per sequence (> 1). Default 1 (no beam). */
  beamWidth?: number;
  /**
   * Beam search ranks hypotheses by log P / length^lengthPenalty (length counts the eos token):
   * 0 ranks by probability alone (short sequences win), 1 (default) by mean log-probability per token.
   */
  lengthPenalty?: number;
}

/** One generated sequence. */
export interface Generated {
  /** The generated token ids, without bos and eos. */
  tokens: Int32Array;
  /** The tokens as text, when the model has a vocabulary. */
  text?: string;
  /** log P of the tokens (and eos) under the model; with beam search, the length-normalised score it was ranked by. */
  score: number;
  /** Whether the sequence ended with eos (false: it reached maxLength). */
  ended: boolean;
}

const RULES = {
  bos: is.int(0), eos: is.int(0), maxLength: is.int(1), temperature: is.number(0), topK: is.int(1), seed: is.int(0),
  beamWidth: is.int(1, 256), lengthPenalty: is.number(0),
};
const CONDITION_KEYS = ['condition', 'conditionShape', 'source', 'sourceShape', 'sourceLengths'];

/** @internal {@link Seq2Seq.generate}: everything is checked before the first step. */
export function generate(model: Seq2Seq, input: ConditionInput, options: GenerateOptions): Generated[] {
  const emb = model.embedding;
  if (!emb || model.outputSize !== emb.numEmbeddings) {
    throw new ConfigError(`generate: needs a decoder that reads token ids (an embedding) and a head over the same ${emb?.numEmbeddings ?? ''} tokens; this model's head gives ${model.outputSize} values`);
  }
  if (typeof input !== 'object' || input === null) throw new ShapeError(`generate: expected { condition, conditionShape } or { source, sourceShape, sourceLengths? }, got ${describe(input)}`);
  checkOptions('generate input', input, Object.fromEntries(CONDITION_KEYS.map((k) => [k, is.checkedLater])));
  checkOptions('generate', options, RULES, ['bos']);
  const V = emb.numEmbeddings;
  for (const key of ['bos', 'eos'] as const) {
    const id = options[key];
    if (id !== undefined && id >= V) throw new ConfigError(`generate ${key}: expected a token id in [0, ${V - 1}], got ${id}`);
  }
  const beamWidth = options.beamWidth ?? 1;
  if (beamWidth > 1 && (options.temperature !== undefined || options.topK !== undefined)) {
    throw new ConfigError('generate: beam search (beamWidth > 1) ranks by probability; temperature and topK are for sampling (leave them out, or use beamWidth 1)');
  }
  const maxLength = options.maxLength ?? 100;
  const limit = getLimits().maxSampleLength;
  if (maxLength > limit) throw new ConfigError(`generate maxLength: ${maxLength} is more than the limit of ${limit} tokens per call (setLimits({ maxSampleLength }))`);
  const N = model.conditionBatch(input, 'generate');
  model.checkCondition(input, N, 'generate');
  const vocab = model.vocabulary === undefined ? undefined : [...model.vocabulary];
  const text = (t: Int32Array) => (vocab ? Array.from(t, (i) => vocab[i]).join('') : undefined);

  const was = model.training;
  model.eval();
  try {
    const found = beamWidth > 1
      ? beamSearch(model, repeatRows(input, N, beamWidth), N, beamWidth, V, maxLength, options)
      : sampleAll(model, input, N, V, maxLength, options);
    return found.map((g) => ({ ...g, text: text(g.tokens) }));
  } finally {
    model.train(was);
  }
}

// Greedy or sampled: every sequence of the batch one token per step, until eos or maxLength.
function sampleAll(model: Seq2Seq, input: ConditionInput, N: number, V: number, maxLength: number, o: GenerateOptions): Omit<Generated, 'text'>[] {
  const temperature = o.temperature ?? 1, topK = Math.min(o.topK ?? V, V);
  const rng = new Rng(o.seed ?? Rng.randomSeed());
  const order = new Int32Array(V), probs = new Float64Array(V);
  const tokens: number[][] = Array.from({ length: N }, () => []);
  const score = new Float64Array(N);
  const done = new Uint8Array(N);
  const ids = new Int32Array(N).fill(o.bos);
  const state = model.initState(input);
  try {
    let left = N;
    for (let t = 0; t < maxLength && left > 0; t++) {
      const logits = model.step(ids, state);
      for (let n = 0; n < N; n++) {
        if (done[n]) continue;
        const next = pickToken(logits, n * V, V, temperature, topK, rng, order, probs);
        score[n] += logProb(logits, n * V, V, next);
        if (next === o.eos) { done[n] = 1; left--; continue; }
        tokens[n].push(next);
        ids[n] = next;
      }
    }
  } finally {
    state.dispose();
  }
  return tokens.map((t, n) => ({ tokens: Int32Array.from(t), score: score[n], ended: done[n] === 1 }));
}

// Beam search: k hypotheses per sequence (stream n·k + b), ranked by log P / length^penalty.
function beamSearch(model: Seq2Seq, input: ConditionInput, N: number, k: number, V: number, maxLength: number, o: GenerateOptions): Omit<Generated, 'text'>[] {
  const alpha = o.lengthPenalty ?? 1;
  const R = N * k;
  const norm = (logP: number, len: number) => logP / Math.pow(Math.max(len, 1), alpha);
  // each beam's log P so far; at the start only the first of each sequence is alive
  let logP = Float64Array.from({ length: R }, (_, r) => (r % k === 0 ? 0 : -Infinity));
  let hist: number[][] = Array.from({ length: R }, () => []);
  const finished: { tokens: number[]; logP: number; score: number; ended: boolean }[][] = Array.from({ length: N }, () => []);
  const ids = new Int32Array(R).fill(o.bos), parents = new Int32Array(R);
  const cand = new Float64Array(k * V), order = new Int32Array(k * V);
  const state = model.initState(input);
  try {
    for (let t = 0; t < maxLength; t++) {
      const logits = model.step(ids, state);
      const nextLogP = new Float64Array(R).fill(-Infinity), nextHist: number[][] = new Array(R);
      let alive = 0;
      for (let n = 0; n < N; n++) {
        if (finished[n].length >= k) continue; // this sequence has its k hypotheses
        for (let b = 0; b < k; b++) {
          const r = n * k + b, lse = logSumExp(logits, r * V, V);
          for (let v = 0; v < V; v++) cand[b * V + v] = logP[r] + logits[r * V + v] - lse;
        }
        for (let i = 0; i < k * V; i++) order[i] = i;
        order.sort((a, c) => cand[c] - cand[a]);
        let filled = 0;
        for (let i = 0; i < k * V && filled < k; i++) {
          const c = order[i], p = cand[c];
          if (p === -Infinity) break;
          const b = Math.floor(c / V), v = c % V, r = n * k + b;
          if (v === o.eos) {
            if (finished[n].length < k) finished[n].push({ tokens: hist[r], logP: p, score: norm(p, hist[r].length + 1), ended: true });
            continue;
          }
          const slot = n * k + filled++;
          parents[slot] = r;
          nextLogP[slot] = p;
          nextHist[slot] = [...hist[r], v];
          ids[slot] = v;
        }
        for (let s = filled; s < k; s++) { parents[n * k + s] = n * k; nextHist[n * k + s] = []; }
        if (finished[n].length < k && filled > 0) alive++;
      }
      for (let r = 0; r < R; r++) if (!nextHist[r]) { nextHist[r] = []; parents[r] = r; }
      logP = nextLogP;
      hist = nextHist;
      if (alive === 0) break;
      model.reorderStreams(state, parents);
    }
  } finally {
    state.dispose();
  }
  return finished.map((f, n) => {
    const all = [...f];
    for (let b = 0; b < k; b++) {
      const r = n * k + b;
      if (logP[r] > -Infinity) all.push({ tokens: hist[r], logP: logP[r], score: norm(logP[r], hist[r].length), ended: false });
    }
    all.sort((a, b) => b.score - a.score);
    const best = all[0] ?? { tokens: [], score: -Infinity, ended: false };
    return { tokens: Int32Array.from(best.tokens), score: best.score, ended: best.ended };
  });
}

// each sequence's condition (or source) k times in a row: one stream per hypothesis
function repeatRows(input: ConditionInput, N: number, k: number): ConditionInput {
  const rep = <T extends ArrayLike<number>>(a: T, make: (n: number) => Float32Array | Int32Array): Float32Array | Int32Array => {
    const row = a.length / N, out = make(a.length * k);
    for (let n = 0; n < N; n++) for (let b = 0; b < k; b++) for (let j = 0; j < row; j++) out[(n * k + b) * row + j] = a[n * row + j];
    return out;
  };
  if (input.source !== undefined) {
    const ids = input.sourceShape!.length === 2;
    return {
      source: rep(input.source, (n) => (ids ? new Int32Array(n) : new Float32Array(n))), sourceShape: [N * k, ...input.sourceShape!.slice(1)],
      sourceLengths: input.sourceLengths && rep(input.sourceLengths, (n) => new Int32Array(n)),
    };
  }
  return { condition: rep(input.condition!, (n) => new Float32Array(n)), conditionShape: [N * k, input.conditionShape![1]] };
}

function logSumExp(a: Float32Array, off: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, a[off + i]);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[off + i] - max);
  return max + Math.log(s);
}

function logProb(a: Float32Array, off: number, n: number, i: number): number {
  return a[off + i] - logSumExp(a, off, n);
}

