/**
 * rnn-wasm: recurrent neural networks (Elman RNN, LSTM, GRU) with WebAssembly SIMD kernels
 * and PyTorch's layer API. Training lives in `rnn-wasm/train`, Node file helpers in
 * `rnn-wasm/node`.
 *
 * This is the Node entry (Deno resolves it too: it reads the `node` export condition);
 * `index.web.ts` (browsers, Web Workers, other fetch-based runtimes) and `index.workerd.ts`
 * (Cloudflare Workers) export the same API and differ only in how `init()` finds the wasm.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();
 * const lstm = new LSTM({ inputSize: 13, hiddenSize: 32, seed: 1 });
 * ```
 * @packageDocumentation
 */
export * from './core.js';
export { init } from './runtime/init-node.js';
