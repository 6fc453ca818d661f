import { ConfigError, ShapeError } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import { isNumericArray } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { getLimits } from '../runtime/limits.js';
import { Rng } from '../rng.js';
import type { Sequential } from './sequential.js';

/** Options of {@link Sequential.sample}. */
export interface SampleOptions {
  /** Tokens to generate. Default 200. */
  length?: number;
  /** Softmax temperature: < 1 sharper, > 1 flatter; 0 picks the most likely token. Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. Default: all. */
  topK?: number;
  /** Seed of the sampling. Default: random. */
  seed?: number;
  /** Text (or token ids) fed first, to set the state; it is not repeated in the result. Default: the first vocabulary character. */
  prime?: string | ArrayLike<number>;
}

const SAMPLE_RULES = {
  length: is.int(0),
  temperature: is.number(0),
  topK: is.int(1),
  seed: is.int(0),
  prime: is.either(is.string, { expected: 'token ids (an Int32Array or number[])', test: isNumericArray }),
};

/** @internal Text generation for {@link Sequential.sample}. */
export function sampleTokens(model: Sequential, options: SampleOptions): string {
  const first = model.layers[0];
  if (!(first instanceof Embedding) || model.output !== 'sequence') {
    throw new ConfigError("sample: needs a token model (an Embedding first) with output 'sequence' and a head over the vocabulary");
  }
  const V = first.numEmbeddings;
  if (model.outputSize !== V) throw new ConfigError(`sample: the model outputs ${model.outputSize} values per step but has ${V} tokens`);
  const vocab = model.vocabulary === undefined ? undefined : [...model.vocabulary];
  checkOptions('sample', options, SAMPLE_RULES);
  const length = options.length ?? 200;
  const limit = getLimits().maxSampleLength;
  if (length > limit) throw new ConfigError(`sample length: ${length} is more than the limit of ${limit} tokens per call (setLimits({ maxSampleLength }))`);
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? V;
  const rng = new Rng(options.seed ?? Rng.randomSeed());
  const prime = primeIds(options.prime, vocab, V);
  if (prime.length > limit) throw new ConfigError(`sample prime: ${prime.length} tokens is more than the limit of ${limit} per call (setLimits({ maxSampleLength }))`);

  const was = model.training;
  model.eval();
  const state = model.initState(1);
  const ids = new Int32Array(1);
  const order = new Int32Array(V);
  const probs = new Float64Array(V);
  const out: number[] = [];
  try {
    let logits = state.output;
    for (const id of prime) { ids[0] = id; logits = model.step(ids, state); }
    for (let n = 0; n < length; n++) {
      const next = pickToken(logits, 0, V, temperature, Math.min(topK, V), rng, order, probs);
      out.push(next);
      ids[0] = next;
      logits = model.step(ids, state);
    }
  } finally {
    state.dispose();
    model.train(was);
  }
  return vocab ? out.map((i) => vocab[i]).join('') : out.join(' ');
}

function primeIds(prime: string | ArrayLike<number> | undefined, vocab: string[] | undefined, V: number): number[] {
  if (prime === undefined || (typeof prime === 'string' && prime.length === 0)) return [0];
  if (typeof prime === 'string') {
    if (!vocab) throw new ConfigError('sample prime: a text prime needs a model with a vocabulary; pass token ids instead');
    return [...prime].map((ch, i) => {
      const id = vocab.indexOf(ch);
      if (id < 0) throw new ShapeError(`sample prime: character ${JSON.stringify(ch)} at position ${i} is not in the model's vocabulary`);
      return id;
    });
  }
  const ids = Array.from(prime);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new ShapeError(`sample prime: element ${i} is ${id}; token ids must be integers in [0, ${V - 1}]`);
  });
  return ids.length ? ids : [0];
}

/**
 * @internal One token from the V logits at `logits[offset …]`: greedy at temperature 0, else
 * softmax(logits / temperature) over the top k, drawn with `rng`. `order` (Int32Array) and
 * `probs` (Float64Array) are V-long scratch arrays, reused so a step allocates nothing.
 */
export function pickToken(logits: Float32Array, offset: number, V: number, temperature: number, k: number, rng: Rng, order: Int32Array, probs: Float64Array): number {
  for (let i = 0; i < V; i++) order[i] = i;
  if (k < V || temperature === 0) order.sort((a, b) => logits[offset + b] - logits[offset + a]);
  if (temperature === 0) return order[0];
  let max = -Infinity;
  for (let i = 0; i < k; i++) max = Math.max(max, logits[offset + order[i]]);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += probs[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
  let u = rng.next() * sum;
  for (let i = 0; i < k; i++) {
    u -= probs[i];
    if (u < 0) return order[i];
  }
  return order[k - 1];
}
