/**
 * Building {@link SequenceDataset}s from raw series and texts: sliding windows for forecasting,
 * fixed-length chunks and contiguous streams for language modelling, padding of
 * variable-length sequences, and scaling of series.
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { checkBool, checkChoice, checkFinite, checkIds, checkInt, checkNumberArray, checkOptions, describe, toIds } from './check.js';
import type { SequenceDataset } from './dataset.js';

/**
 * A series given to the helpers below: `[L, F]` row-major (Float32Array, Float64Array or number[]).
 * @example
 * ```ts
 * const series: Series = [1, 10, 2, 20, 3, 30];   // L = 3 steps of F = 2 features
 * ```
 */
export type Series = Float32Array | Float64Array | readonly number[];

/**
 * Options of {@link slidingWindows}.
 * @example
 * ```ts
 * const options: SlidingWindowOptions = { window: 12, horizon: 1, stride: 1, features: 1, target: 'next' };
 * ```
 */
export interface SlidingWindowOptions {
  /** Steps per sample (T). */
  window: number;
  /** How many steps after an input step its target is. Default 1 (one-step-ahead). */
  horizon?: number;
  /** Steps between the starts of consecutive windows. Default 1. */
  stride?: number;
  /** Values per step F (the series is `[L, F]` row-major). Default 1. */
  features?: number;
  /**
   * `'next'` (default): one target per window, `y [N, F]`, the value `horizon` steps after the
   * window's last step (many-to-one). `'sequence'`: `y [N, window, F]`, each step's value
   * `horizon` steps later (many-to-many).
   */
  target?: 'next' | 'sequence';
}

function seriesSteps(name: string, series: unknown, features: number): { s: ArrayLike<number>; steps: number } {
  const s = checkNumberArray(name, series);
  if (s.length % features !== 0) {
    throw new ShapeError(`${name}: expected [L, ${features}] values (a multiple of features = ${features}), got ${s.length} values`);
  }
  checkFinite(name, s);
  return { s, steps: s.length / features };
}

/**
 * Samples for forecasting from one series of L steps × F features (flat, row-major `[L, F]`):
 * window n covers steps `n·stride … n·stride + window − 1`, so `x` is `[N, window, F]` with
 * `N = floor((L − window − horizon) / stride) + 1`. Targets: see {@link SlidingWindowOptions.target}.
 *
 * @example
 * ```ts
 * slidingWindows([1, 2, 3, 4, 5], { window: 3 });
 * // x [2, 3, 1] = [1,2,3, 2,3,4], y [2, 1] = [4, 5]
 * slidingWindows([1, 2, 3, 4, 5], { window: 3, target: 'sequence' });
 * // x [2, 3, 1] = [1,2,3, 2,3,4], y [2, 3, 1] = [2,3,4, 3,4,5]
 * ```
 */
export function slidingWindows(series: Series, options: SlidingWindowOptions): SequenceDataset {
  const o = checkOptions<SlidingWindowOptions>('slidingWindows', options, ['window', 'horizon', 'stride', 'features', 'target']);
  const window = checkInt('slidingWindows window', o.window, 1);
  const horizon = checkInt('slidingWindows horizon', o.horizon ?? 1, 1);
  const stride = checkInt('slidingWindows stride', o.stride ?? 1, 1);
  const F = checkInt('slidingWindows features', o.features ?? 1, 1);
  const target = checkChoice('slidingWindows target', o.target ?? 'next', ['next', 'sequence'] as const);
  const { s, steps: L } = seriesSteps('slidingWindows series', series, F);
  if (L < window + horizon) {
    throw new ShapeError(`slidingWindows series: expected at least window + horizon = ${window + horizon} steps, got ${L} steps ` +
      `(${s.length} values, features ${F})`);
  }
  const N = Math.floor((L - window - horizon) / stride) + 1;
  const row = window * F;
  const x = new Float32Array(N * row);
  const y = new Float32Array(target === 'next' ? N * F : N * row);
  for (let n = 0; n < N; n++) {
    const from = n * stride * F;
    for (let i = 0; i < row; i++) x[n * row + i] = s[from + i];
    if (target === 'next') {
      const at = (n * stride + window - 1 + horizon) * F;
      for (let f = 0; f < F; f++) y[n * F + f] = s[at + f];
    } else {
      const at = from + horizon * F;
      for (let i = 0; i < row; i++) y[n * row + i] = s[at + i];
    }
  }
  return { x, xShape: [N, window, F], y, yShape: target === 'next' ? [N, F] : [N, window, F] };
}

/**
 * Options of {@link textDataset}.
 * @example
 * ```ts
 * const options: TextDatasetOptions = { seqLength: 128, stride: 64 };   // half-overlapping samples
 * ```
 */
export interface TextDatasetOptions {
  /** Steps per sample (T). */
  seqLength: number;
  /** Positions between the starts of consecutive samples. Default `seqLength` (no overlap). */
  stride?: number;
}

/**
 * Language-modelling samples from one long sequence of token ids: sample n is
 * `x = ids[n·stride … n·stride + T − 1]`, `y` the same positions shifted by one (the next ids);
 * `x`, `y`: `[N, T]` with `N = floor((L − 1 − T) / stride) + 1`.
 *
 * @example
 * ```ts
 * textDataset(new Int32Array([0, 1, 2, 3, 4, 5, 6]), { seqLength: 3 });
 * // x [2, 3] = [0,1,2, 3,4,5], y [2, 3] = [1,2,3, 4,5,6]
 * ```
 */
export function textDataset(ids: Int32Array, options: TextDatasetOptions): SequenceDataset {
  const o = checkOptions<TextDatasetOptions>('textDataset', options, ['seqLength', 'stride']);
  const T = checkInt('textDataset seqLength', o.seqLength, 1);
  const stride = checkInt('textDataset stride', o.stride ?? T, 1);
  const a = toIds('textDataset ids', ids);
  if (a.length < T + 1) {
    throw new ShapeError(`textDataset ids: expected at least seqLength + 1 = ${T + 1} ids, got ${a.length}`);
  }
  const N = Math.floor((a.length - 1 - T) / stride) + 1;
  const x = new Int32Array(N * T), y = new Int32Array(N * T);
  for (let n = 0; n < N; n++) {
    x.set(a.subarray(n * stride, n * stride + T), n * T);
    y.set(a.subarray(n * stride + 1, n * stride + T + 1), n * T);
  }
  return { x, xShape: [N, T], y, yShape: [N, T] };
}

/**
 * Options of {@link streams}.
 * @example
 * ```ts
 * const options: StreamsOptions = { batchSize: 32 };
 * ```
 */
export interface StreamsOptions {
  /** Number of parallel streams B (the batch size of truncated BPTT). */
  batchSize: number;
}

/**
 * One long sequence of ids as `batchSize` contiguous streams, for truncated BPTT (char-rnn's
 * layout): the L − 1 positions that have a next id are cut into B streams of
 * `S = floor((L − 1) / B)` steps; stream b is `x[b] = ids[b·S … b·S + S − 1]`, `y[b]` the next
 * ids. `x`, `y`: `[B, S]`. Consecutive time windows of a stream ({@link sliceTime}) continue
 * each other, so the hidden state is carried from one window to the next. The last
 * `(L − 1) mod B` positions are dropped.
 *
 * @example
 * ```ts
 * streams(new Int32Array([0, 1, 2, 3, 4, 5, 6]), { batchSize: 2 });
 * // x [2, 3] = [0,1,2, 3,4,5], y [2, 3] = [1,2,3, 4,5,6]
 * ```
 */
export function streams(ids: Int32Array, options: StreamsOptions): SequenceDataset {
  const o = checkOptions<StreamsOptions>('streams', options, ['batchSize']);
  const B = checkInt('streams batchSize', o.batchSize, 1);
  const a = toIds('streams ids', ids);
  const S = Math.floor((a.length - 1) / B);
  if (S < 1) {
    throw new ShapeError(`streams ids: expected at least batchSize + 1 = ${B + 1} ids (one step per stream), got ${a.length}`);
  }
  return { x: a.slice(0, B * S), xShape: [B, S], y: a.slice(1, B * S + 1), yShape: [B, S] };
}

/**
 * Options of {@link padSequences}.
 * @example
 * ```ts
 * const options: PadOptions = { features: 2, maxLength: 100, truncate: true };
 * ```
 */
export interface PadOptions {
  /** Values per step F (each sequence is `[len, F]` row-major). Default 1. */
  features?: number;
  /** T of the result. Default: the longest sequence. */
  maxLength?: number;
  /** Token ids: give an Int32Array `[N, T]` (values must be non-negative integers). Default false. */
  ids?: boolean;
  /** Cut sequences longer than `maxLength` to their first `maxLength` steps instead of throwing. Default false. */
  truncate?: boolean;
}

/**
 * Result of {@link padSequences}: `x` and `lengths` of a {@link SequenceDataset}.
 * @example
 * ```ts
 * const { x, xShape, lengths }: PaddedSequences = padSequences([[1, 2], [3]]);   // xShape [2, 2, 1]
 * ```
 */
export interface PaddedSequences {
  /** `[N, T, F]` (Float32Array) or `[N, T]` (Int32Array, with `ids`), zeros after each sequence's end. */
  x: Float32Array | Int32Array;
  xShape: number[];
  /** Steps of each sequence (after truncation). */
  lengths: Int32Array;
}

/**
 * Right-pad variable-length sequences with zeros into one batch-major array. Each sequence is
 * flat `[len, F]`. A sequence longer than `maxLength` throws `ShapeError` unless `truncate`
 * (then its first `maxLength` steps are kept). Empty sequences are rejected.
 *
 * @example
 * ```ts
 * const { x, xShape, lengths } = padSequences([[1, 2, 3], [4]]);
 * // x [2, 3, 1] = [1,2,3, 4,0,0], lengths [3, 1]
 * const ds: SequenceDataset = { x, xShape, lengths, y: new Float32Array([0, 1]), yShape: [2, 1] };
 * ```
 */
export function padSequences(sequences: readonly ArrayLike<number>[], options: PadOptions = {}): PaddedSequences {
  const o = checkOptions<PadOptions>('padSequences', options, ['features', 'maxLength', 'ids', 'truncate']);
  const F = checkInt('padSequences features', o.features ?? 1, 1);
  const ids = checkBool('padSequences ids', o.ids ?? false);
  const truncate = checkBool('padSequences truncate', o.truncate ?? false);
  if (ids && F !== 1) throw new ConfigError(`padSequences features: token ids have one value per step (features 1), got ${F}`);
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new ShapeError(`padSequences sequences: expected a non-empty array of sequences (each a flat [len, ${F}] array), got ${describe(sequences)}`);
  }
  const N = sequences.length;
  const lens = new Int32Array(N);
  let longest = 0;
  for (let n = 0; n < N; n++) {
    const name = `padSequences sequences[${n}]`;
    const s = checkNumberArray(name, sequences[n]);
    if (s.length === 0 || s.length % F !== 0) {
      throw new ShapeError(`${name}: expected [len ≥ 1, ${F}] values (a non-zero multiple of features = ${F}), got ${s.length} values`);
    }
    if (ids) checkIds(name, s); else checkFinite(name, s);
    lens[n] = s.length / F;
    longest = Math.max(longest, lens[n]);
  }
  const T = o.maxLength === undefined ? longest : checkInt('padSequences maxLength', o.maxLength, 1);
  if (!truncate) {
    const n = lens.findIndex((len) => len > T);
    if (n >= 0) {
      throw new ShapeError(`padSequences sequences[${n}]: expected at most maxLength = ${T} steps, got ${lens[n]} ` +
        '(pass truncate: true to keep the first maxLength steps)');
    }
  }
  const row = T * F;
  const x = ids ? new Int32Array(N * row) : new Float32Array(N * row);
  for (let n = 0; n < N; n++) {
    const s = sequences[n];
    lens[n] = Math.min(lens[n], T);
    const m = lens[n] * F;
    if (ArrayBuffer.isView(s)) x.set((s as unknown as Float32Array).subarray(0, m), n * row);
    else for (let i = 0; i < m; i++) x[n * row + i] = s[i];
  }
  return { x, xShape: ids ? [N, T] : [N, T, F], lengths: lens };
}

/**
 * How {@link scaleSeries} scales: per feature, `scaled = (value − offset) / divisor`. A plain,
 * JSON-able object, to store next to a model.
 * @example
 * ```ts
 * const scale: SeriesScale = scaleSeries([1, 2, 3], { by: 'minmax' }).scale;
 * // { by: 'minmax', offset: [1], divisor: [2], fittedOn: 3 }
 * ```
 */
export interface SeriesScale {
  /** `'max'`: divide by the largest |value|; `'minmax'`: map [min, max] to [0, 1]; `'standard'`: zero mean, unit (population) standard deviation. */
  by: 'max' | 'minmax' | 'standard';
  /** Subtracted first, one per feature (0 for `'max'`, the minimum for `'minmax'`, the mean for `'standard'`). */
  offset: number[];
  /** Then divided by, one per feature (1 for a constant feature, as scikit-learn's scalers). */
  divisor: number[];
  /** Number of leading steps the statistics were computed on. */
  fittedOn: number;
}

/**
 * Options of {@link scaleSeries}.
 * @example
 * ```ts
 * const options: ScaleOptions = { by: 'standard', fitOn: 247 };   // statistics of the first 247 steps
 * ```
 */
export interface ScaleOptions {
  /** The scaling, see {@link SeriesScale.by}. */
  by: 'max' | 'minmax' | 'standard';
  /** Compute the statistics on the first `fitOn` steps only (the training split), then apply them to the whole series. Default: all steps. */
  fitOn?: number;
  /** Values per step F (the series is `[L, F]` row-major); each feature is scaled on its own. Default 1. */
  features?: number;
}

/**
 * Result of {@link scaleSeries}.
 * @example
 * ```ts
 * const { scaled, transform, invert }: ScaledSeries = scaleSeries([2, 4], { by: 'max' });
 * invert(transform([3]));   // Float32Array [3]
 * ```
 */
export interface ScaledSeries {
  /** The whole series, scaled. */
  scaled: Float32Array;
  /** The statistics used. */
  scale: SeriesScale;
  /** Scale other values `[*, F]` the same way (e.g. new observations). */
  transform(values: ArrayLike<number>): Float32Array;
  /** Back to the original units, `[*, F]` (e.g. a model's predictions). */
  invert(values: ArrayLike<number>): Float32Array;
}

/**
 * Scale a series `[L, F]` per feature with statistics computed on its first `fitOn` steps (the
 * training split, so nothing leaks from the test split) and applied to all of it.
 *
 * @example
 * ```ts
 * const { scaled, invert } = scaleSeries([5, 10, 20, 40], { by: 'max', fitOn: 3 });
 * // scaled [0.25, 0.5, 1, 2] (divided by 20, the max of the first 3 steps)
 * invert([0.5]);   // Float32Array [10]
 * ```
 */
export function scaleSeries(series: Series, options: ScaleOptions): ScaledSeries {
  const o = checkOptions<ScaleOptions>('scaleSeries', options, ['by', 'fitOn', 'features']);
  const by = checkChoice('scaleSeries by', o.by, ['max', 'minmax', 'standard'] as const);
  const F = checkInt('scaleSeries features', o.features ?? 1, 1);
  const { s, steps: L } = seriesSteps('scaleSeries series', series, F);
  if (L === 0) throw new ShapeError('scaleSeries series: expected at least one step, got 0 values');
  const fitOn = checkInt(`scaleSeries fitOn (series of ${L} steps)`, o.fitOn ?? L, 1, L);
  const offset: number[] = [], divisor: number[] = [];
  for (let f = 0; f < F; f++) {
    let min = Infinity, max = -Infinity, sum = 0;
    for (let t = 0; t < fitOn; t++) {
      const v = s[t * F + f];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    let off = 0, div = 1;
    if (by === 'max') {
      div = Math.max(Math.abs(min), Math.abs(max));
    } else if (by === 'minmax') {
      off = min;
      div = max - min;
    } else {
      off = sum / fitOn;
      let ss = 0;
      for (let t = 0; t < fitOn; t++) ss += (s[t * F + f] - off) ** 2;
      div = Math.sqrt(ss / fitOn);
    }
    offset.push(off);
    divisor.push(div > 0 ? div : 1);
  }
  const scale: SeriesScale = { by, offset, divisor, fittedOn: fitOn };
  const apply = (name: string, values: ArrayLike<number>, back: boolean): Float32Array => {
    const v = checkNumberArray(name, values);
    if (v.length % F !== 0) throw new ShapeError(`${name}: expected [*, ${F}] values (a multiple of features = ${F}), got ${v.length} values`);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const f = i % F;
      out[i] = back ? v[i] * divisor[f] + offset[f] : (v[i] - offset[f]) / divisor[f];
    }
    return out;
  };
  return {
    scaled: apply('scaleSeries series', s, false),
    scale,
    transform: (values) => apply('scaleSeries transform values', values, false),
    invert: (values) => apply('scaleSeries invert values', values, true),
  };
}
