// The wasm ABI: every export takes byte offsets into linear memory and element counts.
// Nothing here allocates; the TypeScript side owns memory (src/runtime/arena.ts).

export { gemm, gemm_pack_b, gemm_packed_size } from './gemm';
export { activate, ACT_TANH, ACT_SIGMOID, ACT_RELU, ACT_EXP } from './activations';
export { rnn_fwd, rnn_bwd, rnn_fwd_ws, rnn_bwd_ws } from './rnn';
export { lstm_fwd, lstm_bwd, lstm_fwd_ws, lstm_bwd_ws } from './lstm';
export { gru_fwd, gru_bwd, gru_fwd_ws, gru_bwd_ws } from './gru';
export {
  fill_f32, copy_f32, mul_f32, find_nonfinite, dropout_mask, embedding_fwd, embedding_bwd, uniform_fill, swap_leading,
  add_f32, tanh_grad, concat_rows, split_rows,
} from './elementwise';

// First byte the TypeScript allocator may use (everything below is static data).
export function heap_base(): usize {
  return (__heap_base + 63) & ~63;
}
export { linear_fwd, linear_bwd, linear_ws } from './linear';
export { set_pool, pool_size, set_may_block, set_split_thresholds, worker_generation, worker_loop, pool_exit, pool_reset, split_jobs, set_thread_speed } from './parallel';
export { thread_setup, thread_scratch_bytes } from './gemm';
export { softmax_xent, mse, bce_logits } from './loss';
export { mdn_nll } from './mdn';
export { sumsq_f32, absmax_f32, scale_f32, clamp_f32, sgd_step, adam_step, rmsprop_step, adagrad_step } from './optim';
export { gemm_nt_rows } from './gemm';
