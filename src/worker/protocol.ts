// The messages between a page and a training worker (structured-cloneable only: bytes,
// typed arrays, plain objects). Model bytes travel as transferred ArrayBuffers.
import type { SequenceDataset } from '../data/dataset.js';
import type { InitOptions, RuntimeInfo } from '../runtime/loader.js';
import type { Sequential } from '../model/sequential.js';
import type { Seq2Seq } from '../model/seq2seq.js';
import type { BatchStats, EpochStats, FitOptions, History, TrainerOptions } from '../train/trainer.js';

/**
 * What a training worker trains: a `Sequential`, or a `Seq2Seq` when the worker's script imports
 * `rnn-wasm/seq2seq` (and `rnn-wasm/sketch` for the `mixtureDensity` loss of a pen model).
 */
export type WorkerModel = Sequential | Seq2Seq;

/** Trainer options that can cross to a worker: the optimizer as a spec such as `{ type: 'adam', lr }`. */
export type RemoteTrainerOptions = Omit<TrainerOptions, 'optimizer'> & { optimizer: Exclude<TrainerOptions['optimizer'], { step(): void }> };

/** Fit options that can cross to a worker (callbacks and the signal stay on the page). */
export type RemoteFitOptions = Omit<FitOptions, 'callbacks' | 'signal'>;

export type Request =
  | {
      type: 'fit';
      id: number;
      init?: InitOptions;
      model: Uint8Array;
      data: SequenceDataset;
      trainer: RemoteTrainerOptions;
      fit: RemoteFitOptions;
      batchEveryMs: number;
    }
  | { type: 'abort'; id: number }
  | { type: 'info'; id: number; init?: InitOptions };

export type Reply =
  | { type: 'batch'; id: number; stats: BatchStats }
  | { type: 'epoch'; id: number; stats: EpochStats }
  | { type: 'done'; id: number; model: Uint8Array; history: History }
  | { type: 'info'; id: number; info: RuntimeInfo }
  | { type: 'error'; id: number; error: { name: string; message: string; argument?: string; index?: number } };

/**
 * The part of a `Worker`, a worker's global scope or a `MessagePort` that the protocol uses:
 * `postMessage` and either `addEventListener('message')` (the web's, Deno's) or `on('message')`
 * (Node's worker_threads `Worker`).
 */
export interface Port {
  /**
   * Always called with a transfer list (maybe empty): declared optional, a DOM `Worker`, whose
   * `postMessage(message, transfer)` requires it, would not type-check as a Port.
   */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
  on?(event: 'message', listener: (data: unknown) => void): void;
}

/** @internal Call `receive` with every message's data. */
export function listen(port: Port, receive: (data: unknown) => void): void {
  if (typeof port.addEventListener === 'function') port.addEventListener('message', (event) => receive(event.data));
  else if (typeof port.on === 'function') port.on('message', receive);
  else throw new TypeError('expected a Worker, a worker scope or a MessagePort (with addEventListener or on)');
}
