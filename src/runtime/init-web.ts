import { fetchBytes, initWith, type InitOptions, type Locator } from './loader.js';

const web: Locator = {
  // Written out literally so bundlers (Vite, webpack 5, rspack, Parcel) see both files, copy them
  // to the build output and rewrite these URLs.
  locate: (file) =>
    file === 'rnn-relaxed.wasm' ? new URL('./rnn-relaxed.wasm', import.meta.url) : new URL('./rnn.wasm', import.meta.url),
  read: fetchBytes,
  base: () => globalThis.location?.href,
};

/**
 * Load and instantiate the WebAssembly kernels. Call once before creating layers.
 *
 * Without options, browsers and Web Workers fetch `rnn.wasm` (or `rnn-relaxed.wasm`, see `simd`)
 * from `new URL('./rnn.wasm', import.meta.url)`, which bundlers that understand that form copy
 * and rewrite; otherwise pass its URL. Idempotent: later calls resolve at once. Retryable: a
 * failure rejects with a `WasmLoadError` naming what was tried, and the next call tries again.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();                                         // finds rnn.wasm itself
 * await init({ wasm: '/assets/rnn.wasm' });              // or: where your server puts it
 * ```
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, web);
}
