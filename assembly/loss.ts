// Losses: value and gradient in one pass over the model's output rows.
// Every function returns the SUM of the per-element losses (f64, for an exact mean in TS)
// and writes grad = scale · ∂(sum)/∂input, so that with scale = 1/count the gradient is
// that of the mean. Rows with weight 0 (masked, or ignored targets) contribute nothing
// and get a zero gradient. `weights` may be 0: every row counts.

import { exp4 } from './activations';
import { f32p } from './sequence';

// @ts-ignore: decorator
@inline function rowWeight(weights: usize, i: i32): f32 {
  return weights ? load<f32>(f32p(weights, i)) : 1;
}

// Softmax cross-entropy with integer targets. logits, grad [N, C]; targets i32 [N].
// A target equal to ignoreIndex, or a row weight of 0, skips the row. Stable: the row max is
// subtracted before exp, so logits of any size give finite results.
export function softmax_xent(grad: usize, logits: usize, targets: usize, weights: usize, N: i32, C: i32, ignoreIndex: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const x = f32p(logits, i * C), g = f32p(grad, i * C);
    const target = load<i32>(targets + (<usize>i << 2));
    const w = rowWeight(weights, i);
    if (target == ignoreIndex || w == 0) {
      memory.fill(g, 0, <usize>C << 2);
      continue;
    }
    // max
    let m = load<f32>(x);
    for (let j = 1; j < C; j++) m = max(m, load<f32>(f32p(x, j)));
    // e = exp(x − m) into grad, and its sum
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const e = exp4(f32x4.sub(v128.load(f32p(x, j)), mv));
      v128.store(f32p(g, j), e);
      sv = f32x4.add(sv, e);
    }
    let s: f64 = <f64>f32x4.extract_lane(sv, 0) + <f64>f32x4.extract_lane(sv, 1) + <f64>f32x4.extract_lane(sv, 2) + <f64>f32x4.extract_lane(sv, 3);
    for (; j < C; j++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(f32p(x, j)) - m)), 0);
      store<f32>(f32p(g, j), e);
      s += e;
    }
    // loss = log Σ e − (x_t − m);  grad = w·scale·(softmax − onehot)
    total += <f64>w * (Math.log(s) - <f64>(load<f32>(f32p(x, target)) - m));
    const k = f32x4.splat(<f32>(<f64>w * <f64>scale / s));
    j = 0;
    for (; j + 4 <= C; j += 4) v128.store(f32p(g, j), f32x4.mul(v128.load(f32p(g, j)), k));
    for (; j < C; j++) store<f32>(f32p(g, j), load<f32>(f32p(g, j)) * f32x4.extract_lane(k, 0));
    store<f32>(f32p(g, target), load<f32>(f32p(g, target)) - w * scale);
  }
  return total;
}

// Mean squared error pieces: (p − y)² summed; grad = scale · 2 (p − y). pred, target, grad [N, D];
// weights [N] per row.
export function mse(grad: usize, pred: usize, target: usize, weights: usize, N: i32, D: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const w = rowWeight(weights, i);
    for (let j = 0; j < D; j++) {
      const o = i * D + j;
      const d = load<f32>(f32p(pred, o)) - load<f32>(f32p(target, o));
      total += <f64>w * <f64>d * <f64>d;
      store<f32>(f32p(grad, o), w * 2 * d * scale);
    }
  }
  return total;
}

// Binary cross-entropy with logits, stable for any logit: max(x, 0) − x·y + log(1 + e^{−|x|});
// grad = scale · (σ(x) − y). logits, targets, grad [N, D]; weights [N] per row.
export function bce_logits(grad: usize, logits: usize, target: usize, weights: usize, N: i32, D: i32, scale: f32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const w = rowWeight(weights, i);
    for (let j = 0; j < D; j++) {
      const o = i * D + j;
      const x = <f64>load<f32>(f32p(logits, o));
      const y = <f64>load<f32>(f32p(target, o));
      total += <f64>w * (max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x))));
      const sig = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      store<f32>(f32p(grad, o), <f32>(<f64>w * (sig - y) * <f64>scale));
    }
  }
  return total;
}
