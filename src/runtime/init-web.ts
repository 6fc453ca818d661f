import { fetchBytes, initWith, type InitOptions, type Locator } from './loader.js';
import type { ThreadHost } from './threads.js';

const web: Locator = {
  // Written out literally so bundlers (Vite, webpack 5, rspack, Parcel) see every file, copy them
  // to the build output and rewrite these URLs.
  locate: (file) =>
    file === 'rnn-relaxed.wasm' ? new URL('./rnn-relaxed.wasm', import.meta.url)
      : file === 'rnn-threads.wasm' ? new URL('./rnn-threads.wasm', import.meta.url)
        : file === 'rnn-threads-relaxed.wasm' ? new URL('./rnn-threads-relaxed.wasm', import.meta.url)
          : new URL('./rnn.wasm', import.meta.url),
  read: fetchBytes,
  base: () => globalThis.location?.href,
  threads: webThreads,
};

// Threads need shared memory, which needs a cross-origin isolated page, and workers: checked here,
// so that a page without them never loads the pool (threads-web.ts, a chunk of its own).
async function webThreads(): Promise<ThreadHost | string> {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof Worker !== 'function') return 'this runtime has no Web Workers';
  return (await import('./threads-web.js')).webWorkerHost();
}

/**
 * Load and instantiate the WebAssembly kernels. Call once before creating layers.
 *
 * Without options, browsers and Web Workers fetch `rnn.wasm` (or `rnn-relaxed.wasm`, see `simd`; on a
 * cross-origin isolated page `rnn-threads.wasm` or `rnn-threads-relaxed.wasm`, see `threads`)
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
