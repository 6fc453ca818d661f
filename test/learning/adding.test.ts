// The vanishing gradient, measured: on the adding problem at T = 20 (always predicting 1 scores
// MSE ≈ 0.167) an LSTM gets below 0.01 within 1,250 updates, while a tanh RNN of the same size,
// trained identically, is still above 0.1 after all 1,250. H = 64, Adam 3e-3, batch 32, clip 1.
// (Measured here: the LSTM passes 0.01 at 750–1,000 updates; the RNN is at ≈ 0.15 at 1,250.)
import { beforeAll, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import { Trainer } from '../../src/train/index.js';
import { addingModel, addingProblem } from '../../examples/tasks/adding.js';

beforeAll(() => init());

const T = 20, H = 64, BUDGET = 1250, EVERY = 250;

async function train(cell: 'lstm' | 'rnn'): Promise<number[]> {
  const model = addingModel(cell, H);
  const trainer = new Trainer(model, { loss: 'mse', optimizer: { type: 'adam', lr: 3e-3 }, clip: { maxNorm: 1 } });
  const test = addingProblem(1000, T, 8);
  const curve: number[] = [];
  await trainer.fit(addingProblem(32 * BUDGET, T, 7), {
    batchSize: 32, maxSteps: BUDGET,
    callbacks: { onBatchEnd: (s) => { if (s.step % EVERY === 0) curve.push(trainer.evaluate(test)); } },
  });
  model.dispose();
  return curve;
}

it(`adding problem, T = ${T}: an LSTM solves it where a tanh RNN cannot, within ${BUDGET} updates`, async () => {
  const lstm = await train('lstm');
  const rnn = await train('rnn');
  expect(lstm).toHaveLength(BUDGET / EVERY);
  expect(Math.min(...lstm), `LSTM test MSE every ${EVERY} updates: ${lstm.map((m) => m.toFixed(4))}`).toBeLessThan(0.01);
  expect(Math.min(...rnn), `RNN test MSE every ${EVERY} updates: ${rnn.map((m) => m.toFixed(4))}`).toBeGreaterThan(0.1);
}, 120_000);
