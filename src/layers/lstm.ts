import {
  RecurrentLayer, type BackwardOptions, type BackwardResult, type ForwardOptions, type ForwardResult,
  type RecurrentOptions,
} from './recurrent.js';
import type { NumericArray } from './validate.js';

/** LSTM forward result: always carries the final cell state. */
export interface LSTMForwardResult extends ForwardResult { cN: Float32Array }
/** LSTM backward result: always carries ∂E/∂c0. */
export interface LSTMBackwardResult extends BackwardResult { dc0: Float32Array }

/**
 * Long short-term memory, as `torch.nn.LSTM` (gate order i, f, g, o in one `[4H, ·]` matrix):
 * c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t).
 *
 * @example
 * ```ts
 * await init();
 * const lstm = new LSTM({ inputSize: 13, hiddenSize: 32, numLayers: 2, seed: 1 });
 * const { output, hN, cN } = lstm.forward(x, { shape: [T, B, 13] });
 * const { dInput } = lstm.backward(dOutput);   // gradients accumulate into namedParameters()
 * ```
 */
export class LSTM extends RecurrentLayer {
  constructor(options: RecurrentOptions) {
    super('LSTM', options);
  }

  override forward(x: NumericArray, options: ForwardOptions): LSTMForwardResult {
    return super.forward(x, options) as LSTMForwardResult;
  }

  override backward(dOutput: NumericArray, options?: BackwardOptions): LSTMBackwardResult {
    return super.backward(dOutput, options) as LSTMBackwardResult;
  }
}
