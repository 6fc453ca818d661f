/**
 * The typed wasm ABI (assembly/index.ts). Pointers are byte offsets into the module's
 * memory, sizes count f32 elements. Internal: users never call these directly.
 * @internal
 */
export interface Kernels {
  memory: WebAssembly.Memory;
  heap_base(): number;

  // threads (parallel.ts): no-ops in the single-threaded builds
  set_pool(n: number): void;
  pool_size(): number;
  set_may_block(v: number): void;
  set_split_thresholds(rows: number, share: number): void;
  worker_generation(): number;
  worker_loop(tid: number, gen: number): void;
  pool_exit(): void;
  pool_reset(): void;
  split_jobs(): number;
  set_thread_speed(t: number, speed: number): void;
  thread_setup(scratch: number): void;
  thread_scratch_bytes(): number;

  gemm(C: number, ldc: number, A: number, sai: number, sak: number, Bp: number, bias: number,
    M: number, N: number, K: number, accumulate: number): void;
  gemm_pack_b(dst: number, B: number, K: number, N: number, sbk: number, sbj: number): void;
  gemm_packed_size(K: number, N: number): number;
  gemm_nt_rows(C: number, ldc: number, A: number, lda: number, W: number, bias: number,
    M: number, N: number, K: number, accumulate: number): void;
  activate(dst: number, src: number, n: number, kind: number): void;
  linear_fwd(y: number, x: number, w: number, b: number, M: number, O: number, F: number, ws: number): void;
  linear_bwd(dw: number, db: number, dx: number, dy: number, x: number, w: number, M: number, O: number, F: number, ws: number): void;
  linear_ws(M: number, O: number, F: number): number;

  rnn_fwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number,
    out: number, ldo: number, hN: number, w_ih: number, w_hh: number, b_ih: number, b_hh: number,
    pre: number, mask: number, ws: number, reverse: number, relu: number, q: number): void;
  rnn_bwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number,
    out: number, ldo: number, w_ih: number, w_hh: number, dout: number, dhN: number,
    dx: number, dh0: number, dw_ih: number, dw_hh: number, db_ih: number, db_hh: number,
    dG: number, mask: number, dhn: number, ws: number, reverse: number, relu: number, dq: number, V: number): void;
  rnn_fwd_ws(T: number, B: number, I: number, H: number): number;
  rnn_bwd_ws(T: number, B: number, I: number, H: number): number;

  lstm_fwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number, c0: number,
    out: number, ldo: number, hN: number, cN: number, w_ih: number, w_hh: number, b_ih: number,
    b_hh: number, gates: number, cs: number, tcs: number, mask: number, ws: number, reverse: number, q: number): void;
  lstm_bwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number, c0: number,
    out: number, ldo: number, w_ih: number, w_hh: number, gates: number, cs: number, tcs: number,
    dout: number, dhN: number, dcN: number, dx: number, dh0: number, dc0: number, dw_ih: number,
    dw_hh: number, db_ih: number, db_hh: number, dG: number, mask: number, dhn: number, ws: number, reverse: number, dq: number, V: number): void;
  lstm_fwd_ws(T: number, B: number, I: number, H: number): number;
  lstm_bwd_ws(T: number, B: number, I: number, H: number): number;

  gru_fwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number,
    out: number, ldo: number, hN: number, w_ih: number, w_hh: number, b_ih: number, b_hh: number,
    gates: number, ghn: number, mask: number, ws: number, reverse: number, q: number): void;
  gru_bwd(T: number, B: number, I: number, H: number, x: number, ldx: number, h0: number,
    out: number, ldo: number, w_ih: number, w_hh: number, gates: number, ghn: number,
    dout: number, dhN: number, dx: number, dh0: number, dw_ih: number, dw_hh: number,
    db_ih: number, db_hh: number, dGi: number, dGh: number, mask: number, dhn: number, ws: number, reverse: number, dq: number, V: number): void;
  gru_fwd_ws(T: number, B: number, I: number, H: number): number;
  gru_bwd_ws(T: number, B: number, I: number, H: number): number;

  fill_f32(dst: number, n: number, value: number): void;
  copy_f32(dst: number, src: number, n: number): void;
  mul_f32(dst: number, a: number, b: number, n: number, accumulate: number): void;
  find_nonfinite(src: number, n: number): number;
  dropout_mask(mask: number, n: number, p: number, seed: number): void;
  uniform_fill(out: number, n: number, lo: number, hi: number, state: number): number;
  swap_leading(dst: number, src: number, A: number, B: number, F: number): void;
  embedding_fwd(out: number, W: number, ids: number, n: number, D: number): void;
  embedding_bwd(dW: number, dOut: number, ids: number, n: number, D: number): void;
  add_f32(dst: number, src: number, n: number): void;
  tanh_grad(dst: number, dy: number, y: number, n: number): void;
  concat_rows(dst: number, a: number, E: number, b: number, F: number, rows: number, B: number): void;
  split_rows(da: number, db: number, src: number, E: number, F: number, rows: number, B: number): void;

  softmax_xent(grad: number, logits: number, targets: number, weights: number, N: number, C: number, ignoreIndex: number, scale: number): number;
  mse(grad: number, pred: number, target: number, weights: number, N: number, D: number, scale: number): number;
  bce_logits(grad: number, logits: number, target: number, weights: number, N: number, D: number, scale: number): number;
  mdn_nll(grad: number, out: number, target: number, wOff: number, wPen: number, ws: number, N: number, M: number, scale: number): number;

  sumsq_f32(src: number, n: number): number;
  absmax_f32(src: number, n: number): number;
  scale_f32(dst: number, n: number, s: number): void;
  clamp_f32(dst: number, n: number, c: number): void;
  sgd_step(p: number, g: number, buf: number, n: number, lr: number, momentum: number, dampening: number, wd: number, nesterov: number, first: number): void;
  adam_step(p: number, g: number, m: number, v: number, vmax: number, n: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number, stepSize: number, bc2sqrt: number): void;
  rmsprop_step(p: number, g: number, sq: number, ga: number, buf: number, n: number, lr: number, alpha: number, eps: number, wd: number, momentum: number): void;
  adagrad_step(p: number, g: number, sum: number, n: number, clr: number, wd: number, eps: number): void;
}

/** Activation kinds of the `activate` kernel. @internal */
export const ACT = { tanh: 0, sigmoid: 1, relu: 2, exp: 3 } as const;
