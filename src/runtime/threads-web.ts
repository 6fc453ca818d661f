import { ThreadPool, WORKER_BODY, type ThreadHost } from './threads.js';

/**
 * @internal Threads as Web Workers running a small script from a blob: URL (a page's
 * Content-Security-Policy must allow worker-src blob:); init-web checks beforehand that the page
 * has shared memory and workers.
 */
export function webWorkerHost(): ThreadHost {
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
  const scope = (globalThis as { WorkerGlobalScope?: { new(): unknown } }).WorkerGlobalScope;
  const host: ThreadHost = {
    cores: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
    // a Web Worker shares the machine with its page's main thread (which draws, takes input, runs
    // the app); the page itself, as the caller, works on its own calls and needs no such core
    reserve: typeof scope === 'function' && globalThis instanceof scope ? 1 : 0,
    mayBlock,
    spawn: (start) => new Promise((resolve, reject) => {
      const w = new Worker(url, { type: 'module', name: `rnn-wasm thread ${start.tid}` });
      w.onmessage = () => resolve({ terminate: async () => w.terminate() });
      w.onerror = (e) => reject(new Error(e.message || `thread ${start.tid} failed to start`));
      w.postMessage(start);
    }),
    pool: (module, kernels, arena) => new ThreadPool(host, module, kernels, arena),
  };
  return host;
}
