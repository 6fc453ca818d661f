// LSTM layer, one direction, a whole sequence per call (PyTorch gate order i|f|g|o):
//   a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh,  i,f,o = σ(a_i,a_f,a_o), g = tanh(a_g)
//   c = f ⊙ c_prev + i ⊙ g,  h = o ⊙ tanh(c)
// Layout conventions: see sequence.ts. Each export runs as a parallel task (parallel.ts): the
// time loop shares the batch rows among the threads, the products before and after it share
// their output rows.

import { gemm, gemm_packed_size } from './gemm';
import { sigmoid4, tanh4, ld, st } from './activations';
import { barrier, noteShare, run } from './parallel';
import { TASK_LSTM_BWD, TASK_LSTM_FWD } from './tasks';
import {
  f32p, align4, forwardPrologue, packRecurrenceBackward, prevStep, isFirstStep, copyRows, backwardGemms, backwardGemmsWs,
  rowBlock, isPadding, passThrough, stepNormSq, recurrentProduct, packsRecurrence, seqArgs, sequenceThreads, rowsFrom,
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
  gates: usize, cs: usize, tcs: usize, mask: usize, ws: usize, reverse: i32, q: usize,
): void {
  const a = seqArgs();
  a.q = q;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.c0 = c0; a.out = out; a.ldo = ldo;
  a.hN = hN; a.cN = cN; a.w_ih = w_ih; a.w_hh = w_hh; a.b_ih = b_ih; a.b_hh = b_hh;
  a.gates = gates; a.cs = cs; a.tcs = tcs; a.mask = mask; a.ws = ws; a.reverse = reverse;
  run(TASK_LSTM_FWD, sequenceThreads(T, B, I, H, 4, 0));
}

// lstm_fwd on thread tid of n: the input projection, then the time loop over its batch rows.
export function lstmForward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, GH = 4 * H, ldo = a.ldo, out = a.out, cs = a.cs, tcs = a.tcs, gates = a.gates;
  const whh = a.ws;
  const bsum = f32p(whh, align4(gemm_packed_size(H, GH)));
  const scratch = f32p(bsum, align4(GH));
  const packed = packsRecurrence(T, B);
  forwardPrologue(a, gates, GH, whh, packed, bsum, true, scratch, tid, n);
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  if (rows <= 0) return;
  const rev = a.reverse != 0;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s;
    const first = isFirstStep(t, T, rev);
    const tp = prevStep(t, rev);
    const hp = first ? f32p(a.h0, b0 * H) : rowBlock(out, tp, B, ldo) + (<usize>b0 * <usize>ldo << 2);
    const hpld = first ? H : ldo;
    const cp = first ? f32p(a.c0, b0 * H) : f32p(cs, (tp * B + b0) * H);
    const G = f32p(gates, (t * B + b0) * GH);
    recurrentProduct(G, GH, hp, hpld, whh, a.w_hh, 0, rows, H, 1, packed);
    lstmForwardStep(G, cp, f32p(cs, (t * B + b0) * H), f32p(tcs, (t * B + b0) * H), rowBlock(out, t, B, ldo) + (<usize>b0 * <usize>ldo << 2),
      ldo, hp, hpld, a.mask, t, B, b0, rows, H);
  }
  const last = rev ? 0 : T - 1;
  copyRows(f32p(a.hN, b0 * H), H, rowBlock(out, last, B, ldo) + (<usize>b0 * <usize>ldo << 2), ldo, rows, H);
  copyRows(f32p(a.cN, b0 * H), H, f32p(cs, (last * B + b0) * H), H, rows, H);
}

// The cell math of one step for the whole batch. A function of its own, called once per step:
// V8 swaps a function's baseline code for optimised code only between calls, so the loop over
// steps must not contain the hot work (a fresh process's first forward would run on baseline
// code to the end).
// Rows b0 … b0 + rows − 1 of the batch; every pointer is already at row b0.
function lstmForwardStep(G: usize, cp: usize, ct: usize, tct: usize, ht: usize, ldo: i32, hp: usize, hpld: i32, mask: usize, t: i32, B: i32, b0: i32, rows: i32, H: i32): void {
  const GH = 4 * H;
  for (let b = 0; b < rows; b++) {
    const g = f32p(G, b * GH);
    const cpr = f32p(cp, b * H);
    const c = f32p(ct, b * H);
    const tc = f32p(tct, b * H);
    const h = ht + (<usize>b * <usize>ldo << 2);
    if (isPadding(mask, t, B, b0 + b)) {
      // a padded step: the state carries over unchanged
      memory.copy(h, hp + (<usize>b * <usize>hpld << 2), <usize>H << 2);
      memory.copy(c, cpr, <usize>H << 2);
      continue;
    }
    for (let j = 0; j < H; j += 4) lstmForwardLanes(g, cpr, c, tc, h, j, H, H - j);
  }
}

// @ts-ignore: decorator
@inline function lstmForwardLanes(g: usize, cpr: usize, c: usize, tc: usize, h: usize, j: i32, H: i32, w: i32): void {
  // the four gates in place, in a loop: one copy of σ and of tanh in the module instead of four
  // (the activations are most of its code)
  for (let k = 0; k < 4; k++) {
    const p = f32p(g, k * H + j);
    let v = ld(p, w);
    if (k == 2) v = tanh4(v);
    else v = sigmoid4(v);
    st(p, v, w);
  }
  const i = ld(f32p(g, j), w), f = ld(f32p(g, H + j), w), gg = ld(f32p(g, 2 * H + j), w), o = ld(f32p(g, 3 * H + j), w);
  const cn = f32x4.add(f32x4.mul(f, ld(f32p(cpr, j), w)), f32x4.mul(i, gg));
  const tcn = tanh4(cn);
  st(f32p(c, j), cn, w);
  st(f32p(tc, j), tcn, w);
  st(f32p(h, j), f32x4.mul(o, tcn), w);
}

// Workspace floats for lstm_bwd.
export function lstm_bwd_ws(T: i32, B: i32, I: i32, H: i32): i32 {
  const GH = 4 * H;
  return 2 * align4(B * H) + max(align4(gemm_packed_size(GH, H)), backwardGemmsWs(T, B, I, H, GH));
}

// Backward through the whole sequence. Reads what lstm_fwd saved (gates, cs, tcs, out).
// dout [T,B,·] stride ldo: ∂E/∂h_t from above; dhN, dcN [B,H]: ∂E/∂ of the final state.
// Accumulates (+=) into dx (stride ldx; 0 to skip), dw_ih, dw_hh, db_ih, db_hh (0 when no bias).
// Writes (=) dh0, dc0 [B,H]. dG [T,B,4H] receives the pre-activation gradients. dhn: 0, or [T]
// floats for ‖∂E/∂h_t‖² (then one thread).
export function lstm_bwd(
  T: i32, B: i32, I: i32, H: i32,
  x: usize, ldx: i32, h0: usize, c0: usize, out: usize, ldo: i32,
  w_ih: usize, w_hh: usize, gates: usize, cs: usize, tcs: usize,
  dout: usize, dhN: usize, dcN: usize,
  dx: usize, dh0: usize, dc0: usize, dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize,
  dG: usize, mask: usize, dhn: usize, ws: usize, reverse: i32, dq: usize, V: i32,
): void {
  const a = seqArgs();
  a.dq = dq; a.V = V;
  a.T = T; a.B = B; a.I = I; a.H = H; a.x = x; a.ldx = ldx; a.h0 = h0; a.c0 = c0; a.out = out; a.ldo = ldo;
  a.w_ih = w_ih; a.w_hh = w_hh; a.gates = gates; a.cs = cs; a.tcs = tcs; a.dout = dout; a.dhN = dhN; a.dcN = dcN;
  a.dx = dx; a.dh0 = dh0; a.dc0 = dc0; a.dw_ih = dw_ih; a.dw_hh = dw_hh; a.db_ih = db_ih; a.db_hh = db_hh;
  a.dGi = dG; a.dGh = dG; a.mask = mask; a.dhn = dhn; a.ws = ws; a.reverse = reverse;
  run(TASK_LSTM_BWD, sequenceThreads(T, B, I, H, 4, dhn));
}

// lstm_bwd on thread tid of n: the time loop over its batch rows, then its shares of the
// weight and input gradients.
export function lstmBackward(tid: i32, n: i32): void {
  const a = seqArgs();
  const T = a.T, B = a.B, H = a.H, GH = 4 * H, ldo = a.ldo, cs = a.cs, dG = a.dGi;
  const dh = a.ws;
  const dc = f32p(dh, align4(B * H));
  const scratch = f32p(dc, align4(B * H));
  const b0 = rowsFrom(B, tid, n), rows = rowsFrom(B, tid + 1, n) - b0;
  noteShare(tid, n, rows, B);
  packRecurrenceBackward(scratch, a.w_hh, GH, H, tid, n);
  barrier(n);
  const rev = a.reverse != 0;
  if (rows > 0) {
    const dhr = f32p(dh, b0 * H), dcr = f32p(dc, b0 * H);
    memory.copy(dhr, f32p(a.dhN, b0 * H), <usize>(rows * H) << 2);
    memory.copy(dcr, f32p(a.dcN, b0 * H), <usize>(rows * H) << 2);
    for (let s = T - 1; s >= 0; s--) {
      const t = rev ? T - 1 - s : s;
      const first = isFirstStep(t, T, rev);
      const cp = first ? f32p(a.c0, b0 * H) : f32p(cs, (prevStep(t, rev) * B + b0) * H);
      const G = f32p(a.gates, (t * B + b0) * GH);
      const D = f32p(dG, (t * B + b0) * GH);
      const tct = f32p(a.tcs, (t * B + b0) * H);
      const dot = rowBlock(a.dout, t, B, ldo) + (<usize>b0 * <usize>ldo << 2);
      if (a.dhn) store<f32>(f32p(a.dhn, t), stepNormSq(dot, ldo, dhr, rows, H)); // one thread: all rows
      for (let b = 0; b < rows; b++) {
        const g = f32p(G, b * GH);
        const d = f32p(D, b * GH);
        const cpr = f32p(cp, b * H);
        const tc = f32p(tct, b * H);
        const dob = dot + (<usize>b * <usize>ldo << 2);
        const dhb = f32p(dhr, b * H);
        const dcb = f32p(dcr, b * H);
        if (isPadding(a.mask, t, B, b0 + b)) {
          passThrough(d, GH, dob, dhb, H);
          continue;
        }
        for (let j = 0; j < H; j += 4) lstmBackwardLanes(g, d, cpr, tc, dob, dhb, dcb, j, H, H - j);
      }
      // ∂E/∂h_prev = δ_t · W_hh (the only sequential GEMM of the backward pass), added to the
      // pass-through of padded rows (the others were zeroed)
      gemm(dhr, H, D, GH, 1, scratch, 0, rows, H, GH, 1);
    }
    memory.copy(f32p(a.dh0, b0 * H), dhr, <usize>(rows * H) << 2);
    memory.copy(f32p(a.dc0, b0 * H), dcr, <usize>(rows * H) << 2);
  }
  barrier(n); // every row's dG is in; the packed W_hh's space is reused
  backwardGemms(a, GH, dG, dG, rev, scratch, tid, n);
}

// dh (in: ∂E/∂h_t from the next step) and dc (in: from the next step; out: to the previous step).
// @ts-ignore: decorator
@inline function lstmBackwardLanes(
  g: usize, d: usize, cpr: usize, tc: usize, dob: usize, dhb: usize, dcb: usize, j: i32, H: i32, w: i32,
): void {
  const one = f32x4.splat(1);
  const i = ld(f32p(g, j), w), f = ld(f32p(g, H + j), w);
  const gg = ld(f32p(g, 2 * H + j), w), o = ld(f32p(g, 3 * H + j), w);
  const tcv = ld(f32p(tc, j), w);
  const dhv = f32x4.add(ld(f32p(dob, j), w), ld(f32p(dhb, j), w));
  const dcv = f32x4.add(ld(f32p(dcb, j), w), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tcv, tcv))));
  const di = f32x4.mul(f32x4.mul(dcv, gg), f32x4.mul(i, f32x4.sub(one, i)));
  const df = f32x4.mul(f32x4.mul(dcv, ld(f32p(cpr, j), w)), f32x4.mul(f, f32x4.sub(one, f)));
  const dg = f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(gg, gg)));
  const dO = f32x4.mul(f32x4.mul(dhv, tcv), f32x4.mul(o, f32x4.sub(one, o)));
  st(f32p(d, j), di, w);
  st(f32p(d, H + j), df, w);
  st(f32p(d, 2 * H + j), dg, w);
  st(f32p(d, 3 * H + j), dO, w);
  st(f32p(dcb, j), f32x4.mul(dcv, f), w);
  st(f32p(dhb, j), f32x4.splat(0), w); // refilled by the recurrent GEMM
}
