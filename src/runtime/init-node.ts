import { fetchBytes, checkMagic, initWith, type InitOptions, type Locator } from './loader.js';
import { ThreadPool, WORKER_BODY, type ThreadHost } from './threads.js';

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
  threads: nodeThreads,
};

// Threads are worker_threads running a small eval'd script. A worker is unref'd once it waits
// for jobs: it never keeps the process alive.
async function nodeThreads(): Promise<ThreadHost> {
  const [{ Worker }, os] = await Promise.all([import('node:worker_threads'), import('node:os')]);
  const script = `const { parentPort, workerData: d } = require('node:worker_threads');\nconst post = (m) => parentPort.postMessage(m);${WORKER_BODY}`;
  const host: ThreadHost = {
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    reserve: 0,
    mayBlock: true,
    spawn: (start) => new Promise((resolve, reject) => {
      const w = new Worker(script, { eval: true, workerData: start, name: `rnn-wasm thread ${start.tid}` });
      const timer = setTimeout(() => { void w.terminate(); reject(new Error(`thread ${start.tid} did not start within ${SPAWN_TIMEOUT_MS / 1000} s`)); }, SPAWN_TIMEOUT_MS);
      w.once('message', () => {
        clearTimeout(timer);
        w.unref();
        resolve({ terminate: () => w.terminate().then(() => undefined) });
      });
      w.once('error', (e) => { clearTimeout(timer); reject(e); });
      w.once('exit', (code) => { clearTimeout(timer); reject(new Error(`thread ${start.tid} exited (code ${code}) before it started`)); });
    }),
    pool: (module, kernels, arena) => new ThreadPool(host, module, kernels, arena),
  };
  return host;
}

const SPAWN_TIMEOUT_MS = 20_000;

/**
 * Load and instantiate the WebAssembly kernels. Call once before creating layers.
 *
 * Without options, Node reads `rnn-threads.wasm` (or `rnn-threads-relaxed.wasm`, see `simd`)
 * from the package's `dist/` folder and starts a worker thread per extra core (see `threads`).
 * Idempotent: later calls resolve at once. Retryable: a failure rejects with a `WasmLoadError`
 * naming what was tried, and the next call tries again.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();                                        // finds its wasm itself, every core
 * await init({ wasm: '/opt/models/rnn.wasm' });         // or: a path, URL, bytes or WebAssembly.Module
 * ```
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, node);
}
