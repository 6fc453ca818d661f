// A plain float64 forward pass of the library's layers and models, written from the equations of
// DESIGN.md §1 (PyTorch's), for checking results of random calls. Time-major [T, B, ·] inside.
// Padding (lengths): a step t ≥ length leaves the state as it is; the reverse direction starts at
// each sequence's last valid step. Only valid steps' outputs and the final states are defined here.
import { Embedding, Linear, RecurrentLayer, Sequential, Dropout } from '../../src/index.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** x·Wᵀ (+ b) for one row: W [out, in] row-major. */
function affine(out: Float64Array, W: ArrayLike<number>, x: ArrayLike<number>, xOff: number, inSize: number, b?: ArrayLike<number>): void {
  for (let o = 0; o < out.length; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < inSize; i++) s += W[o * inSize + i] * x[xOff + i];
    out[o] = s;
  }
}

export interface Ref64Result { output: Float64Array; hN: Float64Array; cN?: Float64Array }

/**
 * The recurrent stack over time-major x [T, B, I] from its current weights: output [T, B, D·H]
 * of the last layer, hN/cN [L·D, B, H]. h0/c0 as the layer takes them ([L·D, B, H]) or zeros.
 */
export function recurrent64(layer: RecurrentLayer, x: ArrayLike<number>, T: number, B: number, opts: { h0?: ArrayLike<number>; c0?: ArrayLike<number>; lengths?: ArrayLike<number> } = {}): Ref64Result {
  const w = layer.stateDict();
  const { hiddenSize: H, numLayers: L, numDirections: D, mode } = layer;
  const G = mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1;
  const hN = new Float64Array(L * D * B * H), cN = mode === 'LSTM' ? new Float64Array(L * D * B * H) : undefined;
  let input: Float64Array = Float64Array.from(x), inSize = layer.inputSize;
  let out: Float64Array = new Float64Array(0);
  for (let l = 0; l < L; l++) {
    out = new Float64Array(T * B * D * H);
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      const Wih = w[`weight_ih${sfx}`], Whh = w[`weight_hh${sfx}`], bih = w[`bias_ih${sfx}`], bhh = w[`bias_hh${sfx}`];
      const s = (l * D + d) * B * H;
      for (let b = 0; b < B; b++) {
        const len = opts.lengths ? opts.lengths[b] : T;
        const h = Float64Array.from({ length: H }, (_, j) => opts.h0?.[s + b * H + j] ?? 0);
        const c = Float64Array.from({ length: H }, (_, j) => opts.c0?.[s + b * H + j] ?? 0);
        const gx = new Float64Array(G * H), gh = new Float64Array(G * H);
        for (let k = 0; k < len; k++) {
          const t = d ? len - 1 - k : k;
          affine(gx, Wih, input, (t * B + b) * inSize, inSize, bih);
          affine(gh, Whh, h, 0, H, bhh);
          for (let j = 0; j < H; j++) {
            if (mode === 'LSTM') {
              const i = sigmoid(gx[j] + gh[j]), f = sigmoid(gx[H + j] + gh[H + j]);
              const g = Math.tanh(gx[2 * H + j] + gh[2 * H + j]), o = sigmoid(gx[3 * H + j] + gh[3 * H + j]);
              c[j] = f * c[j] + i * g;
              h[j] = o * Math.tanh(c[j]);
            } else if (mode === 'GRU') {
              const r = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[H + j] + gh[H + j]);
              const n = Math.tanh(gx[2 * H + j] + r * gh[2 * H + j]);
              h[j] = (1 - z) * n + z * h[j];
            } else {
              const v = gx[j] + gh[j];
              h[j] = mode === 'RNN_RELU' ? Math.max(0, v) : Math.tanh(v);
            }
          }
          for (let j = 0; j < H; j++) out[(t * B + b) * D * H + d * H + j] = h[j];
        }
        hN.set(h, s + b * H);
        cN?.set(c, s + b * H);
      }
    }
    input = out;
    inSize = D * H;
  }
  return { output: out, hN, cN };
}

/**
 * A Sequential's output in eval mode (no dropout) for time-major input: token ids [T, B] or
 * features [T, B, I]. 'sequence': [T, B, O] (valid steps only are meaningful); 'last': [B, O]
 * from each sequence's last valid step.
 */
export function sequential64(model: Sequential, x: ArrayLike<number>, T: number, B: number, lengths?: ArrayLike<number>): Float64Array {
  let h: Float64Array = Float64Array.from(x), F = model.inputSize ?? 0, rows = T * B;
  for (let li = 0; li < model.layers.length; li++) {
    const layer = model.layers[li];
    if (layer instanceof Embedding) {
      const W = layer.stateDict().weight, E = layer.embeddingDim;
      const e = new Float64Array(rows * E);
      for (let r = 0; r < rows; r++) for (let j = 0; j < E; j++) e[r * E + j] = W[h[r] * E + j];
      h = e; F = E;
    } else if (layer instanceof RecurrentLayer) {
      h = recurrent64(layer, h, T, B, { lengths }).output;
      F = layer.numDirections * layer.hiddenSize;
      if (model.layers.slice(li + 1).every((l) => !(l instanceof RecurrentLayer)) && model.output === 'last') {
        const last = new Float64Array(B * F);
        for (let b = 0; b < B; b++) {
          const t = (lengths ? lengths[b] : T) - 1;
          last.set(h.subarray((t * B + b) * F, (t * B + b + 1) * F), b * F);
        }
        h = last; rows = B;
      }
    } else if (layer instanceof Linear) {
      const { weight, bias } = layer.stateDict();
      const y = new Float64Array(rows * layer.outFeatures), row = new Float64Array(layer.outFeatures);
      for (let r = 0; r < rows; r++) {
        affine(row, weight, h, r * F, F, bias);
        y.set(row, r * layer.outFeatures);
      }
      h = y; F = layer.outFeatures;
    } else if (!(layer instanceof Dropout)) {
      throw new Error('reference64: unknown layer');
    }
  }
  return h;
}
