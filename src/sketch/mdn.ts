// The mixture-density (MDN) head of Sketch-RNN: its output layout, bounds and loss (the wasm
// kernel assembly/mdn.ts computes the value and the gradient in one pass), the stroke-5 target
// checks the trainer shares, and the teacher-forcing data set.
import { ConfigError, ShapeError } from '../errors.js';
import type { SequenceDataset } from '../data/dataset.js';
import { checkArray, checkFinite32, checkLengths, describe, fmtShape, nonFinite, type NumericArray } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { checkInputSize } from '../runtime/limits.js';
import { getRuntime, type Runtime } from '../runtime/loader.js';
import { registerLossKind, type BatchLoss, type BatchLossOptions, type Loss, type LossKind, type Trainable } from '../train/losses.js';

/**
 * The bounds the MDN head applies to its raw outputs, in the loss and in sampling alike:
 * - `log σ = max(raw, logSigmaMin)`, so `σ = exp(log σ) ≥ sigmaMin = 1e-4` (`logSigmaMin = ln 1e-4`);
 * - `ρ = clamp(tanh(raw), −rhoMax, rhoMax)` with `rhoMax = 1 − 1e-6`, so `1 − ρ² ≥ 2·10⁻⁶`.
 *
 * The gradient is the exact derivative of these (a clamped value passes no gradient; at the
 * bound itself it does, as `torch.clamp`). π and the pen state are log-softmaxes of their logits.
 *
 * @example
 * ```ts
 * console.log(MDN_BOUNDS.sigmaMin, MDN_BOUNDS.rhoMax);   // 0.0001 0.999999
 * ```
 */
export const MDN_BOUNDS: { readonly sigmaMin: number; readonly logSigmaMin: number; readonly rhoMax: number } = Object.freeze({
  sigmaMin: 1e-4,
  logSigmaMin: -9.210340371976182, // ln 1e-4, as the kernel (assembly/mdn.ts) has it
  rhoMax: 1 - 1e-6,
});

/** The most mixture components a head may have. */
const MAX_COMPONENTS = 1 << 16;

/**
 * The number of values per step an MDN head with `components` Gaussians outputs: `6·M + 3`, in
 * Sketch-RNN's layout (Magenta's `get_mixture_coef`): the 3 pen logits (down, up, end) first,
 * then six blocks of M — π logits, μx, μy, σx raw, σy raw, ρ raw.
 *
 * @example
 * ```ts
 * const head = new Linear({ inFeatures: 256, outFeatures: mdnOutputSize(20), seed: 1 });   // 123 outputs
 * head.dispose();
 * ```
 */
export function mdnOutputSize(components: number): number {
  if (!Number.isInteger(components) || components < 1 || components > MAX_COMPONENTS) {
    throw new ConfigError(`mdnOutputSize components: expected an integer in [1, ${MAX_COMPONENTS}], got ${describe(components)}`);
  }
  return 6 * components + 3;
}

/** The rule for a `components` option. */
const COMPONENTS_RULE = is.int(1, MAX_COMPONENTS);

/**
 * @internal Check stroke-5 rows `[N, T, 5]` (batch-major) at the valid steps (t < lengths[n]):
 * offsets finite float32, the pen state one-hot, a drawing not empty (its first step is not
 * the end state) and, once ended, only end states after (the padding of Sketch-RNN's data).
 * `as`: 'drawings' (the above), 'windows' (the same for truncated-BPTT windows that continue
 * their drawings: a window may start in the padding), 'prefix' (an unfinished drawing: no end
 * state at all) or 'rows' (independent steps: only the per-row checks). Throws a
 * NonFiniteError / ShapeError naming `name`, the sample, the step and the element.
 */
export function checkStrokes(name: string, y: NumericArray, N: number, T: number, lengths?: ArrayLike<number>, as: 'drawings' | 'windows' | 'prefix' | 'rows' = 'drawings'): void {
  for (let n = 0; n < N; n++) {
    const len = lengths ? lengths[n] : T;
    let ended = false;
    for (let t = 0; t < len; t++) {
      const i = (n * T + t) * 5;
      for (let c = 0; c < 5; c++) {
        const v = y[i + c];
        if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) throw nonFinite(name, i + c, v);
      }
      const down = y[i + 2], up = y[i + 3], end = y[i + 4];
      // (messages are built only when thrown: a streaming step checks its point with this)
      if (!((down === 1 && up === 0 && end === 0) || (down === 0 && up === 1 && end === 0) || (down === 0 && up === 0 && end === 1))) {
        throw new ShapeError(`${name}: ${where(N, T, n, t)} has the pen state [${down}, ${up}, ${end}]; expected one-hot (p_down, p_up, p_end): exactly one 1, the others 0`);
      }
      if (as === 'rows') continue;
      if (end === 1 && as === 'prefix') throw new ShapeError(`${name}: ${where(N, T, n, t)} is the end state (p_end = 1); expected an unfinished drawing`);
      if (end === 1 && t === 0 && as === 'drawings') {
        throw new ShapeError(`${name}: ${N > 1 ? `sample ${n}` : 'the drawing'} is empty: its first step (elements ${i}–${i + 4}) is already the end state`);
      }
      if (ended && end !== 1) {
        throw new ShapeError(`${name}: ${where(N, T, n, t)} follows the end of the drawing but is not the end state; pad a finished drawing with (0, 0, 0, 0, 1)`);
      }
      ended = end === 1;
    }
  }
}

// where a stroke-5 row is, for messages
function where(N: number, T: number, n: number, t: number): string {
  const i = (n * T + t) * 5;
  return N > 1 ? `sample ${n}, step ${t} (elements ${i}–${i + 4})` : T > 1 ? `step ${t} (elements ${i}–${i + 4})` : `elements ${i}–${i + 4}`;
}

// Bytes of the MDN kernel's side buffer for `rows` rows: the two row weights, then the f64 workspace.
function mdnScratchBytes(rows: number, M: number): number {
  return rows * 8 + (7 * M + 3) * 8;
}

// The MDN loss of `rows` rows in wasm memory: head outputs [rows, 6M+3] at outPtr, stroke-5
// targets [rows, 5] at tPtr, and at wPtr (mdnScratchBytes) the offset weights [rows] then the pen
// weights [rows] (the workspace follows). Writes scale·∂(sum)/∂output at gradPtr; returns the
// sum of the rows' losses.
function runMdn(rt: Runtime, gradPtr: number, outPtr: number, tPtr: number, wPtr: number, rows: number, M: number, scale: number): number {
  return rt.kernels.mdn_nll(gradPtr, outPtr, tPtr, wPtr, wPtr + rows * 4, wPtr + rows * 8, rows, M, scale);
}

// The row weights of Sketch-RNN's loss: offsets valid · (1 − p_end), pen valid. `w` is
// [2·rows]; row r's target starts at y[src(r)·5]. Returns the count of valid rows.
function mdnWeights(w: Float32Array, y: NumericArray, rows: number, src: (r: number) => number, valid: (r: number) => boolean): number {
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const ok = valid(r);
    w[r] = ok ? 1 - y[src(r) * 5 + 4] : 0;
    w[rows + r] = ok ? 1 : 0;
    if (ok) count++;
  }
  return count;
}

/**
 * Options of {@link mdnLoss}.
 *
 * @example
 * ```ts
 * const options: MdnLossOptions = { components: 20, shape: [2, 40], lengths: [40, 31] };   // 2 drawings, 40 steps
 * ```
 */
export interface MdnLossOptions {
  /** M, the number of Gaussians: the output has `6·M + 3` values per step. */
  components: number;
  /** `[N, T]`: N drawings of T steps (batch-major). */
  shape: readonly number[];
  /** Valid steps of each drawing; the steps after count in neither term. Default: all T. */
  lengths?: ArrayLike<number>;
}

/**
 * Sketch-RNN's reconstruction loss and its gradient, for head outputs you hold (the Trainer's
 * `{ type: 'mixtureDensity', components }` loss computes the same): output `[N, T, 6M+3]`,
 * stroke-5 targets `[N, T, 5]`. Per step,
 * `L = (1 − p_end)·(−log Σ_j π_j N(Δx, Δy | μ_j, σ_j, ρ_j)) − Σ_k p_k log q_k`,
 * averaged over the N·T steps (the valid ones, with `lengths`): the offset term is masked from
 * the end of each drawing on, the pen term counts over the whole padded length. Returns the
 * mean and its gradient w.r.t. the output (fresh arrays). See {@link MDN_BOUNDS}.
 *
 * @example
 * ```ts
 * const M = 2, output = new Float32Array(1 * 2 * mdnOutputSize(M));   // 1 drawing, 2 steps
 * const target = Float32Array.of(0.5, -1, 1, 0, 0,   0, 0, 0, 0, 1);   // a pen-down step, then the end
 * const { loss, grad } = mdnLoss(output, target, { components: M, shape: [1, 2] });
 * console.log(loss.toFixed(4), grad.length);                           // 2.3301 30
 * ```
 */
export function mdnLoss(output: NumericArray, target: NumericArray, options: MdnLossOptions): { loss: number; grad: Float32Array } {
  checkOptions('mdnLoss', options, { components: COMPONENTS_RULE, shape: is.checkedLater, lengths: is.checkedLater }, ['components', 'shape']);
  const shape = options.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isSafeInteger(v) && v >= 1)) {
    throw new ShapeError(`mdnLoss options.shape: expected [N, T] (drawings, steps), positive integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
  }
  return mdnLossOf('mdnLoss', output, target, options.components, shape[0], shape[1], options.lengths);
}

// mdnLoss with its arguments named after `what` in errors; `as` 'rows': independent steps.
function mdnLossOf(what: string, output: NumericArray, target: NumericArray, M: number, N: number, T: number, lengthsIn?: ArrayLike<number>, as: 'drawings' | 'rows' = 'drawings'): { loss: number; grad: Float32Array } {
  const C = 6 * M + 3, rows = N * T;
  checkInputSize(`${what} output`, [N, T, C]);
  const out = checkArray(`${what} output`, output, [N, T, C]);
  checkFinite32(`${what} output`, out);
  const y = checkArray(`${what} target`, target, [N, T, 5]);
  const lengths = lengthsIn === undefined ? undefined : checkLengths(`${what} lengths`, lengthsIn, T, N);
  checkStrokes(`${what} target`, y, N, T, lengths, as);
  const rt = getRuntime(), { arena } = rt;
  const blocks: number[] = [];
  try {
    const o = arena.alloc(rows * C * 4, 'mdnLoss output'); blocks.push(o);
    const g = arena.alloc(rows * C * 4, 'mdnLoss gradient'); blocks.push(g);
    const t = arena.alloc(rows * 5 * 4, 'mdnLoss target'); blocks.push(t);
    const w = arena.alloc(mdnScratchBytes(rows, M), 'mdnLoss weights'); blocks.push(w);
    arena.f32(o, rows * C).set(out);
    arena.f32(t, rows * 5).set(y);
    const count = mdnWeights(arena.f32(w, 2 * rows), y, rows, (r) => r, (r) => r % T < (lengths ? lengths[Math.floor(r / T)] : T));
    const sum = runMdn(rt, g, o, t, w, rows, M, count > 0 ? 1 / count : 0);
    return { loss: count > 0 ? sum / count : NaN, grad: arena.f32(g, rows * C).slice() };
  } finally {
    for (const b of blocks) arena.free(b);
  }
}

/**
 * Options of {@link penDataset}.
 *
 * @example
 * ```ts
 * const options: PenDatasetOptions = { shape: [3, 50, 5], condition: [1, 0, 0, 1, 0, 1], conditionShape: [3, 2] };   // a class per drawing
 * ```
 */
export interface PenDatasetOptions {
  /** `[N, T, 5]`: N drawings in stroke-5, each padded to T steps with the end state (0, 0, 0, 0, 1). */
  shape: readonly number[];
  /** One condition vector per drawing `[N, F]` (e.g. a one-hot class), for a {@link Seq2Seq}. */
  condition?: NumericArray;
  /** `[N, F]`. */
  conditionShape?: readonly number[];
}

/**
 * The teacher-forcing data set of Sketch-RNN's decoder from padded stroke-5 drawings: the
 * targets `y` are the drawings, the inputs `x` the same drawings shifted one step right behind
 * the start token S₀ = (0, 0, 1, 0, 0). Checked first (finite offsets, one-hot pen states, no
 * empty drawing, only end states after the end); the arrays are fresh.
 *
 * @example
 * ```ts
 * const strokes = Float32Array.of(1, 0, 1, 0, 0,   0, 1, 0, 1, 0,   0, 0, 0, 0, 1);   // one drawing, T = 3
 * const data = penDataset(strokes, { shape: [1, 3, 5] });
 * console.log(Array.from(data.x.subarray(0, 10)));   // [0, 0, 1, 0, 0, 1, 0, 1, 0, 0]
 * ```
 */
export function penDataset(strokes: NumericArray, options: PenDatasetOptions): SequenceDataset {
  checkOptions('penDataset', options, { shape: is.checkedLater, condition: is.checkedLater, conditionShape: is.checkedLater }, ['shape']);
  const shape = options.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== 5 || !shape.every((v) => Number.isSafeInteger(v) && v >= 1)) {
    throw new ShapeError(`penDataset options.shape: expected [N, T, 5] (stroke-5 drawings), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
  }
  const [N, T] = shape;
  checkInputSize('penDataset strokes', shape);
  const y = checkArray('penDataset strokes', strokes, shape);
  checkStrokes('penDataset strokes', y, N, T);
  let condition: Float32Array | undefined;
  if (options.condition !== undefined || options.conditionShape !== undefined) {
    const cs = options.conditionShape;
    if (!Array.isArray(cs) || cs.length !== 2 || cs[0] !== N || !Number.isSafeInteger(cs[1]) || cs[1] < 1) {
      throw new ShapeError(`penDataset options.conditionShape: expected [${N}, F] (one condition per drawing), got ${Array.isArray(cs) ? fmtShape(cs) : describe(cs)}`);
    }
    const c = checkArray('penDataset condition', options.condition, cs);
    checkFinite32('penDataset condition', c);
    condition = Float32Array.from(c);
  }
  const x = new Float32Array(N * T * 5);
  for (let n = 0; n < N; n++) {
    x[n * T * 5 + 2] = 1; // S₀
    for (let i = 0; i < (T - 1) * 5; i++) x[(n * T + 1) * 5 + i] = y[n * T * 5 + i];
  }
  const data: SequenceDataset = { x, xShape: [N, T, 5], y: Float32Array.from(y), yShape: [N, T, 5] };
  if (condition) { data.condition = condition; data.conditionShape = [N, condition.length / N]; }
  return data;
}

// ——— the Trainer's { type: 'mixtureDensity', components } loss (registered when this entry loads) ———

// The model fits a mixture of M components (a head of 6M + 3 values at every step) and y is
// stroke-5 [N, T, 5].
function checkMdnShapes(model: Trainable, M: number, data: SequenceDataset, name: string): void {
  if (model.output !== 'sequence') throw new ShapeError(`${name}: loss mixtureDensity predicts every pen step; the model's output must be 'sequence', not '${model.output}'`);
  if (model.outputSize !== 6 * M + 3) {
    throw new ShapeError(`${name}: loss mixtureDensity with ${M} components needs a head of 6·${M} + 3 = ${6 * M + 3} outputs per step (pen logits, then π, μx, μy, σx, σy, ρ); the model gives ${model.outputSize}`);
  }
  const [N, T] = data.xShape, ys = data.yShape;
  if (ys.length !== 3 || ys[0] !== N || ys[1] !== T || ys[2] !== 5) {
    throw new ShapeError(`${name}.yShape: loss mixtureDensity needs stroke-5 targets [${N}, ${T}, 5] (Δx, Δy, p_down, p_up, p_end per step), got ${fmtShape(ys)}`);
  }
}

// Sketch-RNN's loss for a batch: a valid row weighs (1 − p_end) in the offset term and 1 in the
// pen term; the mean over the valid rows (N·T without lengths). Checked before the forward runs.
function mdnBatchLoss(model: Trainable, loss: Loss, batch: SequenceDataset, opts: BatchLossOptions): BatchLoss {
  const M = loss.components!, [B, T] = batch.xShape, lengths = batch.lengths;
  checkMdnShapes(model, M, batch, 'targets');
  checkStrokes('targets.y', batch.y, B, T, lengths, opts.carry ? 'windows' : 'drawings');
  const rows = T * B, rt = model.rt;
  const tPtr = model.scratch(10, rows * 5 * 4, 'targets');
  const wPtr = model.scratch(12, mdnScratchBytes(rows, M), 'mixture density weights');
  const { ptr } = model.runBatch(batch, 'trainer batch', { carry: opts.carry, keepState: opts.keepState });
  const src = (r: number) => (r % B) * T + Math.floor(r / B); // time-major row (t, b) ← sample b, step t
  const tgt = rt.arena.f32(tPtr, rows * 5);
  for (let r = 0; r < rows; r++) for (let c = 0; c < 5; c++) tgt[r * 5 + c] = batch.y[src(r) * 5 + c];
  const count = mdnWeights(rt.arena.f32(wPtr, 2 * rows), batch.y, rows, src, (r) => {
    const t = Math.floor(r / B), len = lengths ? lengths[r % B] : T;
    return opts.lastStepOnly ? t === len - 1 : t < len;
  });
  const gradPtr = model.scratch(11, rows * model.outputSize * 4, 'loss gradient');
  const n = count * (opts.accumulate ?? 1);
  const sum = runMdn(rt, gradPtr, ptr, tPtr, wPtr, rows, M, n > 0 ? 1 / n : 0);
  return { sum, count, tokens: lengths ? lengths.reduce((a, b) => a + b, 0) : rows, gradPtr };
}

/** @internal Let the Trainer know the mixtureDensity loss (see registerSeq2Seq for why the entry calls it too). */
export function registerMixtureDensity(): void {
  registerLossKind('mixtureDensity', MIXTURE_DENSITY);
}

const MIXTURE_DENSITY: LossKind = {
  resolve(spec) {
    const { components } = checkOptions<{ components: number }>('loss', spec, { type: is.checkedLater, components: COMPONENTS_RULE }, ['components']);
    return { kind: 'mixtureDensity', ignoreIndex: -100, components };
  },
  checkTargets(model, loss, data, name, continued) {
    checkMdnShapes(model, loss.components!, data, name);
    checkStrokes(`${name}.y`, data.y, data.xShape[0], data.xShape[1], data.lengths, continued ? 'windows' : 'drawings');
  },
  batchLoss: mdnBatchLoss,
  lossAndGrad(loss, output, target, N, C) {
    const M = loss.components!;
    if (C !== 6 * M + 3) throw new ShapeError(`lossAndGrad options.shape [${N}, ${C}]: a mixture of ${M} components has 6·${M} + 3 = ${6 * M + 3} outputs per row`);
    return mdnLossOf('lossAndGrad', output, target, M, N, 1, undefined, 'rows');
  },
};
registerMixtureDensity();
