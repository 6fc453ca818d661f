// Small whole-array kernels the layers need around the cells.

import { f32p } from './sequence';

// dst[i] = value
export function fill_f32(dst: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f32p(dst, i), v);
  for (; i < n; i++) store<f32>(f32p(dst, i), value);
}

// dst[i] = a[i] · b[i]  (accumulate = 0)  or  dst[i] += a[i] · b[i]  (accumulate = 1)
export function mul_f32(dst: usize, a: usize, b: usize, n: i32, accumulate: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let v = f32x4.mul(v128.load(f32p(a, i)), v128.load(f32p(b, i)));
    if (accumulate) v = f32x4.add(v, v128.load(f32p(dst, i)));
    v128.store(f32p(dst, i), v);
  }
  for (; i < n; i++) {
    let v = load<f32>(f32p(a, i)) * load<f32>(f32p(b, i));
    if (accumulate) v += load<f32>(f32p(dst, i));
    store<f32>(f32p(dst, i), v);
  }
}

// Index of the first NaN or ±Infinity in src[0..n), or −1.
export function find_nonfinite(src: usize, n: i32): i32 {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(f32p(src, i));
    // x − x is 0 for finite x and NaN for NaN and ±∞
    const d = f32x4.sub(v, v);
    if (!i32x4.all_true(f32x4.eq(d, d))) break;
  }
  for (; i < n; i++) {
    const x = load<f32>(f32p(src, i));
    if (!isFinite(x)) return i;
  }
  return -1;
}

// Inverted dropout mask: mask[i] = 0 with probability p, else 1/(1 − p). Counter-based
// (a 32-bit integer hash of seed and i), so the mask depends only on (seed, i).
export function dropout_mask(mask: usize, n: i32, p: f32, seed: u32): void {
  const keep: f32 = 1 / (1 - p);
  for (let i = 0; i < n; i++) {
    let h = seed ^ (<u32>i * 0x9e3779b9);
    h ^= h >> 16; h *= 0x7feb352d;
    h ^= h >> 15; h *= 0x846ca68b;
    h ^= h >> 16;
    const u = <f32>(h >> 8) * (1.0 / 16777216.0);
    store<f32>(f32p(mask, i), u < p ? 0 : keep);
  }
}

// out[i] = U(lo, hi) for i < n from mulberry32 starting at `state`; returns the state after n
// draws. Exactly the numbers of src/rng.ts (Rng.uniform): the same integer steps, the same
// float64 arithmetic, one rounding to f32 on the store. Here because weight initialisation in
// JS runs in the interpreter on a fresh process (a model's first build costs milliseconds there).
export function uniform_fill(out: usize, n: i32, lo: f64, hi: f64, state: u32): u32 {
  const span = hi - lo;
  for (let i = 0; i < n; i++) {
    state += 0x6d2b79f5;
    let t = state;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    t ^= t >>> 14;
    store<f32>(f32p(out, i), <f32>(lo + span * (<f64>t / 4294967296.0)));
  }
  return state;
}

// Swap the two leading axes: src [A, B, F] → dst [B, A, F] (rows of F floats; no overlap).
// Moves sequences between batch-major [B, T, F] and the kernels' time-major [T, B, F].
export function swap_leading(dst: usize, src: usize, A: i32, B: i32, F: i32): void {
  const row = <usize>F << 2;
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) memory.copy(dst + (<usize>b * <usize>A + <usize>a) * row, src + (<usize>a * <usize>B + <usize>b) * row, row);
  }
}

// dst[0..n) = src[0..n) (regions may overlap)
export function copy_f32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

// Embedding lookup: out[i, :] = W[ids[i], :] for i < n; ids are i32, already range-checked.
export function embedding_fwd(out: usize, W: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D << 2;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    memory.copy(out + <usize>i * row, W + <usize>id * row, row);
  }
}

// Embedding gradient: dW[ids[i], :] += dOut[i, :] (repeated ids accumulate).
export function embedding_bwd(dW: usize, dOut: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D << 2;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    add_f32(dW + <usize>id * row, dOut + <usize>i * row, D);
  }
}

// dst[i] += src[i] for i < n
export function add_f32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// Through y = tanh(z) backwards: dst = dy ⊙ (1 − y²) (dst may be dy).
export function tanh_grad(dst: usize, dy: usize, y: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(y + o);
    v128.store(dst + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(v, v))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(y + o);
    store<f32>(dst + o, load<f32>(dy + o) * (1 - v * v));
  }
}

// Rows of two matrices side by side, the second broadcast over groups of B rows: for each of the
// `rows` rows r, dst[r] = [a[r] (E floats), b[r mod B] (F floats)]. A time-major decoder input
// [T, B, E] gets each sequence's condition [B, F] at every step.
export function concat_rows(dst: usize, a: usize, E: i32, b: usize, F: i32, rows: i32, B: i32): void {
  const ea = <usize>E << 2, fb = <usize>F << 2, row = ea + fb;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * row, a + <usize>r * ea, ea);
    memory.copy(dst + <usize>r * row + ea, b + <usize>(r % B) * fb, fb);
  }
}

// concat_rows backwards: da[r] = src[r, :E] (skipped when da is 0), db[r mod B] += src[r, E:].
export function split_rows(da: usize, db: usize, src: usize, E: i32, F: i32, rows: i32, B: i32): void {
  const ea = <usize>E << 2, fb = <usize>F << 2, row = ea + fb;
  for (let r = 0; r < rows; r++) {
    if (da) memory.copy(da + <usize>r * ea, src + <usize>r * row, ea);
    add_f32(db + <usize>(r % B) * fb, src + <usize>r * row + ea, F);
  }
}
