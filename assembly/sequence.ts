// The parts of a recurrent layer's forward and backward that do not depend on the cell:
// the input projection for all timesteps, and the gradients that are single GEMMs over
// all T·B rows once the sequential loop is done (DESIGN.md §3, rules 2 and 3).
//
// Conventions shared by the cells (rnn.ts, lstm.ts, gru.ts):
//   G   gates per unit (1 Elman, 4 LSTM, 3 GRU); GH = G·H
//   x   [T, B, I], row stride ldx floats (rows (t, b) are uniformly strided)
//   out [T, B, ·], row stride ldo; the pointer already points at this direction's columns
//   h0  [B, H] contiguous; the state before the first processed step
//   reverse: the direction walks t = T−1 … 0; its "previous" step is t + 1
// Every pointer is a byte offset into linear memory; every size counts f32 elements.

import {
  allRowsSparse, gemm, gemm_nt_rows, gemm_packed_size, gemmShare, matmulMode, matmulShare, MATMUL_PACKED, packShare, SMALL_ROWS,
} from './gemm';
import { madd } from './fma';
import { add_f32 } from './elementwise';
import { ARGS, barrier, shareStart, threadsFor } from './parallel';

// The arguments of a recurrent layer's forward or backward (one direction), written by the
// exported kernel (lstm_fwd, …) and read by every thread running it. Pointers, sizes and flags
// as the exports' parameters; a field a kernel does not use is left as it was.
@unmanaged export class SeqArgs {
  T: i32; B: i32; I: i32; H: i32;
  x: usize; ldx: i32; h0: usize; c0: usize; out: usize; ldo: i32; hN: usize; cN: usize;
  w_ih: usize; w_hh: usize; b_ih: usize; b_hh: usize;
  gates: usize; cs: usize; tcs: usize; mask: usize; ws: usize; reverse: i32; relu: i32;
  dout: usize; dhN: usize; dcN: usize; dx: usize; dh0: usize; dc0: usize;
  dw_ih: usize; dw_hh: usize; db_ih: usize; db_hh: usize; dGi: usize; dGh: usize; dhn: usize;
  // Token ids in (an Embedding's output, never made): x holds i32 ids, and the input projection of
  // every id is a row of q [V, GH] (= E·W_ihᵀ + bias, made by the caller). Backward then sums
  // ∂E/∂q [V, GH] by id into dq, from which the caller makes ∂E/∂W_ih, ∂E/∂b_ih and ∂E/∂E.
  q: usize; dq: usize; V: i32;
}

// @ts-ignore: decorator
@inline export function seqArgs(): SeqArgs {
  return changetype<SeqArgs>(ARGS);
}

// Threads worth using for a layer's sequence, whose time loop shares the batch rows (see
// threadsFor). Per-step gradient norms (dhn, diagnostics) are summed over the whole batch: one thread.
export function sequenceThreads(T: i32, B: i32, I: i32, H: i32, G: i32, dhn: usize): i32 {
  return dhn ? 1 : threadsFor(B, <i64>T * <i64>B * <i64>(G * H) * <i64>(I + H));
}

// The batch rows [b0, b1) of thread tid of n: in groups of 4, like gemmShare's rows.
// @ts-ignore: decorator
@inline export function rowsFrom(B: i32, tid: i32, n: i32): i32 {
  return shareStart(B, 4, tid, n);
}

// @ts-ignore: decorator
@inline export function f32p(base: usize, elements: i32): usize {
  return base + (<usize>elements << 2);
}

// Round a float count up to a whole number of f32x4 so carved regions stay 16-byte aligned.
// @ts-ignore: decorator
@inline export function align4(n: i32): i32 {
  return (n + 3) & ~3;
}

// Before a forward's time loop, on every thread of the task: W_hh packed into whp (when
// `packed`), then P[T·B, GH] = X · W_ihᵀ + bias, rows shared. The bias is b_ih + b_hh summed into
// bsum by thread 0 (`sumBias`: LSTM, Elman), or b_ih alone (GRU, whose b_hh acts in the step);
// 0 without bias. scratch: gemm_packed_size(I, GH) floats for the packed W_ih.
export function forwardPrologue(
  a: SeqArgs, P: usize, GH: i32, whp: usize, packed: bool, bsum: usize, sumBias: bool, scratch: usize, tid: i32, n: i32,
): void {
  const TB = a.T * a.B, I = a.I;
  if (a.q) {
    // token ids: each row of P is its id's row of q
    if (packed) packShare(whp, a.w_hh, a.H, GH, 1, a.H, tid, n);
    const r0 = shareStart(TB, 4, tid, n), r1 = shareStart(TB, 4, tid + 1, n);
    const row = <usize>GH << 2;
    for (let r = r0; r < r1; r++) memory.copy(P + <usize>r * row, a.q + <usize>load<i32>(a.x + (<usize>r << 2)) * row, row);
    barrier(n);
    return;
  }
  const mode = matmulMode(a.x, a.ldx, TB, I); // the same answer on every thread
  let bias = a.b_ih;
  if (sumBias && bias) {
    if (tid == 0) sumBiases(bsum, a.b_ih, a.b_hh, GH);
    bias = bsum;
  }
  if (packed) packShare(whp, a.w_hh, a.H, GH, 1, a.H, tid, n);
  if (mode == MATMUL_PACKED) packShare(scratch, a.w_ih, I, GH, 1, I, tid, n);
  barrier(n);
  matmulShare(P, GH, a.x, a.ldx, a.w_ih, bias, TB, GH, I, 0, scratch, mode, tid, n);
  barrier(n); // the time loop reads every thread's rows of P... and of the packed W_hh
}

// The recurrent product of one step for `rows` rows, G (=|+=) h_prev · W_hhᵀ (+ bias): through the
// packed W_hh (whp) when the sequence is long enough to have packed it, else W_hh in place.
// @ts-ignore: decorator
@inline export function recurrentProduct(
  G: usize, GH: i32, hp: usize, hpld: i32, whp: usize, w_hh: usize, bias: usize, rows: i32, H: i32, accumulate: i32, packed: bool,
): void {
  if (packed) gemm(G, GH, hp, hpld, 1, whp, bias, rows, GH, H, accumulate);
  else gemm_nt_rows(G, GH, hp, hpld, w_hh, bias, rows, GH, H, accumulate);
}

// Whether the forward of a T-step sequence packs W_hh (one step reads it in place): decided by the
// whole batch, so every thread's rows take the same path.
// @ts-ignore: decorator
@inline export function packsRecurrence(T: i32, B: i32): bool {
  return T > 1 || B > SMALL_ROWS;
}

// Before a backward's time loop: thread tid's share of W_hh [GH, H] packed for δ·W_hh.
export function packRecurrenceBackward(ws: usize, w_hh: usize, GH: i32, H: i32, tid: i32, n: i32): void {
  packShare(ws, w_hh, GH, H, H, 1, tid, n);
}

// First row of step t in a [T, B, ·] buffer with row stride ld floats.
// @ts-ignore: decorator
@inline export function rowBlock(base: usize, t: i32, B: i32, ld: i32): usize {
  return base + (<usize>t * <usize>B * <usize>ld << 2);
}

// dst = b_ih + b_hh (n floats), the bias of cells whose two biases simply add; 0 without bias.
export function sumBiases(dst: usize, b_ih: usize, b_hh: usize, n: i32): usize {
  if (!b_ih) return 0;
  for (let j = 0; j < n; j++) store<f32>(f32p(dst, j), load<f32>(f32p(b_ih, j)) + load<f32>(f32p(b_hh, j)));
  return dst;
}

// True when row b of step t is padding (mask [T, B] of 0/1; mask = 0 means no padding).
// @ts-ignore: decorator
@inline export function isPadding(mask: usize, t: i32, B: i32, b: i32): bool {
  return mask != 0 && load<f32>(f32p(mask, t * B + b)) == 0;
}

// ‖∂E/∂h_t‖² over the batch: Σ_b Σ_j (dout[b, j] + dh[b, j])², where dout (row stride ldo) is
// the gradient from above at step t and dh [B, H] what flows back from step t + 1.
export function stepNormSq(dout: usize, ldo: i32, dh: usize, B: i32, H: i32): f32 {
  let s: f64 = 0;
  for (let b = 0; b < B; b++) {
    const o = dout + (<usize>b * <usize>ldo << 2), d = f32p(dh, b * H);
    for (let j = 0; j < H; j++) {
      const v = <f64>(load<f32>(f32p(o, j)) + load<f32>(f32p(d, j)));
      s += v * v;
    }
  }
  return <f32>s;
}

// Backward of a padded row: no gate gradient (d row of `width` floats zeroed), and ∂E/∂h flows
// to the previous step unchanged: dh += dout (dh holds what came from the next step).
export function passThrough(d: usize, width: i32, dout: usize, dh: usize, H: i32): void {
  memory.fill(d, 0, <usize>width << 2);
  for (let j = 0; j < H; j++) store<f32>(f32p(dh, j), load<f32>(f32p(dh, j)) + load<f32>(f32p(dout, j)));
}

// The step processed before t (t − 1 forward, t + 1 in reverse), and whether t is the first.
// @ts-ignore: decorator
@inline export function prevStep(t: i32, reverse: bool): i32 {
  return reverse ? t + 1 : t - 1;
}
// @ts-ignore: decorator
@inline export function isFirstStep(t: i32, T: i32, reverse: bool): bool {
  return reverse ? t == T - 1 : t == 0;
}

// dst[c] += Σ_rows src[r, c] for a [rows, cols] block with row stride ld, and the same into dst2
// when it is not 0 (LSTM and Elman cells have one gradient buffer for both biases). Walks 32
// columns (8 vectors held in registers) down all rows: every cache line of src is read once. (A
// 4-column walk read each 64-byte line four times, 8% of an LSTM training step.) Each column is
// summed row by row whatever the walk, so any column range gives the same bits.
export function colsumAcc(dst: usize, dst2: usize, src: usize, rows: i32, cols: i32, ld: i32): void {
  const stride = <usize>ld << 2;
  let j = 0;
  for (; j + 32 <= cols; j += 32) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    let p = f32p(src, j);
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      s4 = f32x4.add(s4, v128.load(p, 64));
      s5 = f32x4.add(s5, v128.load(p, 80));
      s6 = f32x4.add(s6, v128.load(p, 96));
      s7 = f32x4.add(s7, v128.load(p, 112));
      p += stride;
    }
    addTo(dst, dst2, j, s0); addTo(dst, dst2, j + 4, s1); addTo(dst, dst2, j + 8, s2); addTo(dst, dst2, j + 12, s3);
    addTo(dst, dst2, j + 16, s4); addTo(dst, dst2, j + 20, s5); addTo(dst, dst2, j + 24, s6); addTo(dst, dst2, j + 28, s7);
  }
  for (; j + 4 <= cols; j += 4) {
    let s = f32x4.splat(0);
    let p = f32p(src, j);
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, v128.load(p));
      p += stride;
    }
    addTo(dst, dst2, j, s);
  }
  for (; j < cols; j++) {
    let s: f32 = 0;
    let p = f32p(src, j);
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += stride;
    }
    store<f32>(f32p(dst, j), load<f32>(f32p(dst, j)) + s);
    if (dst2) store<f32>(f32p(dst2, j), load<f32>(f32p(dst2, j)) + s);
  }
}

// @ts-ignore: decorator
@inline function addTo(dst: usize, dst2: usize, j: i32, s: v128): void {
  v128.store(f32p(dst, j), f32x4.add(v128.load(f32p(dst, j)), s));
  if (dst2) v128.store(f32p(dst2, j), f32x4.add(v128.load(f32p(dst2, j)), s));
}

// dst rows (stride ldd) = src rows (stride lds), `cols` floats each.
export function copyRows(dst: usize, ldd: i32, src: usize, lds: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + (<usize>r * <usize>ldd << 2), src + (<usize>r * <usize>lds << 2), <usize>cols << 2);
  }
}

// Thread tid's columns of colsumAcc over [rows, cols] (row stride cols).
export function colsumShare(dst: usize, dst2: usize, src: usize, rows: i32, cols: i32, tid: i32, n: i32): void {
  const j0 = shareStart(cols, 32, tid, n), j1 = shareStart(cols, 32, tid + 1, n);
  if (j1 > j0) colsumAcc(f32p(dst, j0), dst2 ? f32p(dst2, j0) : 0, f32p(src, j0), rows, j1 - j0, cols);
}

// dW_ih [GH, I] += dGiᵀ · X when every row of X has only a few nonzeros (one-hot inputs): each
// nonzero x_rk adds x_rk · dGi[r, :] to column k. The columns are summed as contiguous rows of
// ws ([I][GH]), then added into dW_ih once. Thread tid takes the gate columns [j0, j1).
function sparseInputWeightGrad(
  dw_ih: usize, dGi: usize, x: usize, ldx: i32, TB: i32, I: i32, GH: i32, ws: usize, tid: i32, n: i32,
): void {
  const j0 = shareStart(GH, 4, tid, n), j1 = shareStart(GH, 4, tid + 1, n);
  const w = j1 - j0;
  if (w <= 0) return;
  for (let k = 0; k < I; k++) memory.fill(f32p(ws, k * GH + j0), 0, <usize>w << 2);
  const w4 = w & ~3;
  for (let r = 0; r < TB; r++) {
    const row = x + (<usize>r * <usize>ldx << 2);
    const g = f32p(dGi, r * GH + j0);
    for (let k = 0; k < I; k++) {
      const xv = load<f32>(row + (<usize>k << 2));
      if (xv == 0) continue;
      const d = f32p(ws, k * GH + j0);
      const xs = f32x4.splat(xv);
      let j = 0;
      for (; j < w4; j += 4) v128.store(f32p(d, j), madd(xs, v128.load(f32p(g, j)), v128.load(f32p(d, j))));
      for (; j < w; j++) store<f32>(f32p(d, j), load<f32>(f32p(d, j)) + xv * load<f32>(f32p(g, j)));
    }
  }
  for (let m = j0; m < j1; m++) {
    const wr = f32p(dw_ih, m * I);
    for (let k = 0; k < I; k++) store<f32>(f32p(wr, k), load<f32>(f32p(wr, k)) + load<f32>(f32p(ws, k * GH + m)));
  }
}

// Workspace floats backwardGemms needs: the packed X (or the sparse path's [I][GH] sums), h0,
// the output rows and W_ih, side by side so all are packed in one phase.
export function backwardGemmsWs(T: i32, B: i32, I: i32, H: i32, GH: i32): i32 {
  const TB = T * B;
  return align4(max(gemm_packed_size(TB, I), I * GH)) + align4(gemm_packed_size(B, H)) +
    align4(gemm_packed_size(TB - B, H)) + gemm_packed_size(GH, I);
}

// After the sequential backward loop (and a barrier), on every thread, with the per-step
// pre-activation gradients saved:
//   dGi [T·B, GH]  drives W_ih, b_ih and the input:  dW_ih += dGiᵀ·X, db_ih += Σ dGi, dX += dGi·W_ih
//   dGh [T·B, GH]  drives W_hh and b_hh:             dW_hh += Σ_t dGh_tᵀ·h_prev(t), db_hh += Σ dGh
// (dGi and dGh are the same buffer for Elman and LSTM; GRU's differ in the n block.)
// db_* may be 0 (no bias). dx may be 0 (gradient of the input not wanted).
// Phase 1 packs the B operands (shares of panels); phase 2 shares the products by output rows
// (the weight gradients' rows, dX's rows) and the bias sums by columns.
export function backwardGemms(a: SeqArgs, GH: i32, dGi: usize, dGh: usize, reverse: bool, ws: usize, tid: i32, n: i32): void {
  const T = a.T, B = a.B, I = a.I, H = a.H, TB = T * B;
  const x = a.x, ldx = a.ldx, out = a.out, ldo = a.ldo, dx = a.dx;
  const px = ws;
  const ph0 = f32p(px, align4(max(gemm_packed_size(TB, I), I * GH)));
  const pout = f32p(ph0, align4(gemm_packed_size(B, H)));
  const pw = f32p(pout, align4(gemm_packed_size(TB - B, H)));
  // h_prev of every step but the one that read h0: the output rows one step earlier in
  // processing order
  const hStart = reverse ? rowBlock(out, 1, B, ldo) : out;
  const ids = a.dq != 0;
  const sparse = !ids && allRowsSparse(x, ldx, TB, I); // the same answer on every thread
  if (!sparse && !ids) packShare(px, x, TB, I, ldx, 1, tid, n);
  packShare(ph0, a.h0, B, H, H, 1, tid, n);
  if (T > 1) packShare(pout, hStart, TB - B, H, ldo, 1, tid, n);
  if (dx && !ids) packShare(pw, a.w_ih, GH, I, I, 1, tid, n);
  barrier(n);
  // dW_ih += dGiᵀ · X   (M = GH, N = I, K = T·B); token ids: dq += dGi summed by id
  if (ids) sumById(a.dq, dGi, x, TB, a.V, GH, tid, n);
  else if (sparse) sparseInputWeightGrad(a.dw_ih, dGi, x, ldx, TB, I, GH, px, tid, n);
  else gemmShare(a.dw_ih, I, dGi, 1, GH, px, 0, GH, I, TB, 1, tid, n);
  // dW_hh += Σ_t dGh_tᵀ · h_prev(t): the step that read h0, then all others in one product
  const first = reverse ? T - 1 : 0;
  gemmShare(a.dw_hh, H, f32p(dGh, first * B * GH), 1, GH, ph0, 0, GH, H, B, 1, tid, n);
  if (T > 1) gemmShare(a.dw_hh, H, reverse ? dGh : f32p(dGh, B * GH), 1, GH, pout, 0, GH, H, TB - B, 1, tid, n);
  const db_ih: usize = ids ? 0 : a.db_ih, db_hh = a.db_hh; // token ids: the caller sums db_ih from dq
  if (dGi == dGh) {
    if (db_ih) colsumShare(db_ih, db_hh, dGi, TB, GH, tid, n);
    else if (db_hh) colsumShare(db_hh, 0, dGh, TB, GH, tid, n);
  } else {
    if (db_ih) colsumShare(db_ih, 0, dGi, TB, GH, tid, n);
    if (db_hh) colsumShare(db_hh, 0, dGh, TB, GH, tid, n);
  }
  // dX += dGi · W_ih   (M = T·B, N = I, K = GH)
  if (dx && !ids) gemmShare(dx, ldx, dGi, GH, 1, pw, 0, TB, I, GH, 1, tid, n);
}

// dq [V, GH] = Σ over rows r with ids[r] = v of dGi[r] (written), thread tid taking columns [j0, j1):
// every element sums its rows in row order, whatever the share.
function sumById(dq: usize, dGi: usize, ids: usize, TB: i32, V: i32, GH: i32, tid: i32, n: i32): void {
  const j0 = shareStart(GH, 4, tid, n), j1 = shareStart(GH, 4, tid + 1, n);
  const w = j1 - j0;
  if (w <= 0) return;
  for (let v = 0; v < V; v++) memory.fill(f32p(dq, v * GH + j0), 0, <usize>w << 2);
  for (let r = 0; r < TB; r++) add_f32(f32p(dq, load<i32>(ids + (<usize>r << 2)) * GH + j0), f32p(dGi, r * GH + j0), w);
}
