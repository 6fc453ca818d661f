import { fetchBytes, checkMagic, initWith, type InitOptions, type Locator } from './loader.js';

// Bundled: dist/<chunk>.js sits beside dist/rnn.wasm. Run from this very source file (tests,
// tsx): src/runtime/ → build/.
const FROM_SOURCE = import.meta.url.endsWith('/src/runtime/init-node.ts');

const node: Locator = {
  locate: (file) => (FROM_SOURCE ? new URL(`../../build/${file}`, import.meta.url) : new URL(`./${file}`, import.meta.url)),
  async read(url) {
    if (url.protocol !== 'file:') return fetchBytes(url);
    const fs = await import('node:fs/promises');
    const bytes = new Uint8Array(await fs.readFile(url));
    checkMagic(bytes, url.href);
    return bytes;
  },
  base: () => `file://${process.cwd()}/`,
};

/**
 * Load and instantiate the WebAssembly kernels. Call once before creating layers.
 *
 * Without options, Node reads `rnn.wasm` (or `rnn-relaxed.wasm`, see `simd`) from the package's
 * `dist/` folder. Idempotent: later calls resolve at once. Retryable: a failure rejects with a
 * `WasmLoadError` naming what was tried, and the next call tries again.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();                                        // finds rnn.wasm itself
 * await init({ wasm: '/opt/models/rnn.wasm' });         // or: a path, URL, bytes or WebAssembly.Module
 * ```
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, node);
}
