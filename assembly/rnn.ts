// Elman RNN layer, one direction, a whole sequence per call:
//   h = φ(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh),  φ = tanh (relu = 0) or relu (relu = 1)
// The outputs are all backward needs: φ'(a) = 1 − h² for tanh, [h > 0] for relu.
// Layout conventions: see sequence.ts.

import { gemm, gemm_packed_size } from './gemm';
import { tanh4, relu4, ld, st } from './activations';
import {
  f32p, align4, inputProjection, packForRecurrence, packForRecurrenceBackward, prevStep,
  isFirstStep, copyRows, backwardGemms, backwardGemmsWs, rowBlock, sumBiases, isPadding, passThrough, stepNormSq, recurrentProduct, packsRecurrence,
} from './sequence';

export function rnn_fwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  return align4(gemm_packed_size(H, H)) + align4(H) + gemm_packed_size(I, H);
}

// pre [T,B,H]: scratch for the pre-activations (not needed by backward).
// out [T,B,·] (stride ldo) receives h_t; hN [B,H] the final state. b_ih, b_hh: 0 when no bias.
export function rnn_fwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, out: usize, ldo: i32, hN: usize,
  w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize,
  pre: usize, mask: usize, ws: usize, reverse: i32, relu: i32,
): void {
  const whh = ws;
  const bsum = f32p(whh, align4(gemm_packed_size(H, H)));
  const scratch = f32p(bsum, align4(H));
  const bias = sumBiases(bsum, b_ih, b_hh, H);
  inputProjection(pre, x, ldx, T, B, I, H, w_ih, bias, scratch);
  const packed = packsRecurrence(T, B);
  if (packed) packForRecurrence(whh, w_hh, H, H);
  const rev = reverse != 0;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const hp = first ? h0 : rowBlock(out, prevStep(t, rev), B, ldo);
    const hpld = first ? H : ldo;
    const P = f32p(pre, t * B * H);
    recurrentProduct(P, H, hp, hpld, whh, w_hh, 0, B, H, 1, packed);
    rnnForwardStep(P, rowBlock(out, t, B, ldo), ldo, hp, hpld, mask, t, B, H, relu);
  }
  const last = rev ? 0 : T - 1;
  copyRows(hN, H, rowBlock(out, last, B, ldo), ldo, B, H);
}

// The activation of one step for the whole batch: not inlined into the sequence loop, so V8 can
// switch to optimised code between steps (see lstmForwardStep in lstm.ts).
function rnnForwardStep(P: usize, ht: usize, ldo: i32, hp: usize, hpld: i32, mask: usize, t: i32, B: i32, H: i32, relu: i32): void {
  for (let b = 0; b < B; b++) {
    const p = f32p(P, b * H);
    const h = ht + (<usize>b * <usize>ldo << 2);
    if (isPadding(mask, t, B, b)) {
      memory.copy(h, hp + (<usize>b * <usize>hpld << 2), <usize>H << 2);
      continue;
    }
    let j = 0;
    if (relu) {
      for (; j + 4 <= H; j += 4) st(f32p(h, j), relu4(ld(f32p(p, j), true)), true);
      for (; j < H; j++) st(f32p(h, j), relu4(ld(f32p(p, j), false)), false);
    } else {
      for (; j + 4 <= H; j += 4) st(f32p(h, j), tanh4(ld(f32p(p, j), true)), true);
      for (; j < H; j++) st(f32p(h, j), tanh4(ld(f32p(p, j), false)), false);
    }
  }
}

export function rnn_bwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  return align4(B * H) + max(align4(gemm_packed_size(H, H)), backwardGemmsWs(T, B, I, H, H));
}

// Backward through the whole sequence from the saved outputs.
// Accumulates into dx (0 to skip), dw_*, db_* (0 when no bias); writes dh0.
// dG [T,B,H] receives the pre-activation gradients.
export function rnn_bwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, out: usize, ldo: i32,
  w_ih: usize, w_hh: usize,
  dout: usize, dhN: usize,
  dx: usize, dh0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize,
  dG: usize, mask: usize, dhn: usize, ws: usize, reverse: i32, relu: i32,
): void {
  const dh = ws;
  const scratch = f32p(dh, align4(B * H));
  memory.copy(dh, dhN, <usize>(B * H) << 2);
  packForRecurrenceBackward(scratch, w_hh, H, H);
  const rev = reverse != 0;
  for (let s = T - 1; s >= 0; s--) {
    const t = rev ? T - 1 - s : s;
    const D = f32p(dG, t * B * H);
    const ht = rowBlock(out, t, B, ldo);
    const dot = rowBlock(dout, t, B, ldo);
    if (dhn) store<f32>(f32p(dhn, t), stepNormSq(dot, ldo, dh, B, H));
    for (let b = 0; b < B; b++) {
      const h = ht + (<usize>b * <usize>ldo << 2);
      const dob = dot + (<usize>b * <usize>ldo << 2);
      const dhb = f32p(dh, b * H);
      const d = f32p(D, b * H);
      if (isPadding(mask, t, B, b)) {
        passThrough(d, H, dob, dhb, H);
        continue;
      }
      let j = 0;
      if (relu) {
        for (; j + 4 <= H; j += 4) reluBackwardLanes(h, dob, dhb, d, j, true);
        for (; j < H; j++) reluBackwardLanes(h, dob, dhb, d, j, false);
      } else {
        for (; j + 4 <= H; j += 4) tanhBackwardLanes(h, dob, dhb, d, j, true);
        for (; j < H; j++) tanhBackwardLanes(h, dob, dhb, d, j, false);
      }
    }
    gemm(dh, H, D, H, 1, scratch, 0, B, H, H, 1); // onto the pass-through of padded rows
  }
  memory.copy(dh0, dh, <usize>(B * H) << 2);
  backwardGemms(T, B, I, H, H, x, ldx, h0, out, ldo, w_ih, dG, dG, dx, dw_ih, dw_hh, db_ih, db_hh, rev, scratch);
}

// @ts-ignore: decorator
@inline function tanhBackwardLanes(h: usize, dob: usize, dhb: usize, d: usize, j: i32, full: bool): void {
  const hv = ld(f32p(h, j), full);
  const dhv = f32x4.add(ld(f32p(dob, j), full), ld(f32p(dhb, j), full));
  st(f32p(d, j), f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), f32x4.mul(hv, hv))), full);
  st(f32p(dhb, j), f32x4.splat(0), full); // refilled by the recurrent GEMM
}

// @ts-ignore: decorator
@inline function reluBackwardLanes(h: usize, dob: usize, dhb: usize, d: usize, j: i32, full: bool): void {
  const hv = ld(f32p(h, j), full);
  const dhv = f32x4.add(ld(f32p(dob, j), full), ld(f32p(dhb, j), full));
  st(f32p(d, j), v128.and(dhv, f32x4.gt(hv, f32x4.splat(0))), full);
  st(f32p(dhb, j), f32x4.splat(0), full); // refilled by the recurrent GEMM
}
