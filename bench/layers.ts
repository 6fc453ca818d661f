// One recurrent layer through the public API: forward, and forward + backward.
import { GRU, LSTM, RNN, type RecurrentLayer } from '../src/index.js';
import { randoms } from './gemm.js';
import { gates } from './suite.js';
import { item, type Item } from './timing.js';

export const LAYER = { I: 65, H: 128, T: 64, B: 32 } as const;

export interface LayerCase {
  readonly name: string;
  /** Gate blocks: LSTM 4, GRU 3, RNN 1. */
  readonly G: number;
  readonly tokens: number;
  /** 2·G·H·(I + H): the GEMM flops per token of a forward pass (elementwise work ignored). */
  readonly fwdFlopsPerToken: number;
  readonly fwd: Item;
  readonly fwdBwd: Item;
  readonly dispose: () => void;
}

export function layerCase(name: 'LSTM' | 'GRU' | 'RNN (tanh)'): LayerCase {
  const { I, H, T, B } = LAYER;
  const opts = { inputSize: I, hiddenSize: H, seed: 1 };
  const layer: RecurrentLayer = name === 'LSTM' ? new LSTM(opts) : name === 'GRU' ? new GRU(opts) : new RNN({ ...opts, nonlinearity: 'tanh' });
  const G = gates(name === 'RNN (tanh)' ? 'RNN' : name);
  const x = randoms(T * B * I, 7);
  const dOut = randoms(T * B * H, 8);
  const shape = [T, B, I];
  const tokens = T * B;
  // item work is in tokens; flops are derived from the rate when printing
  const fwd = item(`${name}:fwd`, tokens, () => { layer.forward(x, { shape }); });
  const fwdBwd = item(`${name}:fwd+bwd`, tokens, () => {
    layer.forward(x, { shape });
    layer.backward(dOut);
  });
  // (gradients accumulate across the few dozen backward calls, as in PyTorch: harmless here)
  return {
    name, G, tokens, fwdFlopsPerToken: 2 * G * H * (I + H), fwd, fwdBwd,
    dispose: () => layer.dispose(),
  };
}
