import * as errors from '../errors.js';
import { checkOptions, is } from '../options.js';
import { ConfigError, RnnWasmError, StateError } from '../errors.js';
import { load, save } from '../io/model-file.js';
import { describe } from '../layers/validate.js';
import type { SequenceDataset } from '../data/dataset.js';
import type { InitOptions, RuntimeInfo } from '../runtime/loader.js';
import { Composite } from '../model/composite.js';
import type { BatchStats, EpochStats, History } from '../train/trainer.js';
import { listen, type Port, type RemoteFitOptions, type RemoteTrainerOptions, type Reply, type WorkerModel } from './protocol.js';

/** Options of {@link TrainingWorker.fit}. */
export interface WorkerFitOptions {
  /** As `new Trainer(model, options)`, with the optimizer given as a spec (`{ type: 'adam', lr: 2e-3 }`). */
  trainer: RemoteTrainerOptions;
  /** As `trainer.fit(data, options)`, without callbacks and signal (given below). */
  fit?: RemoteFitOptions;
  /** Called on the page with a batch's stats, at most once per `batchEveryMs`. */
  onBatchEnd?(stats: BatchStats): void;
  /** Called on the page after every epoch. */
  onEpochEnd?(stats: EpochStats): void;
  /** Stops training after the current update; the model gets the weights trained so far. */
  signal?: AbortSignal;
  /** Least time between two `onBatchEnd` calls, in ms. Default 50. */
  batchEveryMs?: number;
}

type Pending = {
  model: WorkerModel;
  options: WorkerFitOptions;
  resolve(history: History): void;
  reject(error: Error): void;
};

/**
 * The page's side of a training worker (see {@link serveTraining}): trains a model in the
 * worker, reports progress on the page, and writes the trained weights back into the model.
 * The page's main thread stays free the whole time.
 *
 * The model and data are copied to the worker (structured clone), so the page keeps using them.
 * A `Seq2Seq` trains too (a conditioned decoder, an encoder–decoder, a pen model) when the
 * worker's script imports `rnn-wasm/seq2seq` (so that it can read the model) and, for the
 * `mixtureDensity` loss, `rnn-wasm/sketch`.
 *
 * @example
 * ```ts
 * const worker = new TrainingWorker(new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' }));
 * const history = await worker.fit(model, data, {
 *   trainer: { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 2e-3 }, clip: { maxNorm: 1 } },
 *   fit: { epochs: 3, batchSize: 32 },
 *   onBatchEnd: (s) => chart.add(s.step, s.loss),
 * });
 * console.log(model.sample({ length: 200 }));     // the page's model now has the trained weights
 * ```
 */
export class TrainingWorker {
  private readonly pending = new Map<number, Pending>();
  private readonly asked = new Map<number, { resolve(info: RuntimeInfo): void; reject(error: Error): void }>();
  private nextId = 1;

  /**
   * @param port a `Worker` running {@link serveTraining} (or a worker_threads `Worker`'s port)
   * @param init how the worker loads the wasm, e.g. `{ wasm: new URL('rnn.wasm', location.href).href }`
   *   where the default location (beside the package's worker module) does not serve it
   */
  constructor(private readonly port: Port & { terminate?(): unknown }, private readonly init?: InitOptions) {
    listen(port, (data) => this.receive(data as Reply));
  }

  /**
   * Train `model` on `data` in the worker; resolves with the fit's history once the trained
   * weights are back in `model`. Rejects with the worker's error as the same `RnnWasmError`
   * subclass (the model is then unchanged).
   */
  fit(model: WorkerModel, data: SequenceDataset, options: WorkerFitOptions): Promise<History> {
    if (!(model instanceof Composite)) throw new ConfigError(`TrainingWorker.fit: model must be a Sequential or a Seq2Seq, got ${describe(model)}`);
    checkOptions('TrainingWorker.fit', options, {
      trainer: is.object, fit: is.object, onBatchEnd: is.function, onEpochEnd: is.function, signal: is.object, batchEveryMs: is.number(0),
    }, ['trainer']);
    if (typeof options?.trainer?.optimizer !== 'object' || typeof (options.trainer.optimizer as { step?: unknown }).step === 'function') {
      throw new ConfigError("TrainingWorker.fit: options.trainer.optimizer must be a spec such as { type: 'adam', lr: 2e-3 } (an Optimizer object cannot cross to a worker)");
    }
    for (const p of this.pending.values()) {
      if (p.model === model) throw new StateError('TrainingWorker.fit: this model is already being trained in the worker');
    }
    const id = this.nextId++;
    const bytes = save(model);
    return new Promise<History>((resolve, reject) => {
      this.pending.set(id, { model, options, resolve, reject });
      const abort = () => this.port.postMessage({ type: 'abort', id }, []);
      options.signal?.addEventListener('abort', abort, { once: true });
      this.port.postMessage(
        { type: 'fit', id, init: this.init, model: bytes, data, trainer: options.trainer, fit: options.fit ?? {}, batchEveryMs: options.batchEveryMs ?? 50 },
        [bytes.buffer as ArrayBuffer], // save() returns bytes over a fresh ArrayBuffer
      );
      if (options.signal?.aborted) abort(); // already aborted: one update, then stop
    });
  }

  /**
   * What the worker runs on: its wasm build and how many threads train there (it initialises the
   * worker as a fit would). A worker trains on every core where threads can run — Node, and a
   * cross-origin isolated page — and on one thread elsewhere, with `threadsNote` saying why.
   *
   * @example
   * ```ts
   * const { threads, threadsNote } = await worker.runtimeInfo();
   * status.textContent = `training on ${threads} thread(s)${threadsNote ? ` (${threadsNote})` : ''}`;
   * ```
   */
  runtimeInfo(): Promise<RuntimeInfo> {
    const id = this.nextId++;
    return new Promise<RuntimeInfo>((resolve, reject) => {
      this.asked.set(id, { resolve, reject });
      this.port.postMessage({ type: 'info', id, init: this.init }, []);
    });
  }

  /** Stop the worker (pending fits and runtimeInfo calls reject). */
  terminate(): void {
    void this.port.terminate?.();
    const ended = new StateError('TrainingWorker: the worker was terminated');
    for (const p of [...this.pending.values(), ...this.asked.values()]) p.reject(ended);
    this.pending.clear();
    this.asked.clear();
  }

  private receive(reply: Reply): void {
    const asked = this.asked.get(reply?.id);
    if (asked) {
      this.asked.delete(reply.id);
      if (reply.type === 'info') asked.resolve(reply.info);
      else if (reply.type === 'error') asked.reject(rebuild(reply.error));
      return;
    }
    const p = this.pending.get(reply?.id);
    if (!p) return;
    try {
      if (reply.type === 'batch') p.options.onBatchEnd?.(reply.stats);
      else if (reply.type === 'epoch') p.options.onEpochEnd?.(reply.stats);
      else {
        this.pending.delete(reply.id);
        if (reply.type === 'error') p.reject(rebuild(reply.error));
        else if (reply.type === 'done') {
          const trained = load(reply.model);
          try {
            p.model.loadStateDict(trained.stateDict());
          } finally {
            trained.dispose();
          }
          p.resolve(reply.history);
        }
      }
    } catch (e) {
      this.pending.delete(reply.id);
      p.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

// The worker's error as the same class on the page, so `instanceof ConfigError` still works.
function rebuild({ name, message, argument, index }: Extract<Reply, { type: 'error' }>['error']): Error {
  const Class = (errors as Record<string, unknown>)[name];
  if (Class === errors.NonFiniteError) return new errors.NonFiniteError(message, argument ?? '', index ?? -1);
  if (typeof Class === 'function' && Class.prototype instanceof RnnWasmError) return new (Class as typeof RnnWasmError)(message);
  const e = new Error(message);
  e.name = name;
  return e;
}
