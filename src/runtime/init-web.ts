import { fetchBytes, initWith, type InitOptions, type Locator } from './loader.js';
import { WORKER_BODY, type ThreadHost } from './threads.js';

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

// Threads are Web Workers running a small script from a blob: URL (a Content-Security-Policy must
// allow worker-src blob:). Shared memory needs a cross-origin isolated page.
async function webThreads(): Promise<ThreadHost | string> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof Worker !== 'function') return 'this runtime has no Web Workers';
  let mayBlock = true;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    mayBlock = false; // a browser's main thread: the caller spins while it waits for workers
  }
  const url = URL.createObjectURL(new Blob(
    [`onmessage = (e) => {\nconst d = e.data;\nconst post = (m) => postMessage(m);${WORKER_BODY}\nclose();\n};`],
    { type: 'text/javascript' },
  ));
  return {
    cores: g.navigator?.hardwareConcurrency ?? 1,
    mayBlock,
    spawn: (start) => new Promise((resolve, reject) => {
      const w = new Worker(url, { type: 'module', name: `rnn-wasm thread ${start.tid}` });
      w.onmessage = () => resolve({ terminate: async () => w.terminate() });
      w.onerror = (e) => reject(new Error(e.message || `thread ${start.tid} failed to start`));
      w.postMessage(start);
    }),
  };
}

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
