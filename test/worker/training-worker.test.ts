// Training in a worker (rnn-wasm/worker): the page's TrainingWorker against serveTraining() in a
// real worker thread (Node's worker_threads; the browser's Web Worker is tested in
// test/runtimes/web-demo.test.ts). The worker imports the packed package from build/consumer.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FormatError, init, WasmLoadError, Linear, LSTM, Sequential, ShapeError, GRU } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { mdnOutputSize, strokeDataset } from '../../src/sketch/index.js';
import { Adam, Trainer, type BatchStats } from '../../src/train/index.js';
import { TrainingWorker } from '../../src/worker/index.js';
import { addingProblem } from '../../examples/tasks/adding.js';
import { CONSUMER } from '../support/consumer.js';

const WORKER = path.join(CONSUMER, 'training-worker.mjs');
// a worker whose script also imports the Seq2Seq and the sketch entries: it reads Seq2Seq files and knows the mixtureDensity loss
const PEN_WORKER = path.join(CONSUMER, 'training-worker-pen.mjs');
let remote: TrainingWorker, penRemote: TrainingWorker;

beforeAll(async () => {
  await init();
  const script = (imports: string[]) => [
    "import { parentPort } from 'node:worker_threads';",
    "import { init } from 'rnn-wasm';",
    "import { serveTraining } from 'rnn-wasm/worker';",
    ...imports,
    'await init();',
    'serveTraining(parentPort);',
  ].join('\n');
  writeFileSync(WORKER, script([]));
  writeFileSync(PEN_WORKER, script(["import 'rnn-wasm/seq2seq';", "import 'rnn-wasm/sketch';"]));
  remote = new TrainingWorker(new Worker(WORKER));
  penRemote = new TrainingWorker(new Worker(PEN_WORKER));
});
afterAll(() => {
  remote.terminate();
  penRemote.terminate();
});

const model = () => new Sequential([
  new LSTM({ inputSize: 2, hiddenSize: 8, numLayers: 2, batchFirst: true, seed: 5 }),
  new GRU({ inputSize: 8, hiddenSize: 6, batchFirst: true, bidirectional: true, seed: 6 }),
  new Linear({ inFeatures: 12, outFeatures: 1, seed: 7 }),
], { output: 'last' });
const weights = (m: Sequential) => Object.values(m.stateDict()).flatMap((v) => Array.from(v));
const trainerOptions = { loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clip: { maxNorm: 1 } } as const;
const data = addingProblem(16 * 12, 10, 3);
const validation = addingProblem(32, 10, 4);

describe('TrainingWorker', () => {
  it('trains in the worker to bit-identical weights and history, with progress on the caller side', async () => {
    const local = model();
    const localBatches: number[] = [];
    const expected = await new Trainer(local, trainerOptions).fit(data, {
      epochs: 3, batchSize: 16, seed: 2, validation, callbacks: { onBatchEnd: (s) => localBatches.push(s.loss) },
    });

    const m = model();
    const batches: BatchStats[] = [];
    let epochs = 0;
    const history = await remote.fit(m, data, {
      trainer: trainerOptions, fit: { epochs: 3, batchSize: 16, seed: 2, validation },
      batchEveryMs: 0, onBatchEnd: (s) => batches.push(s), onEpochEnd: () => epochs++,
    });
    expect(weights(m)).toEqual(weights(local)); // numbers: bit-identical
    expect(history.steps).toBe(36);
    expect(history.epochs.map((e) => [e.loss, e.valLoss])).toEqual(expected.epochs.map((e) => [e.loss, e.valLoss]));
    expect(batches.map((s) => s.loss)).toEqual(localBatches);
    expect(epochs).toBe(3);
    m.dispose();
    local.dispose();
  }, 30_000);

  it('stops on the signal after the current update; the model gets the weights trained so far', async () => {
    const m = model();
    const before = weights(m);
    const controller = new AbortController();
    const history = await remote.fit(m, data, {
      trainer: trainerOptions, fit: { epochs: 1000, batchSize: 16 }, batchEveryMs: 0,
      signal: controller.signal, onBatchEnd: (s) => { if (s.step === 5) controller.abort(); },
    });
    expect(history.stopped).toBe('aborted');
    expect(history.steps).toBeGreaterThanOrEqual(5);
    expect(history.steps).toBeLessThan(12 * 1000);
    expect(weights(m)).not.toEqual(before);
    m.dispose();
  }, 30_000);

  it("rejects with the worker's error as the same class, leaving the model unchanged", async () => {
    const m = model();
    const before = weights(m);
    const bad = { ...data, xShape: [data.xShape[0], data.xShape[1], 3] }; // the model takes 2 features
    const error = await remote.fit(m, bad, { trainer: trainerOptions }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toMatch(/x/);
    expect(weights(m)).toEqual(before);
    m.dispose();
  }, 30_000);

  // a class-conditioned pen model (the web demo's handwriting model, small): two classes of stroke-3 drawings
  const penModel = () => new Seq2Seq({
    conditionSize: 2,
    decoder: new LSTM({ inputSize: 5 + 2, hiddenSize: 8, batchFirst: true, seed: 1 }),
    head: new Linear({ inFeatures: 8, outFeatures: mdnOutputSize(2), seed: 2 }),
  }, { stepInput: true, seed: 3 });
  const penData = strokeDataset(Array.from({ length: 16 }, (_, i) => (i % 2 ? [1, 0, 0, 0, 1, 0, -1, -1, 1] : [2, 1, 0, -2, 1, 1])),
    { labels: Array.from({ length: 16 }, (_, i) => i % 2), randomScale: 0.1, seed: 4 });
  const penTrainer = { loss: { type: 'mixtureDensity', components: 2 }, optimizer: { type: 'adam', lr: 1e-2 }, clip: { maxNorm: 1 } } as const;

  it('trains a Seq2Seq pen model with the mixtureDensity loss where the script imports rnn-wasm/seq2seq and rnn-wasm/sketch: bit-identical to training here', async () => {
    const local = penModel();
    const expected = await new Trainer(local, penTrainer).fit(penData, { epochs: 4, batchSize: 4, seed: 2 });
    const m = penModel();
    const history = await penRemote.fit(m, penData, { trainer: penTrainer, fit: { epochs: 4, batchSize: 4, seed: 2 } });
    expect(history.steps).toBe(16);
    expect(history.epochs.map((e) => e.loss)).toEqual(expected.epochs.map((e) => e.loss));
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
    const flat = (x: Seq2Seq) => Object.values(x.stateDict()).flatMap((v) => Array.from(v));
    expect(flat(m)).toEqual(flat(local));
    m.dispose();
    local.dispose();
  }, 30_000);

  it('a worker whose script did not import rnn-wasm/seq2seq refuses a Seq2Seq with an error that says what to import; the model is unchanged', async () => {
    const m = penModel();
    const before = Object.values(m.stateDict()).flatMap((v) => Array.from(v));
    const error = await remote.fit(m, penData, { trainer: penTrainer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(/Seq2Seq.*rnn-wasm\/seq2seq/);
    expect(Object.values(m.stateDict()).flatMap((v) => Array.from(v))).toEqual(before);
    const layer = new LSTM({ inputSize: 1, hiddenSize: 1 });
    expect(() => remote.fit(layer as never, data, { trainer: trainerOptions })).toThrow(/TrainingWorker.fit: model must be a Sequential or a Seq2Seq, got/);
    layer.dispose();
    m.dispose();
  }, 30_000);

  it('refuses an Optimizer object, which cannot cross to a worker, before sending anything', () => {
    const m = model();
    expect(() => remote.fit(m, data, { trainer: { loss: 'mse', optimizer: new Adam(m, { lr: 1e-3 }) as never } }))
      .toThrow(ConfigError);
    m.dispose();
  });

  it('trains on every core: the worker, started as documented (init() from rnn-wasm), runs the threaded build on its own worker threads', async () => {
    const info = await remote.runtimeInfo();
    expect(info).toMatchObject({ build: 'threads', cores: availableParallelism(), threads: Math.min(availableParallelism(), 8) });
    expect(info.threadsNote).toBeUndefined();
  }, 10_000);

  it("runtimeInfo() rejects with the worker's error; terminate() rejects what is still pending", async () => {
    // a Node worker that skipped init(): serveTraining's own init() fetches, which Node cannot do for a file
    const noInit = path.join(CONSUMER, 'training-worker-no-init.mjs');
    writeFileSync(noInit, "import { parentPort } from 'node:worker_threads';\nimport { serveTraining } from 'rnn-wasm/worker';\nserveTraining(parentPort);\n");
    const bare = new TrainingWorker(new Worker(noInit));
    try {
      const error = await bare.runtimeInfo().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WasmLoadError);
      expect((error as Error).message).toMatch(/could not find rnn(-relaxed)?\.wasm/); // the build auto-detection picks (relaxed where the engine has it)
      const pending = bare.runtimeInfo();
      bare.terminate();
      await expect(pending).rejects.toThrow(/the worker was terminated/);
    } finally {
      bare.terminate();
    }
  }, 10_000);
});
