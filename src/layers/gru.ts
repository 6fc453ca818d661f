import { RecurrentLayer, type RecurrentOptions } from './recurrent.js';

/**
 * Gated recurrent unit, as `torch.nn.GRU` (gates r, z, n; the reset gate multiplies the
 * hidden projection after the matmul, Keras' `reset_after = true`):
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
 *
 * @example
 * ```ts
 * await init();
 * const gru = new GRU({ inputSize: 4, hiddenSize: 16, bidirectional: true, batchFirst: true, seed: 7 });
 * const { output } = gru.forward(x, { shape: [B, T, 4] });   // output [B, T, 32]
 * ```
 */
export class GRU extends RecurrentLayer {
  constructor(options: RecurrentOptions) {
    super('GRU', options);
  }
}
