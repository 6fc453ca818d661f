import { ConfigError, ShapeError } from '../errors.js';
import { getRuntime, type Runtime } from '../runtime/loader.js';
import { checkArray, describe, type NumericArray } from '../layers/validate.js';

/**
 * Losses, as PyTorch's with reduction 'mean' over the valid elements:
 * - `'mse'`: mean of (output − target)² over every element (targets: floats shaped like the output)
 * - `'crossEntropy'`: softmax cross-entropy with integer class targets (one per output row);
 *   a target equal to `ignoreIndex` (default −100) is skipped, as are padded steps
 * - `'bceWithLogits'`: sigmoid binary cross-entropy on logits, targets in [0, 1]
 */
export type LossSpec = 'mse' | 'crossEntropy' | 'bceWithLogits' | { type: 'crossEntropy'; ignoreIndex?: number };

/** @internal A loss spec resolved. */
export interface Loss { kind: 'mse' | 'crossEntropy' | 'bceWithLogits'; ignoreIndex: number }

/** @internal */
export function resolveLoss(spec: LossSpec): Loss {
  if (spec === 'mse' || spec === 'crossEntropy' || spec === 'bceWithLogits') return { kind: spec, ignoreIndex: -100 };
  if (typeof spec === 'object' && spec?.type === 'crossEntropy') {
    const ii = spec.ignoreIndex ?? -100;
    if (!Number.isInteger(ii)) throw new ConfigError(`loss ignoreIndex: expected an integer, got ${describe(ii)}`);
    return { kind: 'crossEntropy', ignoreIndex: ii };
  }
  throw new ConfigError(`loss: expected 'mse', 'crossEntropy', 'bceWithLogits' or { type: 'crossEntropy', ignoreIndex }, got ${describe(spec)}`);
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
  const [N, C] = options?.shape ?? [];
  if (!Number.isInteger(N) || !Number.isInteger(C) || N < 1 || C < 1) throw new ShapeError(`lossAndGrad: options.shape must be [N, C] with positive integers, got ${describe(options?.shape)}`);
  const out = checkArray('lossAndGrad output', output, [N, C]);
  const isCe = loss.kind === 'crossEntropy';
  const tgt = checkArray('lossAndGrad target', target, isCe ? [N] : [N, C]);
  let count = isCe ? 0 : N * C;
  if (isCe) {
    for (let i = 0; i < N; i++) {
      const t = tgt[i];
      if (t === loss.ignoreIndex) continue;
      if (!Number.isInteger(t) || t < 0 || t >= C) throw new ShapeError(`lossAndGrad target: element ${i} is ${t}; class ids must be integers in [0, ${C - 1}] or ignoreIndex ${loss.ignoreIndex}`);
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
