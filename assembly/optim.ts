// Optimizer updates, clipping and norms over flat float32 blocks (a module's parameters and
// gradients are each one contiguous block). Semantics follow torch.optim (1.13) exactly;
// scalars that depend on the step count (bias corrections, decayed rates) are computed by
// the caller in float64 and passed in.

import { f32p } from './sequence';

// Σ x² over n floats, squared and summed in f64: float32 squares overflow from |x| ≈ 1.8e19,
// which would report an infinite norm for finite gradients.
export function sumsq_f32(src: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(f32p(src, i));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
    acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
  }
  const acc = f64x2.add(acc0, acc1);
  let total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(f32p(src, i));
    total += v * v;
  }
  return total;
}

// max |x| over n floats (NaN propagates).
export function absmax_f32(src: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) {
    const a = abs(load<f32>(f32p(src, i)));
    if (!(a <= m)) m = a; // NaN wins
  }
  return m;
}

// x *= s
export function scale_f32(dst: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f32p(dst, i), f32x4.mul(v128.load(f32p(dst, i)), v));
  for (; i < n; i++) store<f32>(f32p(dst, i), load<f32>(f32p(dst, i)) * s);
}

// x = min(max(x, −c), c)
export function clamp_f32(dst: usize, n: i32, c: f32): void {
  const hi = f32x4.splat(c), lo = f32x4.splat(-c);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f32p(dst, i), f32x4.min(f32x4.max(v128.load(f32p(dst, i)), lo), hi));
  for (; i < n; i++) store<f32>(f32p(dst, i), min(max(load<f32>(f32p(dst, i)), -c), c));
}

// SGD: d = g + wd·p; buf = first ? d : momentum·buf + (1 − dampening)·d;
// d = nesterov ? d + momentum·buf : buf (when momentum ≠ 0); p −= lr·d.
export function sgd_step(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, wd: f32, nesterov: i32, first: i32): void {
  for (let i = 0; i < n; i++) {
    const pi = load<f32>(f32p(p, i));
    let d = load<f32>(f32p(g, i)) + wd * pi;
    if (momentum != 0) {
      let b = first ? d : momentum * load<f32>(f32p(buf, i)) + (1 - dampening) * d;
      store<f32>(f32p(buf, i), b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(f32p(p, i), pi - lr * d);
  }
}

// Adam / AdamW. decoupled = 0: g += wd·p (Adam); 1: p *= 1 − lr·wd (AdamW).
// m = b1·m + (1 − b1)·g; v = b2·v + (1 − b2)·g²; amsgrad: vmax = max(vmax, v), v̂ = vmax;
// p −= stepSize · m / (sqrt(v̂)/bc2sqrt + eps), with stepSize = lr/(1 − b1^t), bc2sqrt = sqrt(1 − b2^t).
export function adam_step(p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, decoupled: i32, stepSize: f32, bc2sqrt: f32): void {
  for (let i = 0; i < n; i++) {
    let pi = load<f32>(f32p(p, i));
    let gi = load<f32>(f32p(g, i));
    if (decoupled) pi *= 1 - lr * wd;
    else gi += wd * pi;
    const mi = b1 * load<f32>(f32p(m, i)) + (1 - b1) * gi;
    let vi = b2 * load<f32>(f32p(v, i)) + (1 - b2) * gi * gi;
    store<f32>(f32p(m, i), mi);
    store<f32>(f32p(v, i), vi);
    if (vmax) {
      vi = max(vi, load<f32>(f32p(vmax, i)));
      store<f32>(f32p(vmax, i), vi);
    }
    store<f32>(f32p(p, i), pi - stepSize * mi / (sqrt<f32>(vi) / bc2sqrt + eps));
  }
}

// RMSprop: g += wd·p; sq = α·sq + (1 − α)·g²; centered: ga = α·ga + (1 − α)·g, avg = sqrt(sq − ga²) + eps,
// else avg = sqrt(sq) + eps; momentum: buf = μ·buf + g/avg, p −= lr·buf; else p −= lr·g/avg.
export function rmsprop_step(p: usize, g: usize, sq: usize, ga: usize, buf: usize, n: i32, lr: f32, alpha: f32, eps: f32, wd: f32, momentum: f32): void {
  for (let i = 0; i < n; i++) {
    const pi = load<f32>(f32p(p, i));
    const gi = load<f32>(f32p(g, i)) + wd * pi;
    const s = alpha * load<f32>(f32p(sq, i)) + (1 - alpha) * gi * gi;
    store<f32>(f32p(sq, i), s);
    let avg: f32;
    if (ga) {
      const a = alpha * load<f32>(f32p(ga, i)) + (1 - alpha) * gi;
      store<f32>(f32p(ga, i), a);
      avg = sqrt<f32>(s - a * a) + eps;
    } else {
      avg = sqrt<f32>(s) + eps;
    }
    if (momentum != 0) {
      const b = momentum * load<f32>(f32p(buf, i)) + gi / avg;
      store<f32>(f32p(buf, i), b);
      store<f32>(f32p(p, i), pi - lr * b);
    } else {
      store<f32>(f32p(p, i), pi - lr * gi / avg);
    }
  }
}

// Adagrad: g += wd·p; sum += g²; p −= clr · g / (sqrt(sum) + eps), clr = lr / (1 + (t − 1)·lrDecay).
export function adagrad_step(p: usize, g: usize, sum: usize, n: i32, clr: f32, wd: f32, eps: f32): void {
  for (let i = 0; i < n; i++) {
    const pi = load<f32>(f32p(p, i));
    const gi = load<f32>(f32p(g, i)) + wd * pi;
    const s = load<f32>(f32p(sum, i)) + gi * gi;
    store<f32>(f32p(sum, i), s);
    store<f32>(f32p(p, i), pi - clr * gi / (sqrt<f32>(s) + eps));
  }
}
