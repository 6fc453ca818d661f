/**
 * `rnn-wasm/worker`: training in a Web Worker, with progress on the page and a main thread
 * that never blocks. In the worker, {@link serveTraining}; on the page, {@link TrainingWorker}.
 * @packageDocumentation
 */
export { serveTraining } from './serve.js';
export { TrainingWorker, type WorkerFitOptions } from './client.js';
export type { Port, RemoteFitOptions, RemoteTrainerOptions, WorkerModel } from './protocol.js';
