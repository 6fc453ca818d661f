/**
 * Sequence data sets as flat typed arrays, batch-major (N samples first, then time), and the
 * operations a training loop needs on them: validation, gathering a batch, a chronological
 * split, a seeded shuffle, and cutting time windows for truncated BPTT.
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../rng.js';
import { checkFinite, checkIds, checkInt, describe, fmtShape, product } from './check.js';

/**
 * N samples of length T, batch-major.
 *
 * - `x`: features `[N, T, F]` (`Float32Array`) or token ids `[N, T]` (`Int32Array`).
 * - `y`: per-step targets `[N, T, O]` (`Float32Array`) / `[N, T]` (`Int32Array`, class ids), or
 *   one target per sequence `[N, O]` (`Float32Array`) / `[N]` (`Int32Array`).
 * - `lengths`: the valid length of each sample; steps at `t ≥ lengths[n]` are padding.
 *
 * All arrays are flat and row-major; `xShape`/`yShape` give their shapes.
 *
 * @example
 * ```ts
 * const ds: SequenceDataset = {
 *   x: new Float32Array(2 * 3 * 1), xShape: [2, 3, 1],   // 2 samples, 3 steps, 1 feature
 *   y: new Float32Array(2), yShape: [2, 1],              // one target per sample
 * };
 * checkDataset(ds);
 * ```
 */
export interface SequenceDataset {
  /** Features `[N, T, F]` (Float32Array) or token ids `[N, T]` (Int32Array), row-major. */
  x: Float32Array | Int32Array;
  /** Shape of `x`: `[N, T, F]` or `[N, T]`. */
  xShape: number[];
  /** Targets: `[N, T, O]` / `[N, T]` per step, or `[N, O]` / `[N]` one per sequence. */
  y: Float32Array | Int32Array;
  /** Shape of `y`. */
  yShape: number[];
  /**
   * Valid length of each sample (≤ T); steps at t ≥ length are padding. Absent: all T valid.
   * With per-step targets a length may be 0 (a sample with nothing left in a time window, see
   * {@link sliceTime}); with one target per sequence every length must be ≥ 1.
   */
  lengths?: Int32Array;
  /**
   * For a conditioned model ({@link Seq2Seq} without an encoder): one condition vector per
   * sample, `[N, F]` (Float32Array), e.g. an image's features for captioning.
   */
  condition?: Float32Array;
  /** Shape of `condition`: `[N, F]`. */
  conditionShape?: number[];
  /**
   * For an encoder–decoder ({@link Seq2Seq} with an encoder): the source sequence of each sample,
   * token ids `[N, Ts]` (Int32Array) or features `[N, Ts, Fs]` (Float32Array). `x`/`y` are then
   * the decoder's input (the target shifted right, teacher forcing) and targets.
   */
  source?: Float32Array | Int32Array;
  /** Shape of `source`. */
  sourceShape?: number[];
  /** Valid length of each source sequence (1 ≤ length ≤ Ts). Absent: all Ts valid. */
  sourceLengths?: Int32Array;
}

interface Layout {
  n: number;
  t: number;
  /** values per sample in x and y */
  xRow: number;
  yRow: number;
  perStep: boolean;
  /** values per sample in condition / source (0 when absent) */
  cRow: number;
  sRow: number;
}

/** Structure only (types, shapes, lengths): O(N), no scan over the values. */
function layout(ds: unknown, name: string): Layout {
  if (typeof ds !== 'object' || ds === null || Array.isArray(ds) || ArrayBuffer.isView(ds)) {
    throw new ShapeError(`${name}: expected a dataset { x, xShape, y, yShape, lengths? }, got ${describe(ds)}`);
  }
  const { x, xShape, y, yShape, lengths } = ds as Partial<SequenceDataset>;
  const ids = x instanceof Int32Array;
  if (!(x instanceof Float32Array) && !ids) {
    throw new ShapeError(`${name}.x: expected a Float32Array (features [N, T, F]) or an Int32Array (token ids [N, T]), got ${describe(x)}`);
  }
  const xRank = ids ? 2 : 3;
  checkShape(`${name}.xShape`, xShape, [xRank], ids ? '[N, T] for Int32Array token ids' : '[N, T, F] for Float32Array features');
  if (x.length !== product(xShape)) {
    throw new ShapeError(`${name}.x: expected ${product(xShape)} values for xShape ${fmtShape(xShape)}, got ${x.length}`);
  }
  const [n, t] = xShape;
  const yIds = y instanceof Int32Array;
  if (!(y instanceof Float32Array) && !yIds) {
    throw new ShapeError(`${name}.y: expected a Float32Array (values) or an Int32Array (class ids), got ${describe(y)}`);
  }
  checkShape(`${name}.yShape`, yShape, yIds ? [2, 1] : [3, 2],
    yIds ? '[N, T] (per step) or [N] (per sequence) for Int32Array class ids' : '[N, T, O] (per step) or [N, O] (per sequence) for Float32Array targets');
  const perStep = yShape.length === (yIds ? 2 : 3);
  if (yShape[0] !== n) {
    throw new ShapeError(`${name}.yShape: expected ${n} samples (xShape[0]) first, got ${fmtShape(yShape)}`);
  }
  if (perStep && yShape[1] !== t) {
    throw new ShapeError(`${name}.yShape: per-step targets need T = ${t} steps (xShape[1]) second, got ${fmtShape(yShape)}`);
  }
  if (y.length !== product(yShape)) {
    throw new ShapeError(`${name}.y: expected ${product(yShape)} values for yShape ${fmtShape(yShape)}, got ${y.length}`);
  }
  if (lengths !== undefined) {
    if (!(lengths instanceof Int32Array) || lengths.length !== n) {
      throw new ShapeError(`${name}.lengths: expected an Int32Array of ${n} lengths (one per sample), got ${describe(lengths)}`);
    }
    const min = perStep ? 0 : 1;
    for (let i = 0; i < n; i++) {
      if (lengths[i] < min || lengths[i] > t) {
        throw new ShapeError(`${name}.lengths: element ${i} is ${lengths[i]}; expected a length in [${min}, ${t}] (T = ${t}` +
          `${perStep ? '' : '; a sample with one target per sequence needs at least one step'})`);
      }
    }
  }
  const { cRow, sRow } = pairedLayout(ds as SequenceDataset, name, n);
  return { n, t, xRow: x.length / n, yRow: y.length / n, perStep, cRow, sRow };
}

// The fields of conditioned and encoder–decoder data: a condition [N, F] or a source
// [N, Ts] / [N, Ts, Fs] with its lengths, never both.
function pairedLayout(ds: SequenceDataset, name: string, n: number): { cRow: number; sRow: number } {
  const { condition, conditionShape, source, sourceShape, sourceLengths } = ds;
  let cRow = 0, sRow = 0;
  if (condition !== undefined || conditionShape !== undefined) {
    if (!(condition instanceof Float32Array)) throw new ShapeError(`${name}.condition: expected a Float32Array [N, F], got ${describe(condition)}`);
    checkShape(`${name}.conditionShape`, conditionShape, [2], '[N, F]');
    if (conditionShape[0] !== n) throw new ShapeError(`${name}.conditionShape: expected ${n} samples (xShape[0]) first, got ${fmtShape(conditionShape)}`);
    if (condition.length !== product(conditionShape)) throw new ShapeError(`${name}.condition: expected ${product(conditionShape)} values for conditionShape ${fmtShape(conditionShape)}, got ${condition.length}`);
    cRow = condition.length / n;
  }
  if (source !== undefined || sourceShape !== undefined || sourceLengths !== undefined) {
    if (cRow) throw new ShapeError(`${name}: give either a condition (a model without an encoder) or a source (an encoder–decoder), not both`);
    const ids = source instanceof Int32Array;
    if (!(source instanceof Float32Array) && !ids) throw new ShapeError(`${name}.source: expected an Int32Array (token ids [N, Ts]) or a Float32Array (features [N, Ts, Fs]), got ${describe(source)}`);
    checkShape(`${name}.sourceShape`, sourceShape, [ids ? 2 : 3], ids ? '[N, Ts] for Int32Array token ids' : '[N, Ts, Fs] for Float32Array features');
    if (sourceShape[0] !== n) throw new ShapeError(`${name}.sourceShape: expected ${n} samples (xShape[0]) first, got ${fmtShape(sourceShape)}`);
    if (source.length !== product(sourceShape)) throw new ShapeError(`${name}.source: expected ${product(sourceShape)} values for sourceShape ${fmtShape(sourceShape)}, got ${source.length}`);
    if (sourceLengths !== undefined) {
      if (!(sourceLengths instanceof Int32Array) || sourceLengths.length !== n) {
        throw new ShapeError(`${name}.sourceLengths: expected an Int32Array of ${n} lengths (one per sample), got ${describe(sourceLengths)}`);
      }
      for (let i = 0; i < n; i++) {
        if (sourceLengths[i] < 1 || sourceLengths[i] > sourceShape[1]) {
          throw new ShapeError(`${name}.sourceLengths: element ${i} is ${sourceLengths[i]}; expected a length in [1, ${sourceShape[1]}] (Ts = ${sourceShape[1]})`);
        }
      }
    }
    sRow = source.length / n;
  }
  return { cRow, sRow };
}

function checkShape(name: string, shape: unknown, ranks: number[], expected: string): asserts shape is number[] {
  if (!Array.isArray(shape) || !ranks.includes(shape.length) || !shape.every((s) => Number.isSafeInteger(s) && s >= 1)) {
    throw new ShapeError(`${name}: expected ${expected}, positive integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
  }
}

/**
 * Check a dataset and return it: types and shapes agree (`x` `[N, T, F]` or `[N, T]`, `y` with N
 * first and, for per-step targets, T second), `lengths` in range, every float finite, every token
 * id in `x` a non-negative integer (class ids in `y` may also be a loss's `ignoreIndex`, such as
 * −100: the trainer checks them against the model and the loss). Throws `ShapeError` (or `NonFiniteError` for NaN/±Infinity) naming the
 * field, e.g. `train.yShape`, with what was expected and what was given.
 *
 * @param name how the dataset is called in error messages
 * @example
 * ```ts
 * const ds = checkDataset({ x: new Int32Array([1, 2, 3, 4]), xShape: [2, 2], y: new Int32Array([2, 3, 4, 0]), yShape: [2, 2] }, 'train');
 * ```
 */
export function checkDataset(ds: SequenceDataset, name = 'data'): SequenceDataset {
  layout(ds, name);
  if (ds.x instanceof Float32Array) checkFinite(`${name}.x`, ds.x);
  else checkIds(`${name}.x`, ds.x);
  if (ds.y instanceof Float32Array) checkFinite(`${name}.y`, ds.y);
  if (ds.condition) checkFinite(`${name}.condition`, ds.condition);
  if (ds.source instanceof Float32Array) checkFinite(`${name}.source`, ds.source);
  else if (ds.source) checkIds(`${name}.source`, ds.source);
  return ds;
}

/**
 * Number of samples N (`xShape[0]`).
 * @example
 * ```ts
 * datasetSize({ x: new Int32Array(6), xShape: [3, 2], y: new Int32Array(3), yShape: [3] });   // 3
 * ```
 */
export function datasetSize(ds: SequenceDataset, name = 'data'): number {
  return layout(ds, name).n;
}

/**
 * Whether the targets are per step (`y` `[N, T, O]` / `[N, T]`, many-to-many) rather than one
 * per sequence (`[N, O]` / `[N]`, many-to-one).
 * @example
 * ```ts
 * targetsPerStep({ x: new Int32Array(6), xShape: [3, 2], y: new Int32Array(3), yShape: [3] });   // false
 * ```
 */
export function targetsPerStep(ds: SequenceDataset, name = 'data'): boolean {
  return layout(ds, name).perStep;
}

/**
 * Gather samples (in the given order, repeats allowed) into a new dataset: a mini-batch, or a
 * shuffled copy. The result's arrays are fresh copies. Checks the structure and the indices,
 * not the values (run {@link checkDataset} once on the whole dataset).
 *
 * @example
 * ```ts
 * const train = slidingWindows([1, 2, 3, 4, 5, 6, 7, 8], { window: 3 });   // 5 samples
 * const order = shuffledIndices(datasetSize(train), 1);                   // new seed each epoch
 * const batch = takeSamples(train, order.subarray(0, 2));                 // a mini-batch of 2
 * ```
 */
export function takeSamples(ds: SequenceDataset, indices: Int32Array | readonly number[], name = 'data'): SequenceDataset {
  const { n } = layout(ds, name);
  if (!(indices instanceof Int32Array) && !Array.isArray(indices)) {
    throw new ShapeError(`takeSamples indices: expected an Int32Array or number[] of sample indices, got ${describe(indices)}`);
  }
  const m = indices.length;
  if (m === 0) throw new ShapeError(`takeSamples indices: expected at least one sample index, got an empty ${describe(indices)}`);
  for (let i = 0; i < m; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) {
      throw new ShapeError(`takeSamples indices: element ${i} is ${describe(k)}; expected an integer in [0, ${n - 1}] (${name} has ${n} samples)`);
    }
  }
  return gatherSamples(ds, indices);
}

/**
 * @internal takeSamples without the checks, for a data set already validated once (the trainer
 * gathers every batch this way: re-checking all N samples per batch would cost O(N²/B) an epoch).
 *
 * @example
 * ```ts
 * const ds = checkDataset({ x: new Float32Array(6), xShape: [3, 2, 1], y: new Float32Array(3), yShape: [3, 1] });
 * const batch = gatherSamples(ds, [2, 0]);   // x [2, 2, 1], y [2, 1]
 * ```
 */
export function gatherSamples(ds: SequenceDataset, indices: Int32Array | readonly number[]): SequenceDataset {
  const m = indices.length, n = ds.xShape[0];
  const out = {} as SequenceDataset;
  for (const f of FIELDS) {
    const a = ds[f.data];
    if (!a) continue;
    const row = a.length / n;
    const g = a instanceof Int32Array ? new Int32Array(m * row) : new Float32Array(m * row);
    for (let i = 0; i < m; i++) g.set(a.subarray(indices[i] * row, (indices[i] + 1) * row), i * row);
    (out[f.data] as typeof g) = g;
    if (f.shape) (out[f.shape] as number[]) = [m, ...ds[f.shape]!.slice(1)];
  }
  return out;
}

// The per-sample fields of a data set (N first), with their shapes: what gathering and splitting copy.
const FIELDS: readonly { data: 'x' | 'y' | 'lengths' | 'condition' | 'source' | 'sourceLengths'; shape?: 'xShape' | 'yShape' | 'conditionShape' | 'sourceShape' }[] = [
  { data: 'x', shape: 'xShape' }, { data: 'y', shape: 'yShape' }, { data: 'lengths' },
  { data: 'condition', shape: 'conditionShape' }, { data: 'source', shape: 'sourceShape' }, { data: 'sourceLengths' },
];

function range(ds: SequenceDataset, from: number, to: number): SequenceDataset {
  return gatherSamples(ds, Array.from({ length: to - from }, (_, i) => from + i));
}

/**
 * Split without shuffling: the first `floor(N · fraction)` samples, and the rest (for a time
 * series built with {@link slidingWindows}: the earlier and the later windows). Both parts must
 * be non-empty. The parts are copies.
 *
 * @example
 * ```ts
 * const series = Array.from({ length: 100 }, (_, i) => Math.sin(i / 5));
 * const [train, test] = splitDataset(slidingWindows(series, { window: 12 }), 0.8);   // 70 and 18 windows
 * ```
 */
export function splitDataset(ds: SequenceDataset, fraction: number, name = 'data'): [SequenceDataset, SequenceDataset] {
  const l = layout(ds, name);
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new ConfigError(`splitDataset fraction: expected a number in (0, 1), got ${describe(fraction)}`);
  }
  // tolerance: 0.29 · 100 is 28.999999999999996 in floating point
  const first = Math.floor(l.n * fraction + 1e-9);
  if (first < 1 || first >= l.n) {
    throw new ConfigError(`splitDataset fraction: ${fraction} of ${l.n} samples leaves ${first < 1 ? 'the first' : 'the second'} part empty ` +
      `(first part = floor(${l.n} · ${fraction}) = ${first}); expected both parts to have at least one sample`);
  }
  return [range(ds, 0, first), range(ds, first, l.n)];
}

/**
 * A random permutation of `0 … n − 1` (Fisher–Yates), reproducible from `seed` (mulberry32,
 * as the layers' initialisation; seeds are taken modulo 2^32). For a new order every epoch,
 * pass e.g. `seed + epoch`.
 *
 * @example
 * ```ts
 * shuffledIndices(5, 42);   // Int32Array [ … a permutation of 0, 1, 2, 3, 4 … ]
 * ```
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  checkInt('shuffledIndices n', n, 0, 2 ** 31 - 1);
  checkInt('shuffledIndices seed', seed, 0, Number.MAX_SAFE_INTEGER);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/**
 * Steps `start … start + length − 1` of every sample, as a new dataset (copies), for truncated
 * BPTT: cut each batch (e.g. from {@link streams}) into consecutive windows and carry the hidden
 * state from one window to the next. Needs per-step targets. `lengths`, if present, are clipped
 * to the window (and may become 0).
 *
 * @example
 * ```ts
 * const ids = CharTokenizer.fromText('to be or not to be').encode('to be or not to be'.repeat(100));
 * const data = streams(ids, { batchSize: 4 });                  // x, y: [4, S = 449]
 * const S = data.xShape[1], k = 64;
 * for (let t = 0; t < S; t += k) {
 *   const chunk = sliceTime(data, t, Math.min(k, S - t));       // x, y: [4, ≤ 64]
 * }
 * ```
 */
export function sliceTime(ds: SequenceDataset, start: number, length: number, name = 'data'): SequenceDataset {
  const l = layout(ds, name);
  if (!l.perStep) {
    throw new ShapeError(`sliceTime ${name}: expected per-step targets (yShape [N, T, O] or [N, T]), got yShape ${fmtShape(ds.yShape)} (one per sequence)`);
  }
  if (l.cRow || l.sRow) {
    throw new ShapeError(`sliceTime ${name}: a data set with a condition or a source is not cut into time windows (its decoder starts from the condition at every window); truncated BPTT is for Sequential models`);
  }
  checkInt('sliceTime start', start, 0, l.t - 1);
  checkInt(`sliceTime length (start ${start}, T ${l.t})`, length, 1, l.t - start);
  const xStep = l.xRow / l.t, yStep = l.yRow / l.t;
  const x = ds.x instanceof Int32Array ? new Int32Array(l.n * length * xStep) : new Float32Array(l.n * length * xStep);
  const y = ds.y instanceof Int32Array ? new Int32Array(l.n * length * yStep) : new Float32Array(l.n * length * yStep);
  for (let i = 0; i < l.n; i++) {
    x.set(ds.x.subarray(i * l.xRow + start * xStep, i * l.xRow + (start + length) * xStep), i * length * xStep);
    y.set(ds.y.subarray(i * l.yRow + start * yStep, i * l.yRow + (start + length) * yStep), i * length * yStep);
  }
  const lengths = ds.lengths?.map((len) => Math.min(Math.max(len - start, 0), length));
  const out: SequenceDataset = { x, xShape: [l.n, length, ...ds.xShape.slice(2)], y, yShape: [l.n, length, ...ds.yShape.slice(2)] };
  if (lengths) out.lengths = lengths;
  return out;
}
