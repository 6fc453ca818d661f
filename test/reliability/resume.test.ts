// Stop anywhere, checkpoint, restore, resume: the weights must be bit-identical to an
// uninterrupted run with the same seeds (optimizer state, schedule position, dropout generators,
// shuffling, truncated-BPTT hidden state and accumulated gradients all restored).
import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding, FormatError, GRU, init, Linear, LSTM, save, Sequential } from '../../src/index.js';
import { streams, Trainer, type FitOptions, type SequenceDataset, type TrainerOptions } from '../../src/train/index.js';
import { addingProblem } from '../../examples/tasks/adding.js';

beforeAll(() => init());

const weights = (m: { stateDict(): Record<string, Float32Array> }) => Object.values(m.stateDict()).flatMap((v) => Array.from(v));

async function compare(make: () => Sequential, options: TrainerOptions, data: SequenceDataset, fit: FitOptions, stop: (s: { step: number; batch: number; epoch: number }) => boolean) {
  const full = make();
  await new Trainer(full, options).fit(data, fit);
  const part = make();
  const t1 = new Trainer(part, options);
  const ctl = new AbortController();
  const h1 = await t1.fit(data, { ...fit, signal: ctl.signal, callbacks: { onBatchEnd: (s) => { if (stop(s)) ctl.abort(); } } });
  expect(h1.stopped).toBe('aborted');
  const bytes = t1.checkpoint();
  part.dispose();
  const t2 = Trainer.restore(bytes);
  await t2.fit(data, { ...fit, resume: true });
  expect(t2.optimizer.stepCount).toBe(new Trainer(make(), options).optimizer.stepCount + (await stepsOf(make, options, data, fit)));
  expect(weights(t2.model)).toEqual(weights(full));
}

async function stepsOf(make: () => Sequential, options: TrainerOptions, data: SequenceDataset, fit: FitOptions) {
  return (await new Trainer(make(), options).fit(data, fit)).steps;
}

describe('checkpoint and resume', () => {
  it('mid-epoch, with dropout, shuffling, AdamW, a cosine schedule and clipping: bit-identical', async () => {
    const make = () => new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: 6, numLayers: 2, dropout: 0.3, batchFirst: true, seed: 1 }),
      new Linear({ inFeatures: 6, outFeatures: 1, seed: 2 }),
    ], { output: 'last' });
    await compare(make, { loss: 'mse', optimizer: { type: 'adamw', lr: 1e-2 }, clip: { maxNorm: 0.5 }, schedule: { type: 'cosine', totalSteps: 60, warmupSteps: 5 } },
      addingProblem(8 * 20, 6, 3), { epochs: 3, batchSize: 8, seed: 4 }, (s) => s.step === 27);
  });

  it('inside a truncated-BPTT sequence (carried hidden state), with gradient accumulation', async () => {
    const make = () => new Sequential([
      new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 }),
      new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 2 }),
      new Linear({ inFeatures: 4, outFeatures: 5, seed: 3 }),
    ]);
    const ids = Int32Array.from({ length: 401 }, (_, i) => (i * i + 3 * i) % 5);
    await compare(make, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.3, momentum: 0.9 }, accumulate: 3 },
      streams(ids, { batchSize: 4 }), { epochs: 2, batchSize: 4, tbptt: 7 },
      (s) => s.epoch === 1 && s.batch === 7); // 8 windows done: 2 past the last update of 3
  });

  it('refuses a model file where a checkpoint is expected', () => {
    const m = new Sequential([new GRU({ inputSize: 1, hiddenSize: 2 })]);
    expect(() => Trainer.restore(save(m))).toThrow(FormatError);
    expect(() => Trainer.restore(save(m))).toThrow(/not a checkpoint/);
  });
});
