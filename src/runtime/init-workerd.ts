// Cloudflare Workers (workerd) compile no wasm at run time: importing the .wasm gives a compiled
// WebAssembly.Module (Wrangler's bundling rule). These paths resolve beside the bundled entry,
// in dist/; src/wasm-modules.d.ts types them.
import plainModule from './rnn.wasm';
import relaxedModule from './rnn-relaxed.wasm';
import { fetchBytes, initWith, type InitOptions, type Locator } from './loader.js';

const workerd: Locator = {
  locate: (file) => (file === 'rnn-relaxed.wasm' ? relaxedModule : plainModule), // never a threaded build here
  read: fetchBytes,
  base: () => undefined,
  threads: async () => 'Cloudflare Workers run one thread (no Web Workers or shared memory)',
};

/**
 * Load and instantiate the WebAssembly kernels. Call once, at module scope of the Worker or in
 * its first request, before creating layers.
 *
 * On Cloudflare Workers (the `workerd` export condition), the modules come precompiled from the
 * package's `.wasm` imports, so no option is needed. Idempotent and retryable.
 *
 * @example
 * ```ts
 * import { init, load } from 'rnn-wasm';
 * await init();
 * ```
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, workerd);
}
