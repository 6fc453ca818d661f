import { ConfigError, ShapeError } from '../errors.js';
import type { SequenceDataset } from '../data/dataset.js';
import type { Sequential } from '../model/sequential.js';
import type { Seq2Seq } from '../model/seq2seq.js';

/** @internal The models the trainer trains. */
export type Trainable = Sequential | Seq2Seq;
import { getRuntime, type Runtime } from '../runtime/loader.js';
import { checkArray, checkFinite32, describe, type NumericArray } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';

/**
 * Losses, as PyTorch's with reduction 'mean' over the valid elements:
 * - `'mse'`: mean of (output − target)² over every element (targets: floats shaped like the output)
 * - `'crossEntropy'`: softmax cross-entropy with integer class targets (one per output row);
 *   a target equal to `ignoreIndex` (default −100) is skipped, as are padded steps
 * - `'bceWithLogits'`: sigmoid binary cross-entropy on logits, targets in [0, 1]
 * - `{ type: 'mixtureDensity', components: M }` (defined by `rnn-wasm/sketch`: import it first):
 *   Sketch-RNN's pen loss, M bivariate Gaussians over the offsets and a 3-way pen softmax on a
 *   head of 6M + 3 outputs per step, stroke-5 targets `[N, T, 5]`; the mean over the valid steps
 */
export type LossSpec = 'mse' | 'crossEntropy' | 'bceWithLogits' | { type: 'crossEntropy'; ignoreIndex?: number } |
  { type: 'mixtureDensity'; components: number };

/** A loss spec resolved: its kind, the class id crossEntropy ignores, the components of mixtureDensity. */
export interface Loss { kind: 'mse' | 'crossEntropy' | 'bceWithLogits' | 'mixtureDensity'; ignoreIndex: number; components?: number }

/**
 * @internal A loss another entry defines (rnn-wasm/sketch: 'mixtureDensity'), so that the
 * trainer's entry does not carry it: resolving its spec, checking a data set's targets, the
 * loss of a batch, and lossAndGrad.
 */
export interface LossKind {
  resolve(spec: { type: string }): Loss;
  checkTargets(model: Trainable, loss: Loss, data: SequenceDataset, name: string, continued: boolean): void;
  batchLoss(model: Trainable, loss: Loss, batch: SequenceDataset, opts: BatchLossOptions): BatchLoss;
  lossAndGrad(loss: Loss, output: NumericArray, target: NumericArray, N: number, C: number): { loss: number; grad: Float32Array };
}
const lossKinds = new Map<string, LossKind>();
const ENTRY_OF: Record<string, string> = { mixtureDensity: 'rnn-wasm/sketch' };

/** @internal Add a loss kind (at the import of the entry that defines it). */
export function registerLossKind(type: Loss['kind'], kind: LossKind): void {
  lossKinds.set(type, kind);
}

/** @internal */
export function resolveLoss(spec: LossSpec): Loss {
  if (spec === 'mse' || spec === 'crossEntropy' || spec === 'bceWithLogits') return { kind: spec, ignoreIndex: -100 };
  if (typeof spec === 'object' && spec?.type === 'crossEntropy') {
    checkOptions('loss', spec, { type: is.checkedLater, ignoreIndex: is.int(-(2 ** 31), 2 ** 31 - 1) });
    return { kind: 'crossEntropy', ignoreIndex: spec.ignoreIndex ?? -100 };
  }
  const type = typeof spec === 'object' && spec !== null ? (spec as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && Object.hasOwn(ENTRY_OF, type)) {
    const kind = lossKinds.get(type);
    if (!kind) throw new ConfigError(`loss ${type}: defined by ${ENTRY_OF[type]}; import it (any of its exports) before using this loss`);
    return kind.resolve(spec as { type: string });
  }
  throw new ConfigError(`loss: expected 'mse', 'crossEntropy', 'bceWithLogits', { type: 'crossEntropy', ignoreIndex } or { type: 'mixtureDensity', components }, got ${describe(spec)}`);
}

/**
 * @internal The loss over rows × C outputs at outPtr, its gradient (already divided by the count
 * of valid elements) at gradPtr. Targets at targetPtr (i32 class ids for crossEntropy, else
 * floats rows × C); weights (0/1 per row) at weightsPtr or 0. Returns { sum, count }.
 */
export function runLoss(rt: Runtime, loss: Loss, gradPtr: number, outPtr: number, targetPtr: number, weightsPtr: number, rows: number, C: number, count: number): number {
  const k = rt.kernels;
  const scale = count > 0 ? 1 / count : 0;
  switch (loss.kind) {
    case 'crossEntropy': return k.softmax_xent(gradPtr, outPtr, targetPtr, weightsPtr, rows, C, loss.ignoreIndex, scale);
    case 'mse': return k.mse(gradPtr, outPtr, targetPtr, weightsPtr, rows, C, scale);
    case 'bceWithLogits': return k.bce_logits(gradPtr, outPtr, targetPtr, weightsPtr, rows, C, scale);
    default: throw new ConfigError(`runLoss: ${loss.kind} is computed by its own entry`);
  }
}

/**
 * A loss and its gradient for outputs you hold, computed by the wasm kernels the trainer uses.
 * `output` is [N, C]; `target` is [N] class ids (crossEntropy) or [N, C] values.
 * Returns the mean loss over valid elements and ∂loss/∂output.
 *
 * @example
 * ```ts
 * const { loss, grad } = lossAndGrad('crossEntropy', logits, new Int32Array([2, 0]), { shape: [2, 3] });
 * ```
 */
export function lossAndGrad(spec: LossSpec, output: NumericArray, target: NumericArray, options: { shape: [number, number] }): { loss: number; grad: Float32Array } {
  const loss = resolveLoss(spec);
  checkOptions('lossAndGrad', options, { shape: is.checkedLater }, ['shape']);
  const [N, C] = options.shape;
  if (!Number.isInteger(N) || !Number.isInteger(C) || N < 1 || C < 1) throw new ShapeError(`lossAndGrad: options.shape must be [N, C] with positive integers, got ${describe(options?.shape)}`);
  const kind = lossKinds.get(loss.kind);
  if (kind) return kind.lossAndGrad(loss, output, target, N, C);
  const out = checkArray('lossAndGrad output', output, [N, C]);
  const isCe = loss.kind === 'crossEntropy';
  checkFinite32('lossAndGrad output', out);
  const tgt = checkArray('lossAndGrad target', target, isCe ? [N] : [N, C]);
  if (!isCe) checkFinite32('lossAndGrad target', tgt);
  let count = isCe ? 0 : N * C;
  if (isCe) {
    for (let i = 0; i < N; i++) {
      const t = tgt[i];
      if (t === loss.ignoreIndex) continue;
      checkClassId('lossAndGrad target', i, t, C, loss.ignoreIndex);
      count++;
    }
  }
  const rt = getRuntime();
  const { arena } = rt;
  const o = arena.alloc(N * C * 4, 'loss output'), g = arena.alloc(N * C * 4, 'loss gradient'), t = arena.alloc(tgt.length * 4, 'loss target');
  try {
    arena.f32(o, N * C).set(out);
    if (isCe) new Int32Array(rt.kernels.memory.buffer, t, N).set(tgt);
    else arena.f32(t, N * C).set(tgt);
    const sum = runLoss(rt, loss, g, o, t, 0, N, C, count);
    return { loss: count > 0 ? sum / count : NaN, grad: arena.f32(g, N * C).slice() };
  } finally {
    arena.free(o); arena.free(g); arena.free(t);
  }
}

// A class target (not ignoreIndex) must be an integer in [0, C).
function checkClassId(name: string, index: number, v: number, C: number, ignoreIndex: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= C) {
    throw new ShapeError(`${name}: element ${index} is ${v}; class ids must be integers in [0, ${C - 1}] or ignoreIndex ${ignoreIndex}`);
  }
}

// y's shape for the model's output and the loss: [N, T] / [N, T, O] per step, [N] / [N, O] per sequence
function checkTargetShape(model: Trainable, loss: Loss, data: SequenceDataset, name: string): void {
  const [N, T] = data.xShape;
  const O = model.outputSize;
  const perStep = model.output === 'sequence';
  const isCe = loss.kind === 'crossEntropy';
  const want = perStep ? (isCe ? [N, T] : [N, T, O]) : isCe ? [N] : [N, O];
  if (data.yShape.length !== want.length || data.yShape.some((d, i) => d !== want[i])) {
    throw new ShapeError(
      `${name}: the model's output '${model.output}' with loss ${loss.kind} needs y of shape [${want.join(', ')}]` +
        `${perStep ? '' : ' (one target per sequence)'}, got [${data.yShape.join(', ')}]`,
    );
  }
}

/**
 * @internal Throws ShapeError unless a data set fits the model (its condition or source, for a
 * Seq2Seq) and its targets fit the model and the loss: y's shape,
 * and (crossEntropy) every class id at a valid step in [0, outputs) or the ignoreIndex. One scan,
 * before training starts, so a bad sample is found before any update. `continued`: the batch is
 * a truncated-BPTT window that continues its sequences (trainBatch with carry).
 */
export function checkTargets(model: Trainable, loss: Loss, data: SequenceDataset, name: string, continued = false): void {
  model.checkData(data, name);
  const kind = lossKinds.get(loss.kind);
  if (kind) return kind.checkTargets(model, loss, data, name, continued);
  checkTargetShape(model, loss, data, `${name}.yShape`);
  if (loss.kind !== 'crossEntropy') return;
  const [N, T] = data.xShape;
  const perStep = model.output === 'sequence';
  for (let n = 0; n < N; n++) {
    const steps = perStep ? (data.lengths ? data.lengths[n] : T) : 1;
    for (let t = 0; t < steps; t++) {
      const i = perStep ? n * T + t : n;
      const v = data.y[i];
      if (v !== loss.ignoreIndex) checkClassId(`${name}.y`, i, v, model.outputSize, loss.ignoreIndex);
    }
  }
}

/** @internal What {@link batchLoss} returns. */
export interface BatchLoss { sum: number; count: number; tokens: number; gradPtr: number }

/** @internal Options of {@link batchLoss}. */
export interface BatchLossOptions { carry?: boolean; keepState?: boolean; accumulate?: number; lastStepOnly?: boolean }

/**
 * @internal Forward a batch-major batch through the model and compute the loss and its gradient
 * (at gradPtr, scaled for the mean over valid elements, further divided by `accumulate`).
 * The targets are checked before the forward runs, so a bad batch changes nothing.
 * `lastStepOnly`: only each sequence's last valid step counts (diagnostics). `keepState`: the
 * layers keep their final states for a following batch with `carry` (truncated BPTT).
 */
export function batchLoss(model: Trainable, loss: Loss, batch: SequenceDataset, opts: BatchLossOptions = {}): BatchLoss {
  const kind = lossKinds.get(loss.kind);
  if (kind) return kind.batchLoss(model, loss, batch, opts);
  const [B, T] = batch.xShape;
  const O = model.outputSize;
  const perStep = model.output === 'sequence';
  const isCe = loss.kind === 'crossEntropy';
  checkTargetShape(model, loss, batch, 'targets');
  const rows = perStep ? T * B : B;
  const lengths = batch.lengths;
  // targets → wasm, time-major rows like the output; count the valid elements
  const rt = model.rt;
  const C = isCe ? 1 : O;
  const tPtr = model.scratch(10, rows * C * 4, 'targets');
  let count = 0;
  const dst = isCe ? new Int32Array(rt.kernels.memory.buffer, tPtr, rows) : rt.arena.f32(tPtr, rows * C);
  for (let r = 0; r < rows; r++) {
    const b = perStep ? r % B : r, t = perStep ? Math.floor(r / B) : 0;
    const src = perStep ? b * T + t : r; // time-major row (t, b) ← sample b, step t
    const len = lengths ? lengths[b] : T;
    const valid = !perStep || (opts.lastStepOnly ? t === len - 1 : t < len);
    for (let c = 0; c < C; c++) {
      const v = batch.y[src * C + c];
      dst[r * C + c] = v;
      if (isCe && valid && v !== loss.ignoreIndex) {
        checkClassId('targets', src, v, O, loss.ignoreIndex);
        count++;
      }
    }
    if (!isCe && valid) count += C;
  }
  const { ptr } = model.runBatch(batch, 'trainer batch', { carry: opts.carry, keepState: opts.keepState });
  let weights = perStep ? model.maskPtr : 0;
  if (perStep && opts.lastStepOnly) {
    const wPtr = model.scratch(12, rows * 4, 'last-step weights');
    const w = rt.arena.f32(wPtr, rows);
    w.fill(0);
    for (let b = 0; b < B; b++) w[((lengths ? lengths[b] : T) - 1) * B + b] = 1;
    weights = wPtr;
  }
  let tokens = rows;
  if (lengths) tokens = Array.from(lengths).reduce((a, b) => a + b, 0);
  else if (!perStep) tokens = B * T;
  const gradPtr = model.scratch(11, rows * O * 4, 'loss gradient');
  const sum = runLoss(rt, loss, gradPtr, ptr, tPtr, weights, rows, O, count * (opts.accumulate ?? 1));
  return { sum, count, tokens, gradPtr };
}
