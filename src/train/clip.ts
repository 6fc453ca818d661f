import { ConfigError } from '../errors.js';
import { Module } from '../layers/module.js';
import { describe } from '../layers/validate.js';

/** How gradients are clipped before each update. */
export type ClipPolicy =
  | { maxNorm: number; normType?: 2 | 'inf' }
  | { perParameterNorm: number; normType?: 2 | 'inf' }
  | { value: number };

/** Where the first NaN/±Infinity in the gradients is. */
export interface NonFiniteAt { parameter: string; index: number; value: number }

/**
 * The total norm of all gradients as if concatenated (L2 or max-abs), as
 * `torch.nn.utils.get_total_norm`. NaN or Infinity when a gradient is not finite.
 */
export function gradNorm(model: Module, normType: 2 | 'inf' = 2): number {
  checkArgs('gradNorm', model, normType);
  const k = model.rt.kernels;
  let acc = 0;
  for (const b of model.parameterBlocks()) {
    if (normType === 'inf') acc = Math.max(acc, k.absmax_f32(b.grads, b.count));
    else acc += k.sumsq_f32(b.grads, b.count);
  }
  return normType === 'inf' ? acc : Math.sqrt(acc);
}

/**
 * Scale all gradients by min(1, maxNorm / (total + 1e-6)), as `torch.nn.utils.clip_grad_norm_`.
 * Returns the total norm before clipping.
 */
export function clipGradNorm(model: Module, maxNorm: number, normType: 2 | 'inf' = 2): number {
  checkArgs('clipGradNorm', model, normType, maxNorm);
  const total = gradNorm(model, normType);
  scaleToNorm(model, maxNorm, total);
  return total;
}

/** @internal clipGradNorm's scaling for a total norm the caller has already computed. */
export function scaleToNorm(model: Module, maxNorm: number, total: number): void {
  const scale = maxNorm / (total + 1e-6);
  if (scale < 1) for (const b of model.parameterBlocks()) model.rt.kernels.scale_f32(b.grads, b.count, scale);
}

/** Clip each parameter tensor's gradient to its own norm ≤ maxNorm (L2 or max-abs). Returns the norms before clipping, by name. */
export function clipGradPerParameterNorm(model: Module, maxNorm: number, normType: 2 | 'inf' = 2): Record<string, number> {
  checkArgs('clipGradPerParameterNorm', model, normType, maxNorm);
  const k = model.rt.kernels;
  const norms: Record<string, number> = {};
  for (const b of model.parameterBlocks()) {
    for (const t of b.tensors) {
      const ptr = b.grads + t.offset * 4;
      const n = normType === 'inf' ? k.absmax_f32(ptr, t.size) : Math.sqrt(k.sumsq_f32(ptr, t.size));
      norms[t.name] = n;
      const scale = maxNorm / (n + 1e-6);
      if (scale < 1) k.scale_f32(ptr, t.size, scale);
    }
  }
  return norms;
}

/** Clamp every gradient element to [−value, value], as `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(model: Module, value: number): void {
  checkArgs('clipGradValue', model, 2, value, 'value');
  for (const b of model.parameterBlocks()) model.rt.kernels.clamp_f32(b.grads, b.count, value);
}

/** The first non-finite gradient element, or undefined when all are finite. */
export function findNonFiniteGrad(model: Module): NonFiniteAt | undefined {
  const k = model.rt.kernels;
  for (const b of model.parameterBlocks()) {
    for (const t of b.tensors) {
      const i = k.find_nonfinite(b.grads + t.offset * 4, t.size);
      if (i >= 0) return { parameter: t.name, index: i, value: model.rt.arena.f32(b.grads + t.offset * 4, t.size)[i] };
    }
  }
  return undefined;
}

// the arguments every clipping function takes: a model of this library, a norm type, a bound
function checkArgs(what: string, model: unknown, normType: unknown, bound?: number, boundName = 'maxNorm'): void {
  if (!(model instanceof Module)) throw new ConfigError(`${what}: expected a model or layer of this library, got ${describe(model)}`);
  if (normType !== 2 && normType !== 'inf') throw new ConfigError(`${what} normType: expected 2 or 'inf', got ${describe(normType)}`);
  if (bound !== undefined && !(typeof bound === 'number' && bound > 0 && Number.isFinite(bound))) {
    throw new ConfigError(`${what} ${boundName}: expected a finite number > 0, got ${describe(bound)}`);
  }
}
