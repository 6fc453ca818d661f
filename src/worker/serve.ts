import { save, load } from '../io/model-file.js';
import { init } from '../runtime/init-web.js';
import { runtimeInfo } from '../runtime/loader.js';
import { ConfigError } from '../errors.js';
import { Composite } from '../model/composite.js';
import { Trainer } from '../train/trainer.js';
import { listen, type Port, type Reply, type Request, type WorkerModel } from './protocol.js';

/**
 * Run in a Web Worker (or a worker_threads `parentPort`): answers {@link TrainingWorker} requests
 * from the page. The worker owns its own wasm memory; the page's stays free for inference, and
 * its main thread never blocks on training.
 *
 * Initialises the library itself (fetching its wasm from beside the package, or as the page's
 * request says); call `init()` in the worker first for anything else — in Node always
 * (`import { init } from 'rnn-wasm'`, which reads the wasm from disk). Training in the worker runs
 * on every core where threads can run: Node, and browsers on a cross-origin isolated page, whose
 * workers start workers of their own ({@link TrainingWorker.runtimeInfo} tells). To train a `Seq2Seq`,
 * import `rnn-wasm/seq2seq` in the worker's script (and `rnn-wasm/sketch` for the
 * `mixtureDensity` loss): what the script imports is what the worker knows.
 *
 * @example
 * ```ts
 * // train-worker.ts, started by the page with new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' })
 * import { serveTraining } from 'rnn-wasm/worker';
 * serveTraining();
 *
 * // in Node: a worker_threads script
 * import { parentPort } from 'node:worker_threads';
 * import { init } from 'rnn-wasm';
 * import { serveTraining } from 'rnn-wasm/worker';
 * await init();
 * serveTraining(parentPort!);
 * ```
 */
export function serveTraining(port: Port = globalThis as unknown as Port): void {
  const running = new Map<number, AbortController>();
  listen(port, (data) => {
    const request = data as Request;
    if (request?.type === 'abort') running.get(request.id)?.abort();
    else if (request?.type === 'fit') void fit(port, request, running);
    else if (request?.type === 'info') void info(port, request);
  });
}

// What the worker runs on (initialising it as a fit would): TrainingWorker.runtimeInfo().
async function info(port: Port, { id, init: options }: Extract<Request, { type: 'info' }>): Promise<void> {
  try {
    await init(options);
    reply(port, { type: 'info', id, info: runtimeInfo() });
  } catch (e) {
    replyError(port, id, e);
  }
}

async function fit(port: Port, request: Extract<Request, { type: 'fit' }>, running: Map<number, AbortController>): Promise<void> {
  const { id } = request;
  const controller = new AbortController();
  running.set(id, controller);
  let model: WorkerModel | undefined;
  try {
    await init(request.init);
    const loaded = load(request.model); // a Seq2Seq only where the script imported rnn-wasm/seq2seq (else the error says so)
    if (!(loaded instanceof Composite)) {
      loaded.dispose();
      throw new ConfigError('a training worker trains Sequential and Seq2Seq models; this file holds a single layer');
    }
    model = loaded;
    let lastBatch = -Infinity;
    const trainer = new Trainer(model, request.trainer);
    const history = await trainer.fit(request.data, {
      ...request.fit,
      signal: controller.signal,
      callbacks: {
        onBatchEnd(stats) {
          const now = Date.now();
          if (now - lastBatch < request.batchEveryMs) return;
          lastBatch = now;
          reply(port, { type: 'batch', id, stats });
        },
        onEpochEnd: (stats) => reply(port, { type: 'epoch', id, stats }),
      },
    });
    const bytes = save(model);
    reply(port, { type: 'done', id, model: bytes, history }, [bytes.buffer as ArrayBuffer]); // fresh from save()
  } catch (e) {
    replyError(port, id, e);
  } finally {
    running.delete(id);
    model?.dispose();
  }
}

function replyError(port: Port, id: number, e: unknown): void {
  const error = e instanceof Error ? e : new Error(String(e));
  const { argument, index } = error as Error & { argument?: string; index?: number };
  reply(port, { type: 'error', id, error: { name: error.name, message: error.message, argument, index } });
}

function reply(port: Port, message: Reply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}
