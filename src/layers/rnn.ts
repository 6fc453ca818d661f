import { ConfigError } from '../errors.js';
import { RecurrentLayer, type RecurrentOptions } from './recurrent.js';

/** Options of {@link RNN}: the common options plus the nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** φ in h_t = φ(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh). Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * Elman RNN, as `torch.nn.RNN`: h_t = φ(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).
 *
 * @example
 * ```ts
 * await init();
 * const rnn = new RNN({ inputSize: 3, hiddenSize: 8, nonlinearity: 'relu', seed: 1 });
 * const { output, hN } = rnn.forward(new Float32Array(5 * 2 * 3), { shape: [5, 2, 3] });
 * ```
 */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') {
      throw new ConfigError(`RNN nonlinearity: expected 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    }
    super(nl === 'relu' ? 'RNN_RELU' : 'RNN_TANH', options, ['nonlinearity']);
    this.nonlinearity = nl;
  }
}
