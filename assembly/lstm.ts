// LSTM layer, one direction, a whole sequence per call (PyTorch gate order i|f|g|o):
//   a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh,  i,f,o = σ(a_i,a_f,a_o), g = tanh(a_g)
//   c = f ⊙ c_prev + i ⊙ g,  h = o ⊙ tanh(c)
// Layout conventions: see sequence.ts.

import { gemm, gemm_packed_size } from './gemm';
import { sigmoid4, tanh4, ld, st } from './activations';
import {
  f32p, align4, inputProjection, packForRecurrence, packForRecurrenceBackward, prevStep,
  isFirstStep, copyRows, backwardGemms, backwardGemmsWs, rowBlock, sumBiases, isPadding, passThrough, stepNormSq, recurrentProduct, packsRecurrence,
} from './sequence';

// Workspace floats for lstm_fwd.
export function lstm_fwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  const GH = 4 * H;
  return align4(gemm_packed_size(H, GH)) + align4(GH) + gemm_packed_size(I, GH);
}

// Saved for backward (floats each): gates [T,B,4H] post-activation, cs [T,B,H] c_t, tcs [T,B,H] tanh(c_t).
// out [T,B,·] (stride ldo) receives h_t; hN, cN [B,H] the final state.
// b_ih, b_hh: 0 when the layer has no bias.
export function lstm_fwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, c0: usize, out: usize, ldo: i32, hN: usize, cN: usize,
  w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize,
  gates: usize, cs: usize, tcs: usize, mask: usize, ws: usize, reverse: i32,
): void {
  const GH = 4 * H;
  const whh = ws;
  const bsum = f32p(whh, align4(gemm_packed_size(H, GH)));
  const scratch = f32p(bsum, align4(GH));
  const bias = sumBiases(bsum, b_ih, b_hh, GH);
  inputProjection(gates, x, ldx, T, B, I, GH, w_ih, bias, scratch);
  const packed = packsRecurrence(T, B);
  if (packed) packForRecurrence(whh, w_hh, GH, H);
  const rev = reverse != 0;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const tp = prevStep(t, rev);
    const hp = first ? h0 : rowBlock(out, tp, B, ldo);
    const hpld = first ? H : ldo;
    const cp = first ? c0 : f32p(cs, tp * B * H);
    const G = f32p(gates, t * B * GH);
    recurrentProduct(G, GH, hp, hpld, whh, w_hh, 0, B, H, 1, packed);
    lstmForwardStep(G, cp, f32p(cs, t * B * H), f32p(tcs, t * B * H), rowBlock(out, t, B, ldo), ldo, hp, hpld, mask, t, B, H);
  }
  const last = rev ? 0 : T - 1;
  copyRows(hN, H, rowBlock(out, last, B, ldo), ldo, B, H);
  copyRows(cN, H, f32p(cs, last * B * H), H, B, H);
}

// The cell math of one step for the whole batch. A function of its own, called once per step:
// V8 swaps a function's baseline code for optimised code only between calls, so the loop over
// steps must not contain the hot work (a fresh process's first forward would run on baseline
// code to the end).
function lstmForwardStep(G: usize, cp: usize, ct: usize, tct: usize, ht: usize, ldo: i32, hp: usize, hpld: i32, mask: usize, t: i32, B: i32, H: i32): void {
  const GH = 4 * H;
  for (let b = 0; b < B; b++) {
    const g = f32p(G, b * GH);
    const cpr = f32p(cp, b * H);
    const c = f32p(ct, b * H);
    const tc = f32p(tct, b * H);
    const h = ht + (<usize>b * <usize>ldo << 2);
    if (isPadding(mask, t, B, b)) {
      // a padded step: the state carries over unchanged
      memory.copy(h, hp + (<usize>b * <usize>hpld << 2), <usize>H << 2);
      memory.copy(c, cpr, <usize>H << 2);
      continue;
    }
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmForwardLanes(g, cpr, c, tc, h, j, H, true);
    for (; j < H; j++) lstmForwardLanes(g, cpr, c, tc, h, j, H, false);
  }
}

// @ts-ignore: decorator
@inline function lstmForwardLanes(g: usize, cpr: usize, c: usize, tc: usize, h: usize, j: i32, H: i32, full: bool): void {
  const pi = f32p(g, j), pf = f32p(g, H + j), pg = f32p(g, 2 * H + j), po = f32p(g, 3 * H + j);
  const i = sigmoid4(ld(pi, full));
  const f = sigmoid4(ld(pf, full));
  const gg = tanh4(ld(pg, full));
  const o = sigmoid4(ld(po, full));
  const cn = f32x4.add(f32x4.mul(f, ld(f32p(cpr, j), full)), f32x4.mul(i, gg));
  const tcn = tanh4(cn);
  st(pi, i, full); st(pf, f, full); st(pg, gg, full); st(po, o, full);
  st(f32p(c, j), cn, full);
  st(f32p(tc, j), tcn, full);
  st(f32p(h, j), f32x4.mul(o, tcn), full);
}

// Workspace floats for lstm_bwd.
export function lstm_bwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  const GH = 4 * H;
  return 2 * align4(B * H) + max(align4(gemm_packed_size(GH, H)), backwardGemmsWs(T, B, I, H, GH));
}

// Backward through the whole sequence. Reads what lstm_fwd saved (gates, cs, tcs, out).
// dout [T,B,·] stride ldo: ∂E/∂h_t from above; dhN, dcN [B,H]: ∂E/∂ of the final state.
// Accumulates (+=) into dx (stride ldx; 0 to skip), dw_ih, dw_hh, db_ih, db_hh (0 when no bias).
// Writes (=) dh0, dc0 [B,H]. dG [T,B,4H] receives the pre-activation gradients.
export function lstm_bwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, c0: usize, out: usize, ldo: i32,
  w_ih: usize, w_hh: usize, gates: usize, cs: usize, tcs: usize,
  dout: usize, dhN: usize, dcN: usize,
  dx: usize, dh0: usize, dc0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize,
  dG: usize, mask: usize, dhn: usize, ws: usize, reverse: i32,
): void {
  const GH = 4 * H;
  const dh = ws;
  const dc = f32p(dh, align4(B * H));
  const scratch = f32p(dc, align4(B * H));
  memory.copy(dh, dhN, <usize>(B * H) << 2);
  memory.copy(dc, dcN, <usize>(B * H) << 2);
  packForRecurrenceBackward(scratch, w_hh, GH, H);
  const rev = reverse != 0;
  for (let s = T - 1; s >= 0; s--) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const cp = first ? c0 : f32p(cs, prevStep(t, rev) * B * H);
    const G = f32p(gates, t * B * GH);
    const D = f32p(dG, t * B * GH);
    const tct = f32p(tcs, t * B * H);
    const dot = rowBlock(dout, t, B, ldo);
    if (dhn) store<f32>(f32p(dhn, t), stepNormSq(dot, ldo, dh, B, H));
    for (let b = 0; b < B; b++) {
      const g = f32p(G, b * GH);
      const d = f32p(D, b * GH);
      const cpr = f32p(cp, b * H);
      const tc = f32p(tct, b * H);
      const dob = dot + (<usize>b * <usize>ldo << 2);
      const dhb = f32p(dh, b * H);
      const dcb = f32p(dc, b * H);
      if (isPadding(mask, t, B, b)) {
        passThrough(d, GH, dob, dhb, H);
        continue;
      }
      let j = 0;
      for (; j + 4 <= H; j += 4) lstmBackwardLanes(g, d, cpr, tc, dob, dhb, dcb, j, H, true);
      for (; j < H; j++) lstmBackwardLanes(g, d, cpr, tc, dob, dhb, dcb, j, H, false);
    }
    // ∂E/∂h_prev = δ_t · W_hh (the only sequential GEMM of the backward pass), added to the
    // pass-through of padded rows (the others were zeroed)
    gemm(dh, H, D, GH, 1, scratch, 0, B, H, GH, 1);
  }
  memory.copy(dh0, dh, <usize>(B * H) << 2);
  memory.copy(dc0, dc, <usize>(B * H) << 2);
  backwardGemms(T, B, I, H, GH, x, ldx, h0, out, ldo, w_ih, dG, dG, dx, dw_ih, dw_hh, db_ih, db_hh, rev, scratch);
}

// dh (in: ∂E/∂h_t from the next step) and dc (in: from the next step; out: to the previous step).
// @ts-ignore: decorator
@inline function lstmBackwardLanes(
  g: usize, d: usize, cpr: usize, tc: usize, dob: usize, dhb: usize, dcb: usize, j: i32, H: i32, full: bool,
): void {
  const one = f32x4.splat(1);
  const i = ld(f32p(g, j), full), f = ld(f32p(g, H + j), full);
  const gg = ld(f32p(g, 2 * H + j), full), o = ld(f32p(g, 3 * H + j), full);
  const tcv = ld(f32p(tc, j), full);
  const dhv = f32x4.add(ld(f32p(dob, j), full), ld(f32p(dhb, j), full));
  const dcv = f32x4.add(ld(f32p(dcb, j), full), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tcv, tcv))));
  const di = f32x4.mul(f32x4.mul(dcv, gg), f32x4.mul(i, f32x4.sub(one, i)));
  const df = f32x4.mul(f32x4.mul(dcv, ld(f32p(cpr, j), full)), f32x4.mul(f, f32x4.sub(one, f)));
  const dg = f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(gg, gg)));
  const dO = f32x4.mul(f32x4.mul(dhv, tcv), f32x4.mul(o, f32x4.sub(one, o)));
  st(f32p(d, j), di, full);
  st(f32p(d, H + j), df, full);
  st(f32p(d, 2 * H + j), dg, full);
  st(f32p(d, 3 * H + j), dO, full);
  st(f32p(dcb, j), f32x4.mul(dcv, f), full);
  st(f32p(dhb, j), f32x4.splat(0), full); // refilled by the recurrent GEMM
}
