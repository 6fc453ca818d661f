/**
 * Pen drawings as sequences of offsets, in the formats of Sketch-RNN (Ha & Eck 2017) and of
 * Graves (2013), and the data preparation a pen model needs: stroke-3 ⇄ stroke-5, absolute
 * polylines ⇄ stroke-3, the normalising scale of a training set, Sketch-RNN's two augmentations
 * (random x/y scaling and point dropping) and a teacher-forcing {@link SequenceDataset}.
 *
 * A drawing is a flat `Float32Array`, row-major, like every tensor of this library:
 *
 * - **stroke-3** `[L, 3]`: rows `(Δx, Δy, p)`. `(Δx, Δy)` is the offset from the previous point
 *   (the first row's from the origin (0, 0), so absolute positions are kept); `p = 1` when the pen
 *   is lifted after this point (the segment to the next point is not drawn), else 0. A stroke is
 *   the run of points up to and including a row with `p = 1`.
 * - **stroke-5** `[L + 1, 5]`: rows `(Δx, Δy, p1, p2, p3)` with a one-hot pen state: `p1` pen
 *   down after this point, `p2` pen lifted after it, `p3` the drawing has ended. The L points are
 *   followed by the end row `(0, 0, 0, 0, 1)`; padded to N_max rows, every row after the end is
 *   that end row too.
 *
 * Inputs may also be a `Float64Array` or a `number[]` of the same layout. Every function checks
 * its arguments (an `Error` subclass from `errors.ts` that names the argument, what was expected
 * and what was given) and returns fresh arrays: inputs are never modified.
 * @packageDocumentation
 */
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { describe, fmtShape, product } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { Rng } from '../rng.js';
import type { SequenceDataset } from '../data/dataset.js';

/**
 * A stroke-3 drawing: flat `[L, 3]` rows `(Δx, Δy, p)`, `p = 1` when the pen lifts after the
 * point. See the module's description.
 * @example
 * ```ts
 * // an "L": down from (0, 0) to (0, 10), then right to (5, 10), then the pen lifts
 * const ell: Stroke3 = new Float32Array([0, 0, 0,  0, 10, 0,  5, 0, 1]);
 * ```
 */
export type Stroke3 = Float32Array;

/**
 * A stroke-5 drawing: flat `[L + 1, 5]` rows `(Δx, Δy, p1 down, p2 up, p3 end)`, the last row
 * (and every padding row) `(0, 0, 0, 0, 1)`.
 * @example
 * ```ts
 * const ell: Stroke5 = toStroke5([0, 0, 0,  0, 10, 0,  5, 0, 1]);
 * // [0,0,1,0,0,  0,10,1,0,0,  5,0,0,1,0,  0,0,0,0,1]
 * ```
 */
export type Stroke5 = Float32Array;

/**
 * A drawing as the functions accept it: a `Float32Array` (the type they return), a
 * `Float64Array` or a plain `number[]`, flat and row-major.
 * @example
 * ```ts
 * const dot: DrawingInput = [3, 4, 1];   // one point at (3, 4), then the pen lifts
 * ```
 */
export type DrawingInput = Float32Array | Float64Array | readonly number[];

/**
 * A stroke as a list of absolute points, flat `[x0, y0, x1, y1, …]` (a `Float32Array` when
 * returned; any array of numbers when given).
 * @example
 * ```ts
 * const ell: Polyline = new Float32Array([0, 0,  0, 10,  5, 10]);
 * ```
 */
export type Polyline = Float32Array;

const PEN3 = ['Δx', 'Δy', 'p'];
const PEN5 = ['Δx', 'Δy', 'p1', 'p2', 'p3'];

/** @internal A flat numeric array (typed or plain, not nested). */
function numbers(name: string, value: unknown, what: string): ArrayLike<number> {
  const nested = Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null;
  const ok = ArrayBuffer.isView(value) ? !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)
    : Array.isArray(value);
  if (!ok || nested) {
    throw new ShapeError(`${name}: expected ${what} as a Float32Array (or Float64Array / number[]), got ${describe(value)}` +
      (nested ? ' — nested arrays are not accepted; flatten the rows to row-major order' : ''));
  }
  return value as ArrayLike<number>;
}

// A value that is a finite float32 (NaN, ±Infinity and magnitudes beyond 3.4e38 are not).
const finite32 = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(Math.fround(v));

function notFinite(name: string, i: number, width: number, cols: readonly string[], v: unknown): NonFiniteError {
  const why = typeof v === 'number' && Number.isFinite(v) ? `${v}, beyond the float32 range (±3.4e38)` : describe(v);
  return new NonFiniteError(`${name}: element ${i} (row ${Math.floor(i / width)}, ${cols[i % width]}) is ${why}; only finite numbers are accepted`, name, i);
}

/**
 * @internal Check a stroke-3 drawing: a flat array of L ≥ 1 rows (Δx, Δy, p), finite offsets, p
 * 0 or 1. Returns L.
 */
export function checkStroke3(name: string, drawing: unknown): number {
  const d = numbers(name, drawing, 'a stroke-3 drawing, flat [L, 3] rows (Δx, Δy, p)');
  if (d.length === 0) throw new ShapeError(`${name}: expected a stroke-3 drawing with at least one point, flat [L ≥ 1, 3] rows (Δx, Δy, p), got an empty drawing (0 values)`);
  if (d.length % 3 !== 0) throw new ShapeError(`${name}: expected a stroke-3 drawing, flat [L, 3] rows (Δx, Δy, p), got ${d.length} values (not a multiple of 3)`);
  for (let i = 0; i < d.length; i += 3) {
    if (!finite32(d[i])) throw notFinite(name, i, 3, PEN3, d[i]);
    if (!finite32(d[i + 1])) throw notFinite(name, i + 1, 3, PEN3, d[i + 1]);
    const p = d[i + 2];
    if (typeof p === 'number' && !Number.isFinite(p)) throw notFinite(name, i + 2, 3, PEN3, p);
    if (p !== 0 && p !== 1) {
      throw new ShapeError(`${name}: row ${i / 3} has pen state p = ${describe(p)} (element ${i + 2}); expected 0 (pen down) or 1 (pen lifted after this point)`);
    }
  }
  return d.length / 3;
}

/** @internal Check a stroke-5 drawing: finite offsets, one-hot pen states. Returns the number of rows. */
export function checkStroke5(name: string, drawing: unknown): number {
  const d = numbers(name, drawing, 'a stroke-5 drawing, flat [L, 5] rows (Δx, Δy, p1, p2, p3)');
  if (d.length === 0) throw new ShapeError(`${name}: expected a stroke-5 drawing with at least one point, flat [L ≥ 1, 5] rows (Δx, Δy, p1, p2, p3), got an empty drawing (0 values)`);
  if (d.length % 5 !== 0) throw new ShapeError(`${name}: expected a stroke-5 drawing, flat [L, 5] rows (Δx, Δy, p1, p2, p3), got ${d.length} values (not a multiple of 5)`);
  for (let i = 0; i < d.length; i += 5) {
    if (!finite32(d[i])) throw notFinite(name, i, 5, PEN5, d[i]);
    if (!finite32(d[i + 1])) throw notFinite(name, i + 1, 5, PEN5, d[i + 1]);
    for (let k = 2; k < 5; k++) if (typeof d[i + k] === 'number' && !Number.isFinite(d[i + k])) throw notFinite(name, i + k, 5, PEN5, d[i + k]);
    const p1 = d[i + 2], p2 = d[i + 3], p3 = d[i + 4];
    const bit = (v: number) => v === 0 || v === 1;
    if (!bit(p1) || !bit(p2) || !bit(p3) || p1 + p2 + p3 !== 1) {
      throw new ShapeError(`${name}: row ${i / 5} has pen state (p1, p2, p3) = (${describe(p1)}, ${describe(p2)}, ${describe(p3)}) ` +
        '(elements ' + `${i + 2}–${i + 4}); expected one-hot: (1, 0, 0) pen down, (0, 1, 0) pen up or (0, 0, 1) end of drawing`);
    }
  }
  return d.length / 5;
}

/** @internal Check an array of drawings (non-empty) and return each one's number of points. */
export function checkDrawings(name: string, drawings: unknown): Int32Array {
  if (!Array.isArray(drawings) || drawings.length === 0) {
    throw new ShapeError(`${name}: expected a non-empty array of stroke-3 drawings (each a flat [L, 3] Float32Array), got ${describe(drawings)}`);
  }
  if (typeof drawings[0] === 'number') {
    throw new ShapeError(`${name}: expected an array of stroke-3 drawings, got an array of ${drawings.length} numbers (one drawing? pass [drawing])`);
  }
  return Int32Array.from(drawings, (d, n) => checkStroke3(`${name}[${n}]`, d));
}

/**
 * Stroke-3 → stroke-5: each point `(Δx, Δy, p)` becomes `(Δx, Δy, 1 − p, p, 0)`, and the end row
 * `(0, 0, 0, 0, 1)` follows the last point. `[L, 3]` → `[L + 1, 5]`.
 *
 * @param drawing stroke-3, `[L ≥ 1, 3]`
 * @example
 * ```ts
 * toStroke5([0, 0, 0,  0, 10, 1]);   // Float32Array [0,0,1,0,0,  0,10,0,1,0,  0,0,0,0,1]
 * ```
 */
export function toStroke5(drawing: DrawingInput): Stroke5 {
  const L = checkStroke3('toStroke5 drawing', drawing);
  const out = new Float32Array((L + 1) * 5);
  for (let i = 0; i < L; i++) {
    out[i * 5] = drawing[i * 3];
    out[i * 5 + 1] = drawing[i * 3 + 1];
    out[i * 5 + 2] = 1 - drawing[i * 3 + 2];
    out[i * 5 + 3] = drawing[i * 3 + 2];
  }
  out[L * 5 + 4] = 1;
  return out;
}

/**
 * Stroke-5 → stroke-3: the rows before the first end row `p3 = 1` (all rows if there is none),
 * each `(Δx, Δy, p2)`. What follows the end (padding, or a model's output after it ended) is
 * ignored, but checked like the rest: finite, one-hot. A drawing that ends at its first row has
 * no points and is refused.
 *
 * @param stroke5 stroke-5, `[L, 5]`, one-hot pen states
 * @example
 * ```ts
 * toStroke3([0, 0, 1, 0, 0,  0, 10, 0, 1, 0,  0, 0, 0, 0, 1,  0, 0, 0, 0, 1]);   // Float32Array [0,0,0,  0,10,1]
 * ```
 */
export function toStroke3(stroke5: DrawingInput): Stroke3 {
  const rows = checkStroke5('toStroke3 stroke5', stroke5);
  let L = 0;
  while (L < rows && stroke5[L * 5 + 4] !== 1) L++;
  if (L === 0) throw new ShapeError('toStroke3 stroke5: the drawing ends at row 0 (p3 = 1), so it has no points; expected at least one point before the end row');
  const out = new Float32Array(L * 3);
  for (let i = 0; i < L; i++) {
    out[i * 3] = stroke5[i * 5];
    out[i * 3 + 1] = stroke5[i * 5 + 1];
    out[i * 3 + 2] = stroke5[i * 5 + 3];
  }
  return out;
}

/**
 * The normalising scale factor of a training set (Sketch-RNN's): the population standard
 * deviation of all its offsets Δx and Δy taken together (every row of every drawing, both
 * coordinates pooled), computed in float64. Divide the offsets of the training, validation and
 * test sets by this one number ({@link normalize}) so a model sees offsets of unit spread, and
 * multiply a model's samples by it to get back to the data's units.
 *
 * @param drawings the training set, stroke-3 each
 * @example
 * ```ts
 * const scale = strokeScale([[3, 4, 0, -3, -4, 1], [0, 5, 1]]);   // std of 3, 4, −3, −4, 0, 5
 * const train = [[3, 4, 0, -3, -4, 1]].map((d) => normalize(d, scale));
 * ```
 */
export function strokeScale(drawings: readonly DrawingInput[]): number {
  checkDrawings('strokeScale drawings', drawings);
  let n = 0, sum = 0;
  for (const d of drawings) for (let i = 0; i < d.length; i += 3) { sum += d[i] + d[i + 1]; n += 2; }
  const mean = sum / n;
  let ss = 0;
  for (const d of drawings) for (let i = 0; i < d.length; i += 3) ss += (d[i] - mean) ** 2 + (d[i + 1] - mean) ** 2;
  const std = Math.sqrt(ss / n);
  if (!(std > 0)) throw new ShapeError(`strokeScale drawings: every offset is ${mean}, so their standard deviation is 0; expected drawings that move`);
  if (!Number.isFinite(std)) throw new ShapeError(`strokeScale drawings: the standard deviation of the offsets overflows (${std}); expected offsets below about 1e154`);
  return std;
}

/**
 * The drawing with its offsets divided by `scale` (pen states unchanged): Sketch-RNN's
 * normalisation with the factor {@link strokeScale} computed on the training set. To undo it,
 * `normalize(d, 1 / scale)`.
 *
 * @param drawing stroke-3
 * @param scale a finite number > 0
 * @example
 * ```ts
 * normalize([10, -20, 0,  5, 0, 1], 10);   // Float32Array [1, -2, 0,  0.5, 0, 1]
 * ```
 */
export function normalize(drawing: DrawingInput, scale: number): Stroke3 {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) {
    throw new ConfigError(`normalize scale: expected a finite number > 0 (e.g. strokeScale of the training set), got ${describe(scale)}`);
  }
  const L = checkStroke3('normalize drawing', drawing);
  const out = new Float32Array(L * 3);
  for (let i = 0; i < L * 3; i += 3) {
    out[i] = drawing[i] / scale;
    out[i + 1] = drawing[i + 1] / scale;
    out[i + 2] = drawing[i + 2];
  }
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`normalize scale: dividing by ${scale} makes element ${bad} of the drawing (${drawing[bad]}) overflow float32; expected a larger scale`);
  return out;
}

/**
 * Options of {@link augmentScale}.
 * @example
 * ```ts
 * const options: AugmentScaleOptions = { factor: 0.15, seed: 7 };
 * ```
 */
export interface AugmentScaleOptions {
  /** The scales are drawn uniformly from [1 − factor, 1 + factor]; in [0, 1). Default 0.15. */
  factor?: number;
  /** Seed of the draw (mulberry32, the library's generator). Default: random. */
  seed?: number;
}

/**
 * Sketch-RNN's random scale augmentation: all Δx multiplied by one factor `sx` and all Δy by an
 * independent `sy`, each uniform in `[1 − factor, 1 + factor]` (x drawn first, then y, from
 * `seed`). The same seed gives the same result.
 *
 * @param drawing stroke-3
 * @example
 * ```ts
 * const a = augmentScale([10, 10, 1], { factor: 0.15, seed: 1 });   // Float32Array [sx·10, sy·10, 1]
 * // a[0] and a[1] are each in [8.5, 11.5]
 * ```
 */
export function augmentScale(drawing: DrawingInput, options: AugmentScaleOptions = {}): Stroke3 {
  const o = checkOptions<AugmentScaleOptions>('augmentScale', options, { factor: is.number(0, 1, { max: true }), seed: is.int(0) });
  const L = checkStroke3('augmentScale drawing', drawing);
  const rng = new Rng(o.seed ?? Rng.randomSeed());
  return finiteResult('augmentScale drawing', scaleXY(drawing, L, o.factor ?? 0.15, rng));
}

// Float32 results of finite inputs can still overflow (3e38 · 1.15): refuse rather than return ±Infinity.
function finiteResult(name: string, out: Float32Array): Float32Array {
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`${name}: element ${bad} of the result overflows float32 (±3.4e38); expected smaller offsets`);
  return out;
}

function scaleXY(drawing: ArrayLike<number>, L: number, factor: number, rng: Rng): Stroke3 {
  const sx = 1 + (rng.next() - 0.5) * 2 * factor;
  const sy = 1 + (rng.next() - 0.5) * 2 * factor;
  const out = new Float32Array(L * 3);
  for (let i = 0; i < L * 3; i += 3) {
    out[i] = drawing[i] * sx;
    out[i + 1] = drawing[i + 1] * sy;
    out[i + 2] = drawing[i + 2];
  }
  return out;
}

/**
 * Options of {@link dropPoints}.
 * @example
 * ```ts
 * const options: DropPointsOptions = { probability: 0.1, seed: 7 };
 * ```
 */
export interface DropPointsOptions {
  /** Probability that an eligible point is dropped, in [0, 1]. Default 0.1. */
  probability?: number;
  /** Seed of the draws (mulberry32). Default: random. */
  seed?: number;
}

/**
 * Sketch-RNN's stroke augmentation: points are dropped at random and each dropped point's
 * offset is added to the next point, so every point that is kept stays where it was and the
 * drawing keeps its shape with fewer vertices. Eligible are points with the pen down after
 * them (`p = 0`) that are at least the fourth point of their stroke and not the drawing's last
 * point: a stroke's first three points and its last (the pen lift) are always kept, as in
 * Magenta's `augment_strokes`. One uniform number is drawn per row, in order, from `seed`.
 *
 * @param drawing stroke-3
 * @example
 * ```ts
 * const line = [0, 0, 0,  1, 0, 0,  1, 0, 0,  1, 0, 0,  1, 0, 0,  1, 0, 1];   // 6 points along x
 * dropPoints(line, { probability: 1, seed: 1 });
 * // Float32Array [0,0,0,  1,0,0,  1,0,0,  3,0,1]: points 3 and 4 dropped, the end still at x = 5
 * ```
 */
export function dropPoints(drawing: DrawingInput, options: DropPointsOptions = {}): Stroke3 {
  const o = checkOptions<DropPointsOptions>('dropPoints', options, { probability: is.number(0, 1), seed: is.int(0) });
  const L = checkStroke3('dropPoints drawing', drawing);
  return finiteResult('dropPoints drawing', drop(drawing, L, o.probability ?? 0.1, new Rng(o.seed ?? Rng.randomSeed())));
}

function drop(d: ArrayLike<number>, L: number, probability: number, rng: Rng): Stroke3 {
  const out = new Float32Array(L * 3);
  let m = 0, k = 0, cx = 0, cy = 0; // k: index of the point within its stroke; (cx, cy): offsets carried
  for (let i = 0; i < L; i++) {
    const u = rng.next();
    const p = d[i * 3 + 2];
    if (p === 0 && k >= 3 && i < L - 1 && u < probability) {
      cx += d[i * 3];
      cy += d[i * 3 + 1];
    } else {
      out[m * 3] = d[i * 3] + cx;
      out[m * 3 + 1] = d[i * 3 + 1] + cy;
      out[m * 3 + 2] = p;
      cx = cy = 0;
      m++;
    }
    k = p === 1 ? 0 : k + 1;
  }
  return out.slice(0, m * 3);
}

/**
 * Options of {@link toPolylines} and {@link fromPolylines}.
 * @example
 * ```ts
 * const options: PolylineOptions = { origin: [100, 50] };
 * ```
 */
export interface PolylineOptions {
  /** Where the first offset starts from: `[x, y]`. Default `[0, 0]`. */
  origin?: readonly [number, number];
}

const ORIGIN_RULE = {
  origin: { expected: 'an array [x, y] of two finite numbers', test: (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((c) => typeof c === 'number' && Number.isFinite(c)) },
};

/**
 * Stroke-3 → the absolute points of each stroke: one {@link Polyline} `[x0, y0, x1, y1, …]` per
 * stroke, positions accumulated (in float64) from `origin`. A stroke ends at a point with
 * `p = 1`; if the last point has `p = 0`, its stroke is still returned. A stroke of one point
 * (a dot) is a polyline of one point.
 *
 * @param drawing stroke-3
 * @example
 * ```ts
 * toPolylines([1, 1, 0,  0, 10, 1,  5, -10, 0,  0, 10, 1]);
 * // [Float32Array [1, 1, 1, 11], Float32Array [6, 1, 6, 11]]
 * ```
 */
export function toPolylines(drawing: DrawingInput, options: PolylineOptions = {}): Polyline[] {
  const o = checkOptions<PolylineOptions>('toPolylines', options, ORIGIN_RULE);
  const L = checkStroke3('toPolylines drawing', drawing);
  let x = o.origin?.[0] ?? 0, y = o.origin?.[1] ?? 0;
  const out: Polyline[] = [];
  let current: number[] = [];
  for (let i = 0; i < L; i++) {
    x += drawing[i * 3];
    y += drawing[i * 3 + 1];
    current.push(x, y);
    if (drawing[i * 3 + 2] === 1 || i === L - 1) {
      out.push(Float32Array.from(current));
      current = [];
    }
  }
  return out;
}

/**
 * @internal Polylines (already checked, float64 allowed) → stroke-3: each point's offset from
 * the previous one (the first from `origin`), p = 1 at the last point of each polyline.
 */
export function polylinesToStroke3(polylines: readonly ArrayLike<number>[], ox = 0, oy = 0): Stroke3 {
  let total = 0;
  for (const p of polylines) total += p.length / 2;
  const out = new Float32Array(total * 3);
  let px = ox, py = oy, r = 0;
  for (const p of polylines) {
    for (let j = 0; j < p.length; j += 2) {
      out[r * 3] = p[j] - px;
      out[r * 3 + 1] = p[j + 1] - py;
      out[r * 3 + 2] = j === p.length - 2 ? 1 : 0;
      px = p[j];
      py = p[j + 1];
      r++;
    }
  }
  return out;
}

/**
 * The absolute points of each stroke → stroke-3: each point's offset from the previous point
 * (the first point's from `origin`), with `p = 1` at the last point of every polyline. The
 * offsets are differences computed in float64, then stored as float32.
 *
 * @param polylines one flat `[x0, y0, x1, y1, …]` array (≥ 1 point) per stroke
 * @example
 * ```ts
 * fromPolylines([[1, 1, 1, 11], [6, 1, 6, 11]]);
 * // Float32Array [1,1,0,  0,10,1,  5,-10,0,  0,10,1]
 * ```
 */
export function fromPolylines(polylines: readonly ArrayLike<number>[], options: PolylineOptions = {}): Stroke3 {
  const o = checkOptions<PolylineOptions>('fromPolylines', options, ORIGIN_RULE);
  if (!Array.isArray(polylines) || polylines.length === 0) {
    throw new ShapeError(`fromPolylines polylines: expected a non-empty array of strokes, each a flat [x0, y0, x1, y1, …] array, got ${describe(polylines)}`);
  }
  polylines.forEach((p, n) => {
    const name = `fromPolylines polylines[${n}]`;
    const a = numbers(name, p, 'a stroke as flat points [x0, y0, x1, y1, …]');
    if (a.length === 0 || a.length % 2 !== 0) {
      throw new ShapeError(`${name}: expected a stroke of at least one point, flat [x0, y0, x1, y1, …] (an even number ≥ 2 of values), got ${a.length === 0 ? 'an empty stroke (0 values)' : `${a.length} values`}`);
    }
    for (let i = 0; i < a.length; i++) {
      if (!finite32(a[i])) throw notFinite(name, i, 2, ['x', 'y'], a[i]);
    }
  });
  const out = polylinesToStroke3(polylines, o.origin?.[0] ?? 0, o.origin?.[1] ?? 0);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`fromPolylines polylines: the offset at element ${bad} of the result overflows float32; expected points closer together`);
  return out;
}

/**
 * Options of {@link padStroke5}.
 * @example
 * ```ts
 * const options: PadStroke5Options = { maxLength: 250 };
 * ```
 */
export interface PadStroke5Options {
  /** Rows per drawing, T (N_max of Sketch-RNN). Each drawing needs L + 1 ≤ T (its points and the end row). Default: the longest L + 1. */
  maxLength?: number;
}

/**
 * Result of {@link padStroke5}.
 * @example
 * ```ts
 * const { data, shape, lengths }: PaddedStrokes = padStroke5([[0, 5, 1]]);   // shape [1, 2, 5], lengths [2]
 * ```
 */
export interface PaddedStrokes {
  /** `[N, T, 5]` stroke-5 rows, each drawing followed by end rows `(0, 0, 0, 0, 1)` up to T. */
  data: Float32Array;
  /** `[N, T, 5]`. */
  shape: number[];
  /** The rows of each drawing including its end row: L + 1. Rows at t ≥ lengths[n] are padding (end rows). */
  lengths: Int32Array;
}

/**
 * Stroke-3 drawings → one batch-major stroke-5 array `[N, T, 5]`, Sketch-RNN's `to_big_strokes`
 * for a batch: each drawing's L points, then end rows `(0, 0, 0, 0, 1)` up to T. Every drawing
 * keeps at least one end row, so T ≥ L + 1; a longer drawing is refused (filter the set first).
 *
 * @param drawings stroke-3 each
 * @example
 * ```ts
 * const { data, shape, lengths } = padStroke5([[0, 5, 1], [1, 0, 0,  0, 1, 1]]);
 * // shape [2, 3, 5], lengths [2, 3]
 * // data: [0,5,0,1,0,  0,0,0,0,1,  0,0,0,0,1,    1,0,1,0,0,  0,1,0,1,0,  0,0,0,0,1]
 * ```
 */
export function padStroke5(drawings: readonly DrawingInput[], options: PadStroke5Options = {}): PaddedStrokes {
  const o = checkOptions<PadStroke5Options>('padStroke5', options, { maxLength: is.int(2) });
  const lens = checkDrawings('padStroke5 drawings', drawings);
  const T = maxLengthFor('padStroke5', lens, o.maxLength);
  const N = drawings.length;
  const data = new Float32Array(N * T * 5);
  for (let n = 0; n < N; n++) writeStroke5(drawings[n], lens[n], data, n * T * 5, T);
  return { data, shape: [N, T, 5], lengths: Int32Array.from(lens, (L) => L + 1) };
}

function maxLengthFor(where: string, lens: Int32Array, maxLength: number | undefined): number {
  let longest = 0;
  for (let n = 0; n < lens.length; n++) if (lens[n] > lens[longest]) longest = n;
  if (maxLength === undefined) return lens[longest] + 1;
  if (lens[longest] + 1 > maxLength) {
    throw new ShapeError(`${where} drawings[${longest}]: expected at most maxLength − 1 = ${maxLength - 1} points (one row stays for the end of drawing), ` +
      `got ${lens[longest]} points; leave out the longer drawings or raise maxLength`);
  }
  return maxLength;
}

// The stroke-5 rows of a drawing of L points at out[at …], end rows up to T.
function writeStroke5(d: ArrayLike<number>, L: number, out: Float32Array, at: number, T: number): void {
  for (let i = 0; i < L; i++) {
    out[at + i * 5] = d[i * 3];
    out[at + i * 5 + 1] = d[i * 3 + 1];
    out[at + i * 5 + 2] = 1 - d[i * 3 + 2];
    out[at + i * 5 + 3] = d[i * 3 + 2];
  }
  for (let i = L; i < T; i++) out[at + i * 5 + 4] = 1;
}

/**
 * Options of {@link strokeDataset}.
 * @example
 * ```ts
 * const options: StrokeDatasetOptions = { maxLength: 128, scale: 3.2, labels: [0, 2], numClasses: 3, randomScale: 0.15, dropProbability: 0.1, seed: 1 };
 * ```
 */
export interface StrokeDatasetOptions {
  /** Steps T of x and y; every drawing needs L + 1 ≤ T. Default: the longest L + 1 (of the drawings as given, so a set rebuilt with new augmentation keeps its T). */
  maxLength?: number;
  /** Divide every offset by this first: the training set's {@link strokeScale}. Default 1. */
  scale?: number;
  /** Random x/y scale augmentation ({@link augmentScale}'s `factor`), applied after `scale`. Default 0 (none). */
  randomScale?: number;
  /** Point dropping ({@link dropPoints}' `probability`), applied after the scaling. Default 0 (none). */
  dropProbability?: number;
  /** Seed of the augmentation: one generator runs through the drawings in order. Default: random. */
  seed?: number;
  /** A class id per drawing, made into a one-hot `condition [N, numClasses]` (e.g. the character of a glyph). */
  labels?: ArrayLike<number>;
  /** Number of classes of `labels`. Default: the largest label + 1. */
  numClasses?: number;
  /** Or any condition vector per drawing, `[N, F]` flat (e.g. a class one-hot with a style vector). */
  condition?: ArrayLike<number>;
  /** Shape of `condition`: `[N, F]`. */
  conditionShape?: readonly number[];
}

const DATASET_RULES = {
  maxLength: is.int(2), scale: is.number(0, Infinity, { min: true }), randomScale: is.number(0, 1, { max: true }),
  dropProbability: is.number(0, 1), seed: is.int(0), labels: is.checkedLater, numClasses: is.int(1),
  condition: is.checkedLater, conditionShape: is.checkedLater,
};

/**
 * A teacher-forcing data set of drawings for a pen model (Sketch-RNN's decoder): for each
 * drawing of L points, the targets `y` are its stroke-5 rows, the end row, and end rows up to T
 * (as {@link padStroke5}); the inputs `x` are the same rows shifted one step right behind the
 * start token S0 = `(0, 0, 1, 0, 0)`: `x[t] = y[t − 1]`, `x[0] = S0`. Both are `[N, T, 5]`
 * Float32Array, batch-major; `lengths[n] = L + 1` (the points and the end row; later steps are
 * padding). Offsets are divided by `scale`, then augmented (`randomScale`, `dropProbability`)
 * when asked. With `labels` (or `condition`), a condition `[N, F]` per drawing for a
 * {@link Seq2Seq} with `conditionSize: F`.
 *
 * Sketch-RNN counts the pen-state loss over all T steps (its padding targets are end rows, as
 * here) and the offset loss only where the target is not an end row; `lengths` marks the steps
 * up to and including each drawing's end.
 *
 * @param drawings stroke-3 each
 * @example
 * ```ts
 * const ds = strokeDataset([[0, 5, 1], [1, 0, 0,  0, 1, 1]], { labels: [1, 0] });
 * // xShape [2, 3, 5]: x[0] = S0, [0,5,0,1,0], [0,0,0,0,1]; y[0] = [0,5,0,1,0], [0,0,0,0,1], [0,0,0,0,1]
 * // lengths [2, 3]; condition [0, 1,  1, 0], conditionShape [2, 2]
 * checkDataset(ds);
 * ```
 */
export function strokeDataset(drawings: readonly DrawingInput[], options: StrokeDatasetOptions = {}): SequenceDataset {
  const o = checkOptions<StrokeDatasetOptions>('strokeDataset', options, DATASET_RULES);
  const lens = checkDrawings('strokeDataset drawings', drawings);
  const N = drawings.length;
  const T = maxLengthFor('strokeDataset', lens, o.maxLength);
  const condition = conditionOf(o, N);
  const scale = o.scale ?? 1, factor = o.randomScale ?? 0, probability = o.dropProbability ?? 0;
  const rng = new Rng(o.seed ?? Rng.randomSeed());
  const x = new Float32Array(N * T * 5), y = new Float32Array(N * T * 5);
  const lengths = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let d: ArrayLike<number> = drawings[n];
    if (scale !== 1) d = normalizeChecked(d, lens[n], scale, `strokeDataset drawings[${n}]`);
    if (factor > 0) d = finiteResult(`strokeDataset drawings[${n}]`, scaleXY(d, lens[n], factor, rng));
    if (probability > 0) d = finiteResult(`strokeDataset drawings[${n}]`, drop(d, lens[n], probability, rng));
    const L = d.length / 3;
    writeStroke5(d, L, y, n * T * 5, T);
    x[n * T * 5 + 2] = 1; // S0
    x.set(y.subarray(n * T * 5, (n * T + T - 1) * 5), n * T * 5 + 5);
    lengths[n] = L + 1;
  }
  const ds: SequenceDataset = { x, xShape: [N, T, 5], y, yShape: [N, T, 5], lengths };
  if (condition) Object.assign(ds, condition);
  return ds;
}

function normalizeChecked(d: ArrayLike<number>, L: number, scale: number, name: string): Float32Array {
  const out = new Float32Array(L * 3);
  for (let i = 0; i < L * 3; i += 3) {
    out[i] = d[i] / scale;
    out[i + 1] = d[i + 1] / scale;
    out[i + 2] = d[i + 2];
  }
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`${name}: dividing by scale ${scale} makes element ${bad} (${d[bad]}) overflow float32; expected a larger scale`);
  return out;
}

function conditionOf(o: StrokeDatasetOptions, N: number): Pick<SequenceDataset, 'condition' | 'conditionShape'> | undefined {
  const hasLabels = o.labels !== undefined || o.numClasses !== undefined;
  const hasCondition = o.condition !== undefined || o.conditionShape !== undefined;
  if (hasLabels && hasCondition) throw new ConfigError('strokeDataset: give labels (made into one-hot conditions) or a condition, not both');
  if (hasLabels) {
    if (o.labels === undefined) throw new ConfigError('strokeDataset: numClasses is given without labels; expected labels, one class id per drawing');
    const labels = numbers('strokeDataset labels', o.labels, `${N} class ids (one per drawing)`);
    if (labels.length !== N) throw new ShapeError(`strokeDataset labels: expected ${N} class ids (one per drawing), got ${labels.length}`);
    let max = 0;
    for (let i = 0; i < N; i++) {
      const v = labels[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new ShapeError(`strokeDataset labels: element ${i} is ${describe(v)}; expected a class id, an integer ≥ 0`);
      }
      max = Math.max(max, v);
    }
    const C = o.numClasses ?? max + 1;
    if (max >= C) {
      const i = Array.prototype.findIndex.call(labels, (v: number) => v >= C);
      throw new ShapeError(`strokeDataset labels: element ${i} is ${labels[i]}; expected a class id in [0, ${C - 1}] (numClasses ${C})`);
    }
    const condition = new Float32Array(N * C);
    for (let i = 0; i < N; i++) condition[i * C + labels[i]] = 1;
    return { condition, conditionShape: [N, C] };
  }
  if (hasCondition) {
    const shape = o.conditionShape;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== N || !Number.isSafeInteger(shape[1]) || shape[1] < 1) {
      throw new ShapeError(`strokeDataset conditionShape: expected [${N}, F] (one condition per drawing), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    const c = numbers('strokeDataset condition', o.condition, `a condition [${N}, ${shape[1]}]`);
    if (c.length !== product(shape)) throw new ShapeError(`strokeDataset condition: expected ${product(shape)} values for conditionShape ${fmtShape(shape)}, got ${c.length}`);
    for (let i = 0; i < c.length; i++) if (!finite32(c[i])) throw notFinite('strokeDataset condition', i, shape[1], Array.from({ length: shape[1] }, (_, f) => `feature ${f}`), c[i]);
    return { condition: Float32Array.from(c), conditionShape: [N, shape[1]] };
  }
  return undefined;
}
