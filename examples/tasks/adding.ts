// The adding problem (Hochreiter & Schmidhuber 1997): a sequence of (value, marker) pairs, values
// uniform in [0, 1], exactly two markers set — one in the first half, one in the second; the
// target is the sum of the two marked values. Always predicting 1 scores MSE ≈ 0.167, so a model
// must carry information across up to T steps: a test of the vanishing gradient.
import { Linear, LSTM, RNN, Sequential } from '../../src/index.js';
export { addingProblem } from './adding-data.js';

/**
 * The model every adding-problem run uses: an LSTM or a tanh RNN of H units (seed 1) reading
 * (value, marker) pairs, and a linear head (seed 2) on the last step.
 */
export function addingModel(cell: 'lstm' | 'rnn', H: number): Sequential {
  const rec = cell === 'lstm'
    ? new LSTM({ inputSize: 2, hiddenSize: H, batchFirst: true, seed: 1 })
    : new RNN({ inputSize: 2, hiddenSize: H, nonlinearity: 'tanh', batchFirst: true, seed: 1 });
  return new Sequential([rec, new Linear({ inFeatures: H, outFeatures: 1, seed: 2 })], { output: 'last' });
}

