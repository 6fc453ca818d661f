/**
 * Seeing the vanishing (or exploding) gradient: how ∂E/∂h_k fades with the distance from the
 * error, per layer, and the spectral radius of the recurrent weights that governs it.
 * @packageDocumentation
 */
import { ConfigError } from './errors.js';
import type { SequenceDataset } from './data/dataset.js';
import { checkDataset } from './data/dataset.js';
import { RecurrentLayer } from './layers/recurrent.js';
import { describe } from './layers/validate.js';
import { checkOptions, is } from './options.js';
import { Sequential } from './model/sequential.js';
import type { Seq2Seq } from './model/seq2seq.js';
import { Composite } from './model/composite.js';
import { batchLoss, resolveLoss, type LossSpec } from './train/losses.js';

/** ‖∂E/∂h_t‖ for every timestep of one recurrent layer and direction. */
export interface LayerFlow {
  /** The module name in the model (e.g. `rnn`). */
  module: string;
  /** Stacked layer index within the module. */
  layer: number;
  direction: 'forward' | 'reverse';
  /** ‖∂E/∂h_t‖ (L2 over the batch and the hidden units), t = 0 … T − 1. */
  norms: Float64Array;
}

/** What {@link gradientFlow} returns. */
export interface GradientFlow {
  /** The loss the gradients are of. */
  loss: number;
  T: number;
  layers: LayerFlow[];
}

/**
 * The norm of ∂E/∂h_k at every timestep k, for every recurrent layer and direction, on one
 * batch (eval mode). With `at: 'last'` (default) E is the loss at each sequence's last step
 * only, so the norms show how the error signal fades with the distance from it — the vanishing
 * gradient; `'all'` uses the loss over every step. The model's gradients are left as they were.
 *
 * @example
 * ```ts
 * const flow = gradientFlow(model, batch, { loss: 'mse' });
 * for (const l of flow.layers) console.log(l.module, l.layer, Array.from(l.norms, (n) => n.toExponential(1)));
 * ```
 */
export function gradientFlow(model: Sequential, batch: SequenceDataset, options: { loss: LossSpec; at?: 'last' | 'all' }): GradientFlow {
  if (!(model instanceof Sequential)) throw new ConfigError(`gradientFlow: expected a Sequential model, got ${describe(model)}`);
  checkOptions('gradientFlow', options, { loss: is.checkedLater, at: is.oneOf('last', 'all') }, ['loss']);
  checkDataset(batch, 'gradientFlow batch');
  const at = options.at ?? 'last';
  const loss = resolveLoss(options.loss);
  const [, T] = batch.xShape;
  const rt = model.rt;
  // keep the user's accumulated gradients aside, inside wasm memory
  const blocks = model.parameterBlocks();
  const saved = rt.arena.alloc(blocks.reduce((n, b) => n + b.count, 0) * 4, 'saved gradients');
  for (let i = 0, at = saved; i < blocks.length; at += blocks[i].count * 4, i++) rt.kernels.copy_f32(at, blocks[i].grads, blocks[i].count);
  const was = model.training;
  model.eval();
  const buffers = new Map<number, number>();
  const entries: { index: number; layer: RecurrentLayer; ptr: number }[] = [];
  try {
    model.layers.forEach((l, i) => {
      if (!(l instanceof RecurrentLayer)) return;
      const ptr = rt.arena.alloc(l.numLayers * l.numDirections * T * 4, 'gradient norms');
      buffers.set(i, ptr);
      entries.push({ index: i, layer: l, ptr });
    });
    const r = batchLoss(model, loss, batch, { lastStepOnly: at === 'last' });
    model.runBackward(r.gradPtr, { norms: buffers });
    const layers: LayerFlow[] = [];
    for (const { index, layer, ptr } of entries) {
      const D = layer.numDirections;
      const sq = rt.arena.f32(ptr, layer.numLayers * D * T);
      for (let l = 0; l < layer.numLayers; l++) {
        for (let d = 0; d < D; d++) {
          const norms = Float64Array.from(sq.subarray((l * D + d) * T, (l * D + d + 1) * T), Math.sqrt);
          layers.push({ module: model.names[index], layer: l, direction: d ? 'reverse' : 'forward', norms });
        }
      }
    }
    return { loss: r.count ? r.sum / r.count : NaN, T, layers };
  } finally {
    for (const p of buffers.values()) rt.arena.free(p);
    for (let i = 0, at = saved; i < blocks.length; at += blocks[i].count * 4, i++) rt.kernels.copy_f32(blocks[i].grads, at, blocks[i].count);
    rt.arena.free(saved);
    model.train(was);
  }
}

/**
 * Spectral radius (largest |eigenvalue|) of a square n×n matrix (row-major), by power iteration
 * with the Gelfand formula ρ = lim ‖Aᵏv‖^{1/k}: the average growth rate over iterations 100–300,
 * which converges also when the dominant eigenvalues are a complex pair.
 */
export function spectralRadius(matrix: ArrayLike<number>, n: number): number {
  if (!Number.isInteger(n) || n < 1 || matrix?.length !== n * n) {
    throw new ConfigError(`spectralRadius: expected an n×n matrix (${n}×${n} = ${n * n} values), got ${describe(matrix)}`);
  }
  let v = new Float64Array(n).map((_, i) => 1 + ((i * 7919) % 13) / 13); // fixed, generic start
  let w = new Float64Array(n);
  let logSum = 0, counted = 0;
  for (let it = 0; it < 300; it++) {
    let norm = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += matrix[i * n + j] * v[j];
      w[i] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    if (it >= 100) { logSum += Math.log(norm); counted++; }
    for (let i = 0; i < n; i++) w[i] /= norm;
    [v, w] = [w, v];
  }
  return Math.exp(logSum / counted);
}

/**
 * The spectral radius of every recurrent weight block W_hh (per gate: LSTM i, f, g, o; GRU r, z, n;
 * one block for an Elman RNN) of a model or layer. For a linear recurrence, ∂h_t/∂h_k behaves as
 * (W_hhᵀ)^{t−k}: radii below 1 make gradients vanish with distance, above 1 explode.
 */
export function recurrentSpectralRadii(model: Sequential | Seq2Seq | RecurrentLayer): { parameter: string; gate: string; radius: number }[] {
  const layers: [string, RecurrentLayer][] = model instanceof Composite
    ? model.layers.flatMap((l, i) => (l instanceof RecurrentLayer ? [[`${model.names[i]}.`, l] as [string, RecurrentLayer]] : []))
    : [['', model]];
  const out: { parameter: string; gate: string; radius: number }[] = [];
  for (const [prefix, l] of layers) {
    const gates = l.mode === 'LSTM' ? ['i', 'f', 'g', 'o'] : l.mode === 'GRU' ? ['r', 'z', 'n'] : ['h'];
    const H = l.hiddenSize;
    for (const { name, data } of l.namedParameters()) {
      if (!name.startsWith('weight_hh')) continue;
      const w = data.slice();
      gates.forEach((gate, g) => out.push({ parameter: prefix + name, gate, radius: spectralRadius(w.subarray(g * H * H, (g + 1) * H * H), H) }));
    }
  }
  return out;
}
