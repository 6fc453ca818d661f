/**
 * Data sets for conditioned models ({@link Seq2Seq}): target sequences made into teacher-forcing
 * pairs, beside a condition per sample or a source sequence per sample.
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { checkIds, checkInt, checkNumberArray, checkOptions, checkFinite, describe, fmtShape, product } from './check.js';
import type { SequenceDataset } from './dataset.js';

/**
 * Options of {@link seq2seqDataset}.
 * @example
 * ```ts
 * const options: Seq2SeqDatasetOptions = { bos: 0, eos: 1, condition: new Float32Array(2 * 8), conditionShape: [2, 8] };
 * ```
 */
export interface Seq2SeqDatasetOptions {
  /** The token the decoder is fed first. */
  bos: number;
  /** The token the decoder must write last (appended to every target). Default: none. */
  eos?: number;
  /** A condition vector per sample, `[N, F]` flat (a model without an encoder). */
  condition?: ArrayLike<number>;
  /** Shape of `condition`: `[N, F]`. */
  conditionShape?: readonly number[];
  /** A source sequence per sample (an encoder–decoder): token ids, or features `[len, F]` flat with `sourceFeatures`. */
  sources?: readonly ArrayLike<number>[];
  /** Values per step of the sources when they are features (Float32). Default: the sources are token ids. */
  sourceFeatures?: number;
}

/**
 * Teacher forcing for a Seq2Seq: each target sequence t (token ids) gives the decoder input
 * `x = [bos, t₀, …, t_{L−1}]` and the targets `y = [t₀, …, t_{L−1}, eos]` (without eos: x and y
 * have L steps, `x = [bos, t₀, …, t_{L−2}]`), right-padded to the longest with `lengths`. The
 * sources are padded the same way with `sourceLengths`; a condition is copied as it is.
 *
 * @example
 * ```ts
 * const data = seq2seqDataset([[3, 4], [5]], { bos: 0, eos: 1, sources: [[7, 8, 9], [6]] });
 * // x [[0, 3, 4], [0, 5, 0]], y [[3, 4, 1], [5, 1, 0]], lengths [3, 2]; source [[7, 8, 9], [6, 0, 0]], sourceLengths [3, 1]
 * ```
 */
export function seq2seqDataset(targets: readonly ArrayLike<number>[], options: Seq2SeqDatasetOptions): SequenceDataset {
  const o = checkOptions<Seq2SeqDatasetOptions>('seq2seqDataset', options, ['bos', 'eos', 'condition', 'conditionShape', 'sources', 'sourceFeatures']);
  const bos = checkInt('seq2seqDataset bos', o.bos, 0, 2 ** 31 - 1);
  const eos = o.eos === undefined ? undefined : checkInt('seq2seqDataset eos', o.eos, 0, 2 ** 31 - 1);
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ShapeError(`seq2seqDataset targets: expected a non-empty array of token-id sequences, got ${describe(targets)}`);
  }
  const N = targets.length;
  const extra = eos === undefined ? 0 : 1;
  const lens = Int32Array.from(targets, (t, n) => {
    const a = checkNumberArray(`seq2seqDataset targets[${n}]`, t);
    checkIds(`seq2seqDataset targets[${n}]`, a);
    if (a.length + extra < 1) throw new ShapeError(`seq2seqDataset targets[${n}]: an empty target needs an eos to write`);
    return a.length + extra;
  });
  const T = Math.max(...lens);
  const x = new Int32Array(N * T), y = new Int32Array(N * T);
  targets.forEach((t, n) => {
    const L = lens[n];
    x[n * T] = bos;
    for (let i = 1; i < L; i++) x[n * T + i] = t[i - 1];
    for (let i = 0; i < t.length && i < L; i++) y[n * T + i] = t[i];
    if (eos !== undefined) y[n * T + L - 1] = eos;
  });
  const ds: SequenceDataset = { x, xShape: [N, T], y, yShape: [N, T], lengths: lens };
  if (o.condition !== undefined || o.conditionShape !== undefined) {
    if (o.sources !== undefined) throw new ConfigError('seq2seqDataset: give a condition (a model without an encoder) or sources (an encoder–decoder), not both');
    const shape = o.conditionShape;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== N || !Number.isInteger(shape[1]) || shape[1] < 1) {
      throw new ShapeError(`seq2seqDataset conditionShape: expected [${N}, F] (one condition per target), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    const c = checkNumberArray('seq2seqDataset condition', o.condition);
    if (c.length !== product(shape)) throw new ShapeError(`seq2seqDataset condition: expected ${product(shape)} values for ${fmtShape(shape)}, got ${c.length}`);
    checkFinite('seq2seqDataset condition', c);
    ds.condition = Float32Array.from(c);
    ds.conditionShape = [N, shape[1]];
  }
  if (o.sources !== undefined) Object.assign(ds, padSources(o.sources, N, o.sourceFeatures));
  return ds;
}

// sources → [N, Ts] ids or [N, Ts, F] features, zero-padded, with their lengths
function padSources(sources: readonly ArrayLike<number>[], N: number, features?: number): Pick<SequenceDataset, 'source' | 'sourceShape' | 'sourceLengths'> {
  if (!Array.isArray(sources) || sources.length !== N) {
    throw new ShapeError(`seq2seqDataset sources: expected ${N} sequences (one per target), got ${describe(sources)}`);
  }
  const F = features === undefined ? 1 : checkInt('seq2seqDataset sourceFeatures', features, 1);
  const lens = Int32Array.from(sources, (s, n) => {
    const a = checkNumberArray(`seq2seqDataset sources[${n}]`, s);
    if (a.length === 0 || a.length % F !== 0) throw new ShapeError(`seq2seqDataset sources[${n}]: expected [len ≥ 1, ${F}] values, got ${a.length}`);
    if (features === undefined) checkIds(`seq2seqDataset sources[${n}]`, a); else checkFinite(`seq2seqDataset sources[${n}]`, a);
    return a.length / F;
  });
  const Ts = Math.max(...lens);
  const source = features === undefined ? new Int32Array(N * Ts) : new Float32Array(N * Ts * F);
  sources.forEach((s, n) => source.set(s, n * Ts * F));
  return { source, sourceShape: features === undefined ? [N, Ts] : [N, Ts, F], sourceLengths: lens };
}
