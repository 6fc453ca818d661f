// Elman RNN layer, one direction, a whole sequence per call:
//   h = φ(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh),  φ = tanh (relu = 0) or relu (relu = 1)
// The outputs are all backward needs: φ'(a) = 1 − h² for tanh, [h > 0] for relu.
// Layout conventions: see sequence.ts; threads: see lstm.ts.

import { gemm, gemm_packed_size } from './gemm';
import { tanh4, relu4, ld, st } from './activations';
import { barrier, noteShare, run } from './parallel';
import { TASK_RNN_BWD, TASK_RNN_FWD } from './tasks';
import {
  f32p, align4, forwardPrologue, packRecurrenceBackward, prevStep, isFirstStep, copyRows, backwardGemms, backwardGemmsWs,
  rowBlock, isPadding, passThrough, stepNormSq, recurrentProduct, packsRecurrence, seqArgs, sequenceThreads, rowsFrom,
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
  pre: usize, mask: usize, ws: usize, reverse: i32, relu: i32, q: usize,
): void {
  const a = seqArgs();
  a.q = q;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.out = out; a.ldo = ldo; a.hN = hN;
  a.w_ih = w_ih; a.w_hh = w_hh; a.b_ih = b_ih; a.b_hh = b_hh; a.gates = pre; a.mask = mask; a.ws = ws;
  a.reverse = reverse; a.relu = relu;
  run(TASK_RNN_FWD, sequenceThreads(T, B, I, H, 1, 0));
}

// rnn_fwd on thread tid of n (pre travels in the gates field).
export function rnnForward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, ldo = a.ldo, out = a.out, pre = a.gates;
  const whh = a.ws;
  const bsum = f32p(whh, align4(gemm_packed_size(H, H)));
  const scratch = f32p(bsum, align4(H));
  const packed = packsRecurrence(T, B);
  forwardPrologue(a, pre, H, whh, packed, bsum, true, scratch, tid, n);
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  if (rows <= 0) return;
  const rev = a.reverse != 0;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const hp = first ? f32p(a.h0, b0 * H) : rowBlock(out, prevStep(t, rev), B, ldo) + (<usize>b0 * <usize>ldo << 2);
    const hpld = first ? H : ldo;
    const P = f32p(pre, (t * B + b0) * H);
    recurrentProduct(P, H, hp, hpld, whh, a.w_hh, 0, rows, H, 1, packed);
    rnnForwardStep(P, rowBlock(out, t, B, ldo) + (<usize>b0 * <usize>ldo << 2), ldo, hp, hpld, a.mask, t, B, b0, rows, H, a.relu);
  }
  const last = rev ? 0 : T - 1;
  copyRows(f32p(a.hN, b0 * H), H, rowBlock(out, last, B, ldo) + (<usize>b0 * <usize>ldo << 2), ldo, rows, H);
}

// The activation of one step for the whole batch: not inlined into the sequence loop, so V8 can
// switch to optimised code between steps (see lstmForwardStep in lstm.ts).
// Rows b0 … b0 + rows − 1 of the batch; every pointer is already at row b0.
function rnnForwardStep(P: usize, ht: usize, ldo: i32, hp: usize, hpld: i32, mask: usize, t: i32, B: i32, b0: i32, rows: i32, H: i32, relu: i32): void {
  for (let b = 0; b < rows; b++) {
    const p = f32p(P, b * H);
    const h = ht + (<usize>b * <usize>ldo << 2);
    if (isPadding(mask, t, B, b0 + b)) {
      memory.copy(h, hp + (<usize>b * <usize>hpld << 2), <usize>H << 2);
      continue;
    }
    if (relu) {
      for (let j = 0; j < H; j += 4) st(f32p(h, j), relu4(ld(f32p(p, j), H - j)), H - j);
    } else {
      for (let j = 0; j < H; j += 4) st(f32p(h, j), tanh4(ld(f32p(p, j), H - j)), H - j);
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
  dG: usize, mask: usize, dhn: usize, ws: usize, reverse: i32, relu: i32, dq: usize, V: i32,
): void {
  const a = seqArgs();
  a.dq = dq; a.V = V;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.out = out; a.ldo = ldo;
  a.w_ih = w_ih; a.w_hh = w_hh; a.dout = dout; a.dhN = dhN; a.dx = dx; a.dh0 = dh0; a.dw_ih = dw_ih; a.dw_hh = dw_hh;
  a.db_ih = db_ih; a.db_hh = db_hh; a.dGi = dG; a.dGh = dG; a.mask = mask; a.dhn = dhn; a.ws = ws; a.reverse = reverse;
  a.relu = relu;
  run(TASK_RNN_BWD, sequenceThreads(T, B, I, H, 1, dhn));
}

// rnn_bwd on thread tid of n (see lstmBackward).
export function rnnBackward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, ldo = a.ldo, dG = a.dGi, relu = a.relu;
  const dh = a.ws;
  const scratch = f32p(dh, align4(B * H));
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  packRecurrenceBackward(scratch, a.w_hh, H, H, tid, n);
  barrier(n);
  const rev = a.reverse != 0;
  if (rows > 0) {
    const dhr = f32p(dh, b0 * H);
    memory.copy(dhr, f32p(a.dhN, b0 * H), <usize>(rows * H) << 2);
    for (let s = T - 1; s >= 0; s--) {
      const t = rev ? T - 1 - s : s;
      const D = f32p(dG, (t * B + b0) * H);
      const ht = rowBlock(a.out, t, B, ldo) + (<usize>b0 * <usize>ldo << 2);
      const dot = rowBlock(a.dout, t, B, ldo) + (<usize>b0 * <usize>ldo << 2);
      if (a.dhn) store<f32>(f32p(a.dhn, t), stepNormSq(dot, ldo, dhr, rows, H)); // one thread: all rows
      for (let b = 0; b < rows; b++) {
        const h = ht + (<usize>b * <usize>ldo << 2);
        const dob = dot + (<usize>b * <usize>ldo << 2);
        const dhb = f32p(dhr, b * H);
        const d = f32p(D, b * H);
        if (isPadding(a.mask, t, B, b0 + b)) {
          passThrough(d, H, dob, dhb, H);
          continue;
        }
        if (relu) {
          for (let j = 0; j < H; j += 4) reluBackwardLanes(h, dob, dhb, d, j, H - j);
        } else {
          for (let j = 0; j < H; j += 4) tanhBackwardLanes(h, dob, dhb, d, j, H - j);
        }
      }
      gemm(dhr, H, D, H, 1, scratch, 0, rows, H, H, 1); // onto the pass-through of padded rows
    }
    memory.copy(f32p(a.dh0, b0 * H), dhr, <usize>(rows * H) << 2);
  }
  barrier(n);
  backwardGemms(a, H, dG, dG, rev, scratch, tid, n);
}

// @ts-ignore: decorator
@inline function tanhBackwardLanes(h: usize, dob: usize, dhb: usize, d: usize, j: i32, w: i32): void {
  const hv = ld(f32p(h, j), w);
  const dhv = f32x4.add(ld(f32p(dob, j), w), ld(f32p(dhb, j), w));
  st(f32p(d, j), f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), f32x4.mul(hv, hv))), w);
  st(f32p(dhb, j), f32x4.splat(0), w); // refilled by the recurrent GEMM
}

// @ts-ignore: decorator
@inline function reluBackwardLanes(h: usize, dob: usize, dhb: usize, d: usize, j: i32, w: i32): void {
  const hv = ld(f32p(h, j), w);
  const dhv = f32x4.add(ld(f32p(dob, j), w), ld(f32p(dhb, j), w));
  st(f32p(d, j), v128.and(dhv, f32x4.gt(hv, f32x4.splat(0))), w);
  st(f32p(dhb, j), f32x4.splat(0), w); // refilled by the recurrent GEMM
}
