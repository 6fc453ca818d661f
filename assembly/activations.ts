// Vectorised exp, tanh and sigmoid over f32x4, plus array kernels built on them.
//
// Accuracy, measured over every finite f32 input (tools/activation-accuracy.ts): worst absolute
// error against float64 8.0e-8 for tanh (at x = 0.6326), 8.9e-8 for sigmoid (at x = 7.859);
// the design bound is ≤ 1e-6 absolute.
//
// exp:  x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in a high and a low part so the
//       reduction is exact to f32), e^r by its degree-7 Taylor polynomial (truncation
//       < 6e-9 relative), 2^n put straight into the exponent bits.
// tanh: |x| < 0.625: x + x³·P(x²), P of degree 4 fitted for this project (minimax-style,
//       iterated weighted least squares; 4.4e-8 absolute in f32). Keeps small arguments
//       accurate in relative terms too, where 1 − 2/(e^{2x}+1) would cancel.
//       |x| ≥ 0.625: 1 − 2/(e^{2|x|}+1), sign restored; |x| clamped at 10, where 1 − 2/(e^20+1) rounds to exactly 1.
// sigmoid: 1/(1+e^{−x}); e^{−x} saturates to +∞ past 88.7, which yields exactly 0.
// NaN in gives NaN out (pmin/pmax with x first, and the arithmetic, propagate it) so callers can detect it.

import { madd } from './fma';

const LOG2E: f32 = 1.44269504089;
const ROUNDER: f32 = 12582912.0; // 1.5·2^23: adding it rounds |v| < 2^22 to an integer
const LN2_HI: f32 = 0.693359375; // ln2 rounded to few bits: n·LN2_HI is exact for |n| ≤ 255
const LN2_LO: f32 = -2.12194440e-4; // ln2 − LN2_HI
const EXP_MAX: f32 = 88.72283935546875; // ≥ ln(FLT_MAX): above it e^x is +∞
const EXP_MIN: f32 = -86.9; // keeps 2^(n−1) normal (n ≥ −125); below it e^x < 2e−38 is flushed to 0

// e^x for x in [EXP_MIN, EXP_MAX] (clamped there: NaN stays NaN). Past EXP_MAX it returns
// e^EXP_MAX ≈ 3.4e38 rather than +∞, and below EXP_MIN about 2e−38 rather than 0 — which is all
// sigmoid and tanh need (1/(1 + 3.4e38) ≈ 2.9e−39, and tanh never asks beyond e^20), so they
// skip exp4's two extra selects.
// @ts-ignore: decorator
@inline function expClamped4(x: v128): v128 {
  // pmin/pmax with x first return x when it is NaN, and are one instruction each (min/max
  // also order ±0 and pick NaN from either side, which costs engines several)
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  // n = round-to-nearest-even(x·log2e) by adding 1.5·2^23: the sum's low mantissa bits hold n,
  // which saves the rounding and the float → int conversion (both several instructions)
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = f32x4.sub(t, f32x4.splat(ROUNDER));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  // Horner for 1 + r + r²/2! + … + r⁷/7!
  let p = f32x4.splat(1.0 / 5040.0);
  p = madd(p, r, f32x4.splat(1.0 / 720.0));
  p = madd(p, r, f32x4.splat(1.0 / 120.0));
  p = madd(p, r, f32x4.splat(1.0 / 24.0));
  p = madd(p, r, f32x4.splat(1.0 / 6.0));
  p = madd(p, r, f32x4.splat(0.5));
  p = madd(p, r, f32x4.splat(1.0));
  p = madd(p, r, f32x4.splat(1.0));
  // 2^n as 2^(n−1)·2, so that n = 128 (x near ln FLT_MAX) still has a finite exponent field.
  // t's bits are 0x4B400000 + n, and 0x4B400000 << 23 overflows to 0: the shift leaves (n + 126) << 23.
  const pow2 = i32x4.shl(i32x4.add(t, i32x4.splat(126)), 23);
  return f32x4.mul(f32x4.mul(p, pow2), f32x4.splat(2.0));
}

// e^x on four lanes. Inputs above EXP_MAX give +∞, below EXP_MIN give 0.
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const big = f32x4.gt(x, f32x4.splat(EXP_MAX));
  const small = f32x4.lt(x, f32x4.splat(EXP_MIN));
  let e = expClamped4(x);
  e = v128.bitselect(f32x4.splat(Infinity), e, big);
  // NaN lanes: comparisons are false, clamping kept NaN, arithmetic propagates it.
  return v128.andnot(e, small);
}

const TANH_SMALL: f32 = 0.625;
const TANH_CLAMP: f32 = 10.0; // float32 tanh rounds to exactly 1 from 9.01 on
const T1: f32 = -0.3333324931124336;
const T2: f32 = 0.13330769819456706;
const T3: f32 = -0.053693657794931474;
const T4: f32 = 0.020510193978886412;
const T5: f32 = -0.005577903679727025;

// tanh on four lanes.
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const sign = v128.and(x, i32x4.splat(0x80000000));
  // large branch on min(|x|, 10)
  const xc = f32x4.pmin(ax, f32x4.splat(TANH_CLAMP));
  const e = expClamped4(f32x4.add(xc, xc));
  const large = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  // small branch, also on |x|: both branches get the sign back at the end, so tanh is
  // exactly odd and tanh(−0) = −0
  const u = f32x4.mul(ax, ax);
  let p = f32x4.splat(T5);
  p = madd(p, u, f32x4.splat(T4));
  p = madd(p, u, f32x4.splat(T3));
  p = madd(p, u, f32x4.splat(T2));
  p = madd(p, u, f32x4.splat(T1));
  const smallv = f32x4.add(ax, f32x4.mul(f32x4.mul(ax, u), p));
  const isSmall = f32x4.lt(ax, f32x4.splat(TANH_SMALL));
  return v128.or(v128.bitselect(smallv, large, isSmall), sign);
}

// logistic sigmoid on four lanes.
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = expClamped4(f32x4.neg(x));
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
}

// max(x, 0) on four lanes, NaN kept (pmax(0, NaN) would drop it; max propagates).
// @ts-ignore: decorator
@inline export function relu4(x: v128): v128 {
  return f32x4.max(x, f32x4.splat(0));
}

// Lane-wise load/store of the floats of a group of a row: `n` ≥ 4 moves four, a row's last group
// of n < 4 loads its n floats into the first lanes (zeros in the others) and stores only those.
// Lanes never mix, so a float gets the same bits in a short group as in a full one; one copy of
// each cell's math serves both (a compile-time split doubled the module's largest functions).
// @ts-ignore: decorator
@inline export function ld(p: usize, n: i32): v128 {
  return n >= 4 ? v128.load(p) : loadShort(p, n);
}
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else storeShort(p, v, n);
}

function loadShort(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

function storeShort(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

export const ACT_TANH = 0;
export const ACT_SIGMOID = 1;
export const ACT_RELU = 2;
export const ACT_EXP = 3;

// dst[i] = f(src[i]) for i < n (dst may equal src). kind: ACT_* above.
export function activate(dst: usize, src: usize, n: i32, kind: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, m = n - i;
    const x = ld(src + o, m);
    st(dst + o, kind == ACT_TANH ? tanh4(x) : kind == ACT_SIGMOID ? sigmoid4(x) : kind == ACT_RELU ? relu4(x) : exp4(x), m);
  }
}
