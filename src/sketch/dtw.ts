/**
 * A recogniser of drawings that involves no model: a drawing's pen-down path resampled to K
 * points by arc length, moved to its centroid and scaled to unit size, compared with reference
 * drawings by dynamic time warping (DTW); the label of the nearest reference wins. It checks,
 * for example, that a model's drawing of a requested character looks like that character.
 * @packageDocumentation
 */
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { checkStroke3, toPolylines, type DrawingInput } from './strokes.js';

/**
 * Options of {@link resampleStrokes} and {@link strokeTemplate}.
 * @example
 * ```ts
 * const options: ResampleOptions = { points: 48 };
 * ```
 */
export interface ResampleOptions {
  /** K, the number of points, an integer in [2, 4096]. Default 32. */
  points?: number;
}

const RESAMPLE_RULES = { points: is.int(2, 4096) };

/**
 * A drawing's pen-down path as K points equally spaced by arc length, `[K, 2]` flat (absolute
 * positions, float32). The jumps with the pen up are not part of the path: each stroke is
 * resampled on its own and the strokes' points follow each other in drawing order. Every stroke
 * gets one point and the other K − S (S strokes) are shared in proportion to the strokes'
 * lengths (largest remainders); a stroke with n points has them at arc lengths
 * 0, ℓ/(n − 1), …, ℓ (its two ends included), a stroke with one point has it halfway along.
 * With more strokes than K, the K points are shared by length alone and short strokes may get none.
 *
 * @param drawing stroke-3
 * @example
 * ```ts
 * resampleStrokes([0, 0, 0,  10, 0, 1], { points: 3 });   // Float32Array [0,0, 5,0, 10,0]
 * ```
 */
export function resampleStrokes(drawing: DrawingInput, options: ResampleOptions = {}): Float32Array {
  const o = checkOptions<ResampleOptions>('resampleStrokes', options, RESAMPLE_RULES);
  checkStroke3('resampleStrokes drawing', drawing);
  return Float32Array.from(resample(drawing, o.points ?? 32));
}

// The resampled points in float64 (a template is centred before it is rounded to float32).
function resample(drawing: DrawingInput, K: number): Float64Array {
  const lines = toPolylines(drawing);
  const S = lines.length;
  const lengths = lines.map((p) => {
    let len = 0;
    for (let i = 2; i < p.length; i += 2) len += Math.hypot(p[i] - p[i - 2], p[i + 1] - p[i - 1]);
    return len;
  });
  const counts = S <= K ? share(K - S, lengths).map((c) => c + 1) : share(K, lengths);
  const out = new Float64Array(K * 2);
  let at = 0;
  lines.forEach((p, s) => {
    const n = counts[s];
    if (n === 0) return;
    if (n === 1) {
      pointAt(p, lengths[s] / 2, out, at);
      at += 2;
      return;
    }
    for (let j = 0; j < n; j++) {
      pointAt(p, (lengths[s] * j) / (n - 1), out, at);
      at += 2;
    }
  });
  return out;
}

// m points shared among strokes in proportion to their lengths (largest remainders; equal shares if all are 0)
function share(m: number, lengths: number[]): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  const quota = lengths.map((l) => (total > 0 ? (m * l) / total : m / lengths.length));
  const counts = quota.map(Math.floor);
  let left = m - counts.reduce((a, b) => a + b, 0);
  const order = quota.map((q, i) => i).sort((a, b) => (quota[b] - counts[b]) - (quota[a] - counts[a]) || a - b);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length]]++;
  return counts;
}

// The point at arc length s along polyline p, written to out[at], out[at + 1].
function pointAt(p: Float32Array, s: number, out: Float64Array, at: number): void {
  let walked = 0;
  for (let i = 2; i < p.length; i += 2) {
    const seg = Math.hypot(p[i] - p[i - 2], p[i + 1] - p[i - 1]);
    if (walked + seg >= s && seg > 0) {
      const t = Math.min(1, Math.max(0, (s - walked) / seg));
      out[at] = p[i - 2] + t * (p[i] - p[i - 2]);
      out[at + 1] = p[i - 1] + t * (p[i + 1] - p[i - 1]);
      return;
    }
    walked += seg;
  }
  out[at] = p[p.length - 2];
  out[at + 1] = p[p.length - 1];
}

/**
 * The template a drawing is compared by: {@link resampleStrokes}, then moved so the points'
 * centroid is at (0, 0) and scaled so their root-mean-square distance from it is 1 (the aspect
 * ratio kept; a drawing that is a single point stays at (0, 0)). `[K, 2]` flat.
 *
 * @param drawing stroke-3
 * @example
 * ```ts
 * strokeTemplate([0, 0, 0,  10, 0, 1], { points: 3 });   // Float32Array [-1.2247,0, 0,0, 1.2247,0]
 * ```
 */
export function strokeTemplate(drawing: DrawingInput, options: ResampleOptions = {}): Float32Array {
  const o = checkOptions<ResampleOptions>('strokeTemplate', options, RESAMPLE_RULES);
  checkStroke3('strokeTemplate drawing', drawing);
  return template(drawing, o.points ?? 32);
}

function template(drawing: DrawingInput, K: number): Float32Array {
  const p = resample(drawing, K);
  let cx = 0, cy = 0;
  for (let i = 0; i < p.length; i += 2) {
    cx += p[i];
    cy += p[i + 1];
  }
  cx /= K;
  cy /= K;
  let ss = 0;
  for (let i = 0; i < p.length; i += 2) ss += (p[i] - cx) ** 2 + (p[i + 1] - cy) ** 2;
  const r = Math.sqrt(ss / K);
  const scale = r > 0 ? 1 / r : 1;
  const out = new Float32Array(K * 2);
  for (let i = 0; i < p.length; i += 2) {
    out[i] = (p[i] - cx) * scale;
    out[i + 1] = (p[i + 1] - cy) * scale;
  }
  return out;
}

/**
 * Options of {@link dtwDistance}.
 * @example
 * ```ts
 * const options: DtwOptions = { window: 8 };
 * ```
 */
export interface DtwOptions {
  /** Sakoe–Chiba band: point i of `a` may only be matched to points j of `b` with |i − j| ≤ max(window, |Ka − Kb|). Default: no band. */
  window?: number;
}

/**
 * The dynamic-time-warping distance between two point sequences `[Ka, 2]` and `[Kb, 2]` (flat):
 * the least total cost of a monotone alignment that matches first to first and last to last,
 * with the symmetric step weights of Sakoe & Chiba (a diagonal step costs twice the Euclidean
 * distance of the pair it reaches, a horizontal or vertical step once), divided by Ka + Kb. For
 * two identical sequences it is 0; for two sequences of one point each it is their distance.
 *
 * @param a points `[Ka, 2]`, e.g. a {@link strokeTemplate}
 * @param b points `[Kb, 2]`
 * @example
 * ```ts
 * dtwDistance([0, 0, 1, 0, 2, 0], [0, 0, 2, 0]);   // (0 + 1 + 0) / 5 = 0.2
 * ```
 */
export function dtwDistance(a: ArrayLike<number>, b: ArrayLike<number>, options: DtwOptions = {}): number {
  const o = checkOptions<DtwOptions>('dtwDistance', options, { window: is.int(0) });
  checkPoints('dtwDistance a', a);
  checkPoints('dtwDistance b', b);
  return dtw(a, b, o.window ?? Infinity);
}

function checkPoints(name: string, p: unknown): void {
  const ok = (ArrayBuffer.isView(p) && !(p instanceof DataView) && !(p instanceof BigInt64Array) && !(p instanceof BigUint64Array)) ||
    (Array.isArray(p) && (p.length === 0 || typeof p[0] !== 'object'));
  if (!ok) throw new ShapeError(`${name}: expected points [K, 2] as a flat Float32Array (or Float64Array / number[]), got ${describe(p)}`);
  const a = p as ArrayLike<number>;
  if (a.length < 2 || a.length % 2 !== 0) throw new ShapeError(`${name}: expected points [K ≥ 1, 2] (an even number ≥ 2 of values), got ${a.length} values`);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) {
      throw new NonFiniteError(`${name}: element ${i} (point ${i >> 1}, ${i % 2 ? 'y' : 'x'}) is ${describe(a[i])}; only finite numbers are accepted`, name, i);
    }
  }
}

function dtw(a: ArrayLike<number>, b: ArrayLike<number>, window: number): number {
  const n = a.length / 2, m = b.length / 2;
  const band = Math.max(window, Math.abs(n - m));
  let prev = new Float64Array(m).fill(Infinity), cur = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    cur.fill(Infinity);
    const ax = a[2 * i], ay = a[2 * i + 1];
    const from = Math.max(0, i - band), to = Math.min(m - 1, i + band);
    for (let j = from; j <= to; j++) {
      const dx = ax - b[2 * j], dy = ay - b[2 * j + 1];
      const d = Math.sqrt(dx * dx + dy * dy);
      if (i === 0 && j === 0) {
        cur[0] = 2 * d; // the start counts like a diagonal step, so that the weights total Ka + Kb
        continue;
      }
      let best = Infinity;
      if (i > 0 && j > 0) best = prev[j - 1] + 2 * d;
      if (i > 0 && prev[j] + d < best) best = prev[j] + d;
      if (j > 0 && cur[j - 1] + d < best) best = cur[j - 1] + d;
      cur[j] = best;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m - 1] / (n + m);
}

/**
 * A reference for {@link nearestGlyph}: a drawing and its label.
 * @example
 * ```ts
 * const ref: LabelledDrawing = { drawing: [0, 0, 0,  0, 20, 1], label: 'l' };
 * ```
 */
export interface LabelledDrawing {
  drawing: DrawingInput;
  label: string;
}

/**
 * What {@link nearestGlyph} found.
 * @example
 * ```ts
 * const r: Recognition = { label: 'A', index: 32, distance: 0.07 };
 * ```
 */
export interface Recognition {
  /** The nearest reference's label. */
  label: string;
  /** Its index in the references. */
  index: number;
  /** Its {@link dtwDistance} to the drawing's template. */
  distance: number;
}

/**
 * Options of {@link nearestGlyph} and {@link glyphRecognizer}.
 * @example
 * ```ts
 * const options: RecognizerOptions = { points: 32, window: 8 };
 * ```
 */
export interface RecognizerOptions {
  /** Points per template, K (see {@link resampleStrokes}). Default 32. */
  points?: number;
  /** Sakoe–Chiba band of the DTW (see {@link DtwOptions}). Default: no band. */
  window?: number;
}

const RECOGNIZER_RULES = { points: is.int(2, 4096), window: is.int(0) };

/**
 * The reference nearest to a drawing: both as {@link strokeTemplate}s (position and size taken
 * out, K points each), compared by {@link dtwDistance}; ties go to the earlier reference. For many
 * drawings against the same references, {@link glyphRecognizer} makes their templates once.
 *
 * @param drawing stroke-3
 * @param references labelled drawings (e.g. Hershey glyphs with their characters)
 * @example
 * ```ts
 * const refs = [{ drawing: [0, 0, 0,  0, 20, 1], label: 'l' }, { drawing: [0, 0, 0,  20, 0, 1], label: '-' }];
 * nearestGlyph([5, 5, 0,  1, 9, 0,  -1, 9, 1], refs).label;   // 'l'
 * ```
 */
export function nearestGlyph(drawing: DrawingInput, references: readonly LabelledDrawing[], options: RecognizerOptions = {}): Recognition {
  const o = checkOptions<RecognizerOptions>('nearestGlyph', options, RECOGNIZER_RULES);
  checkStroke3('nearestGlyph drawing', drawing);
  const refs = templates('nearestGlyph references', references, o.points ?? 32);
  return nearest(template(drawing, o.points ?? 32), refs, o.window ?? Infinity);
}

/**
 * A recogniser with its references' templates made once: a function from a drawing to the
 * nearest reference (as {@link nearestGlyph}, with the same options). The references are
 * read when it is made; changing them afterwards does not change it.
 *
 * @param references labelled drawings
 * @example
 * ```ts
 * const recognize = glyphRecognizer([{ drawing: [0, 0, 0,  0, 20, 1], label: 'l' }, { drawing: [0, 0, 0,  20, 0, 1], label: '-' }]);
 * recognize([0, 0, 0,  15, 1, 1]).label;   // '-'
 * ```
 */
export function glyphRecognizer(references: readonly LabelledDrawing[], options: RecognizerOptions = {}): (drawing: DrawingInput) => Recognition {
  const o = checkOptions<RecognizerOptions>('glyphRecognizer', options, RECOGNIZER_RULES);
  const K = o.points ?? 32, window = o.window ?? Infinity;
  const refs = templates('glyphRecognizer references', references, K);
  return (drawing) => {
    checkStroke3('recognize drawing', drawing);
    return nearest(template(drawing, K), refs, window);
  };
}

function templates(name: string, references: unknown, K: number): { label: string; points: Float32Array }[] {
  if (!Array.isArray(references) || references.length === 0) {
    throw new ShapeError(`${name}: expected a non-empty array of { drawing, label }, got ${describe(references)}`);
  }
  return references.map((r: unknown, i) => {
    if (typeof r !== 'object' || r === null || typeof (r as LabelledDrawing).label !== 'string') {
      throw new ConfigError(`${name}[${i}]: expected { drawing: a stroke-3 drawing, label: a string }, got ${describe(r)}`);
    }
    const { drawing, label } = r as LabelledDrawing;
    checkStroke3(`${name}[${i}].drawing`, drawing);
    return { label, points: template(drawing, K) };
  });
}

function nearest(t: Float32Array, refs: { label: string; points: Float32Array }[], window: number): Recognition {
  let best = 0, bestD = Infinity;
  refs.forEach((r, i) => {
    const d = dtw(t, r.points, window);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return { label: refs[best].label, index: best, distance: bestD };
}
