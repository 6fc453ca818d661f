// GRU layer, one direction, a whole sequence per call. PyTorch's formulation (gates r|z|n,
// reset applied after the hidden matmul, Keras' reset_after=True):
//   gi = x W_ihᵀ + b_ih,  gh = h W_hhᵀ + b_hh
//   r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n)
//   h = (1 − z) ⊙ n + z ⊙ h_prev
// Layout conventions: see sequence.ts; threads: see lstm.ts.

import { gemm, gemm_packed_size } from './gemm';
import { sigmoid4, tanh4, ld, st } from './activations';
import { barrier, noteShare, run } from './parallel';
import { TASK_GRU_BWD, TASK_GRU_FWD } from './tasks';
import {
  f32p, align4, forwardPrologue, packRecurrenceBackward, prevStep, isFirstStep, copyRows, backwardGemms, backwardGemmsWs,
  rowBlock, isPadding, passThrough, stepNormSq, recurrentProduct, packsRecurrence, seqArgs, sequenceThreads, rowsFrom,
} from './sequence';

export function gru_fwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  const GH = 3 * H;
  return align4(gemm_packed_size(H, GH)) + align4(B * GH) + gemm_packed_size(I, GH);
}

// Saved for backward: gates [T,B,3H] post-activation r|z|n, ghn [T,B,H] = (h_prev W_hnᵀ + b_hn).
// out [T,B,·] (stride ldo) receives h_t; hN [B,H] the final state. b_ih, b_hh: 0 when no bias.
export function gru_fwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, out: usize, ldo: i32, hN: usize,
  w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize,
  gates: usize, ghn: usize, mask: usize, ws: usize, reverse: i32, q: usize,
): void {
  const a = seqArgs();
  a.q = q;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.out = out; a.ldo = ldo; a.hN = hN;
  a.w_ih = w_ih; a.w_hh = w_hh; a.b_ih = b_ih; a.b_hh = b_hh; a.gates = gates; a.cs = ghn; a.mask = mask; a.ws = ws;
  a.reverse = reverse;
  run(TASK_GRU_FWD, sequenceThreads(T, B, I, H, 3, 0));
}

// gru_fwd on thread tid of n (ghn travels in the cs field).
export function gruForward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, GH = 3 * H, ldo = a.ldo, out = a.out, gates = a.gates, ghn = a.cs;
  const whh = a.ws;
  const gh = f32p(whh, align4(gemm_packed_size(H, GH)));
  const scratch = f32p(gh, align4(B * GH));
  const packed = packsRecurrence(T, B);
  forwardPrologue(a, gates, GH, whh, packed, 0, false, scratch, tid, n);
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  if (rows <= 0) return;
  const ghr = f32p(gh, b0 * GH);
  const rev = a.reverse != 0;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const hp = first ? f32p(a.h0, b0 * H) : rowBlock(out, prevStep(t, rev), B, ldo) + (<usize>b0 * <usize>ldo << 2);
    const hpld = first ? H : ldo;
    recurrentProduct(ghr, GH, hp, hpld, whh, a.w_hh, a.b_hh, rows, H, 0, packed);
    gruForwardStep(f32p(gates, (t * B + b0) * GH), ghr, f32p(ghn, (t * B + b0) * H), rowBlock(out, t, B, ldo) + (<usize>b0 * <usize>ldo << 2),
      ldo, hp, hpld, a.mask, t, B, b0, rows, H);
  }
  const last = rev ? 0 : T - 1;
  copyRows(f32p(a.hN, b0 * H), H, rowBlock(out, last, B, ldo) + (<usize>b0 * <usize>ldo << 2), ldo, rows, H);
}

// The cell math of one step for the whole batch: not inlined into the sequence loop, so V8 can
// switch to optimised code between steps (see lstmForwardStep).
// Rows b0 … b0 + rows − 1 of the batch; every pointer is already at row b0.
function gruForwardStep(G: usize, gh: usize, N: usize, ht: usize, ldo: i32, hp: usize, hpld: i32, mask: usize, t: i32, B: i32, b0: i32, rows: i32, H: i32): void {
  const GH = 3 * H;
  for (let b = 0; b < rows; b++) {
    const g = f32p(G, b * GH);
    const q = f32p(gh, b * GH);
    const n = f32p(N, b * H);
    const hpr = hp + (<usize>b * <usize>hpld << 2);
    const h = ht + (<usize>b * <usize>ldo << 2);
    if (isPadding(mask, t, B, b0 + b)) {
      memory.copy(h, hpr, <usize>H << 2);
      continue;
    }
    for (let j = 0; j < H; j += 4) gruForwardLanes(g, q, n, hpr, h, j, H, H - j);
  }
}

// @ts-ignore: decorator
@inline function gruForwardLanes(g: usize, q: usize, n: usize, hpr: usize, h: usize, j: i32, H: i32, w: i32): void {
  const pr = f32p(g, j), pz = f32p(g, H + j), pn = f32p(g, 2 * H + j);
  // r and z in place, in a loop: one copy of σ in the module
  for (let k = 0; k < 2; k++) st(f32p(g, k * H + j), sigmoid4(f32x4.add(ld(f32p(g, k * H + j), w), ld(f32p(q, k * H + j), w))), w);
  const r = ld(pr, w), z = ld(pz, w);
  const hn = ld(f32p(q, 2 * H + j), w);
  const nn = tanh4(f32x4.add(ld(pn, w), f32x4.mul(r, hn)));
  const hv = ld(f32p(hpr, j), w);
  // (1 − z)·n + z·h_prev = n + z·(h_prev − n)
  const hnew = f32x4.add(nn, f32x4.mul(z, f32x4.sub(hv, nn)));
  st(pn, nn, w);
  st(f32p(n, j), hn, w);
  st(f32p(h, j), hnew, w);
}

export function gru_bwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  const GH = 3 * H;
  return align4(B * H) + max(align4(gemm_packed_size(GH, H)), backwardGemmsWs(T, B, I, H, GH));
}

// Backward through the whole sequence. Reads what gru_fwd saved (gates, ghn, out).
// Accumulates into dx (0 to skip), dw_*, db_* (0 when no bias); writes dh0.
// dGi, dGh [T,B,3H] receive the pre-activation gradients on the input and hidden sides
// (they differ in the n block: dGh_n = dGi_n ⊙ r).
export function gru_bwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, out: usize, ldo: i32,
  w_ih: usize, w_hh: usize, gates: usize, ghn: usize,
  dout: usize, dhN: usize,
  dx: usize, dh0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize,
  dGi: usize, dGh: usize, mask: usize, dhn: usize, ws: usize, reverse: i32, dq: usize, V: i32,
): void {
  const a = seqArgs();
  a.dq = dq; a.V = V;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.out = out; a.ldo = ldo;
  a.w_ih = w_ih; a.w_hh = w_hh; a.gates = gates; a.cs = ghn; a.dout = dout; a.dhN = dhN; a.dx = dx; a.dh0 = dh0;
  a.dw_ih = dw_ih; a.dw_hh = dw_hh; a.db_ih = db_ih; a.db_hh = db_hh; a.dGi = dGi; a.dGh = dGh; a.mask = mask;
  a.dhn = dhn; a.ws = ws; a.reverse = reverse;
  run(TASK_GRU_BWD, sequenceThreads(T, B, I, H, 3, dhn));
}

// gru_bwd on thread tid of n (see lstmBackward).
export function gruBackward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, GH = 3 * H, ldo = a.ldo, out = a.out;
  const dh = a.ws;
  const scratch = f32p(dh, align4(B * H));
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  packRecurrenceBackward(scratch, a.w_hh, GH, H, tid, n);
  barrier(n);
  const rev = a.reverse != 0;
  if (rows > 0) {
    const dhr = f32p(dh, b0 * H);
    memory.copy(dhr, f32p(a.dhN, b0 * H), <usize>(rows * H) << 2);
    for (let s = T - 1; s >= 0; s--) {
      const t = rev ? T - 1 - s : s;
      const first = isFirstStep(t, T, rev);
      const hp = first ? f32p(a.h0, b0 * H) : rowBlock(out, prevStep(t, rev), B, ldo) + (<usize>b0 * <usize>ldo << 2);
      const hpld = first ? H : ldo;
      const G = f32p(a.gates, (t * B + b0) * GH);
      const N = f32p(a.cs, (t * B + b0) * H);
      const Di = f32p(a.dGi, (t * B + b0) * GH);
      const Dh = f32p(a.dGh, (t * B + b0) * GH);
      const dot = rowBlock(a.dout, t, B, ldo) + (<usize>b0 * <usize>ldo << 2);
      if (a.dhn) store<f32>(f32p(a.dhn, t), stepNormSq(dot, ldo, dhr, rows, H)); // one thread: all rows
      for (let b = 0; b < rows; b++) {
        const g = f32p(G, b * GH);
        const nb = f32p(N, b * H);
        const di = f32p(Di, b * GH);
        const dhh = f32p(Dh, b * GH);
        const hpr = hp + (<usize>b * <usize>hpld << 2);
        const dob = dot + (<usize>b * <usize>ldo << 2);
        const dhb = f32p(dhr, b * H);
        if (isPadding(a.mask, t, B, b0 + b)) {
          passThrough(di, GH, dob, dhb, H);
          memory.fill(dhh, 0, <usize>GH << 2);
          continue;
        }
        for (let j = 0; j < H; j += 4) gruBackwardLanes(g, nb, di, dhh, hpr, dob, dhb, j, H, H - j);
      }
      // ∂E/∂h_prev = z ⊙ ∂E/∂h (already in dh) + δh_t · W_hh
      gemm(dhr, H, Dh, GH, 1, scratch, 0, rows, H, GH, 1);
    }
    memory.copy(f32p(a.dh0, b0 * H), dhr, <usize>(rows * H) << 2);
  }
  barrier(n);
  backwardGemms(a, GH, a.dGi, a.dGh, rev, scratch, tid, n);
}

// dhb: in ∂E/∂h_t from the next step; out: the direct part z ⊙ ∂E/∂h_t of ∂E/∂h_prev.
// @ts-ignore: decorator
@inline function gruBackwardLanes(
  g: usize, n: usize, di: usize, dhh: usize, hpr: usize, dob: usize, dhb: usize, j: i32, H: i32, w: i32,
): void {
  const one = f32x4.splat(1);
  const r = ld(f32p(g, j), w), z = ld(f32p(g, H + j), w), nn = ld(f32p(g, 2 * H + j), w);
  const hn = ld(f32p(n, j), w);
  const hv = ld(f32p(hpr, j), w);
  const dhv = f32x4.add(ld(f32p(dob, j), w), ld(f32p(dhb, j), w));
  const dan = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn)));
  const daz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hv, nn)), f32x4.mul(z, f32x4.sub(one, z)));
  const dar = f32x4.mul(f32x4.mul(dan, hn), f32x4.mul(r, f32x4.sub(one, r)));
  st(f32p(di, j), dar, w);
  st(f32p(di, H + j), daz, w);
  st(f32p(di, 2 * H + j), dan, w);
  st(f32p(dhh, j), dar, w);
  st(f32p(dhh, H + j), daz, w);
  st(f32p(dhh, 2 * H + j), f32x4.mul(dan, r), w);
  st(f32p(dhb, j), f32x4.mul(dhv, z), w);
}
