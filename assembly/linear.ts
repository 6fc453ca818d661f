// A Linear layer over M rows (the per-timestep head): y = x Wᵀ + b, W [O, F] as PyTorch stores
// it, and its backward. Each export runs as a parallel task (parallel.ts), the products shared by
// output rows.

import { gemm_packed_size, gemmShare, matmulMode, matmulShare, packShare } from './gemm';
import { ARGS, barrier, noteShare, run, shareStart, threadsFor } from './parallel';
import { align4, colsumShare, f32p } from './sequence';
import { TASK_LINEAR_BWD, TASK_LINEAR_FWD } from './tasks';

@unmanaged class LinearArgs {
  y: usize; x: usize; w: usize; b: usize; M: i32; O: i32; F: i32; ws: usize;
  dy: usize; dx: usize; dw: usize; db: usize;
}

// @ts-ignore: decorator
@inline function linearArgs(): LinearArgs {
  return changetype<LinearArgs>(ARGS);
}

// Workspace floats of linear_fwd and linear_bwd for M rows.
export function linear_ws(M: i32, O: i32, F: i32): i32 {
  return max(gemm_packed_size(F, O), align4(gemm_packed_size(M, F)) + gemm_packed_size(O, F));
}

// y [M, O] = x [M, F] · Wᵀ + b (b = 0: no bias).
export function linear_fwd(y: usize, x: usize, w: usize, b: usize, M: i32, O: i32, F: i32, ws: usize): void {
  const a = linearArgs();
  a.y = y; a.x = x; a.w = w; a.b = b; a.M = M; a.O = O; a.F = F; a.ws = ws;
  run(TASK_LINEAR_FWD, threadsFor(M, <i64>M * <i64>O * <i64>F));
}

export function linearForward(tid: i32, n: i32): void {
  const a = linearArgs();
  const mode = matmulMode(a.x, a.F, a.M, a.F); // the same answer on every thread
  noteShare(tid, n, shareStart(a.M, 4, tid + 1, n) - shareStart(a.M, 4, tid, n), a.M);
  matmulShare(a.y, a.O, a.x, a.F, a.w, a.b, a.M, a.O, a.F, 0, a.ws, mode, tid, n);
}

// From dy [M, O]: dW += dyᵀ · x, db += Σ_rows dy (db = 0: no bias), dx = dy · W (written).
export function linear_bwd(dw: usize, db: usize, dx: usize, dy: usize, x: usize, w: usize, M: i32, O: i32, F: i32, ws: usize): void {
  const a = linearArgs();
  a.dw = dw; a.db = db; a.dx = dx; a.dy = dy; a.x = x; a.w = w; a.M = M; a.O = O; a.F = F; a.ws = ws;
  run(TASK_LINEAR_BWD, threadsFor(M, <i64>M * <i64>O * <i64>F));
}

export function linearBackward(tid: i32, n: i32): void {
  const a = linearArgs();
  const M = a.M, O = a.O, F = a.F;
  const px = a.ws;
  const pw = f32p(px, align4(gemm_packed_size(M, F)));
  noteShare(tid, n, shareStart(M, 4, tid + 1, n) - shareStart(M, 4, tid, n), M);
  packShare(px, a.x, M, F, F, 1, tid, n);
  packShare(pw, a.w, O, F, F, 1, tid, n);
  barrier(n);
  gemmShare(a.dw, F, a.dy, 1, O, px, 0, O, F, M, 1, tid, n);
  if (a.db) colsumShare(a.db, 0, a.dy, M, O, tid, n);
  gemmShare(a.dx, F, a.dy, O, 1, pw, 0, M, F, O, 0, tid, n);
}
