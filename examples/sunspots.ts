// Forecasting next year's sunspot number from the past 12 years with a small GRU (many-to-one:
// the whole window in, one number out), compared with the persistence forecast (next year =
// this year) on the test split, the last 20% of the years (1947–2008). Shows scaleSeries,
// slidingWindows, output 'last' and un-scaling the predictions back to sunspot units.
//   npx tsx examples/sunspots.ts
import { GRU, init, Linear, Sequential } from '../src/index.js';
import { Trainer } from '../src/train/index.js';
import { rmse, sunspotTask, type SunspotTask } from './tasks/sunspots.js';

const WINDOW = 12, HIDDEN = 16, EPOCHS = 100, SHOW_YEARS = 10;

function makeModel(): Sequential {
  return new Sequential([
    new GRU({ inputSize: 1, hiddenSize: HIDDEN, batchFirst: true, seed: 1 }),
    new Linear({ inFeatures: HIDDEN, outFeatures: 1, seed: 2 }),
  ], { output: 'last' });
}

async function train(model: Sequential, task: SunspotTask): Promise<void> {
  const trainer = new Trainer(model, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clip: { maxNorm: 1 } });
  await trainer.fit(task.train, {
    epochs: EPOCHS, batchSize: 16, seed: 1,
    callbacks: {
      onEpochEnd: (s) => {
        if (s.epoch % 20 === 0) console.log(`epoch ${String(s.epoch).padStart(3)}  train MSE (scaled) ${s.loss.toFixed(5)}  test MSE (scaled) ${trainer.evaluate(task.test).toFixed(5)}`);
      },
    },
  });
}

function report(task: SunspotTask, predicted: Float32Array): void {
  const { years, trainYears, testActual, testPersistence } = task;
  const model = rmse(predicted, testActual), persistence = rmse(testPersistence, testActual);
  console.log(`\nTest RMSE over ${testActual.length} years (${years[trainYears]}–${years.at(-1)}), in sunspots:`);
  const row = (label: string, v: number) => console.log(`  ${label.padEnd(28)}${v.toFixed(2).padStart(6)}`);
  row(`GRU(${HIDDEN}), ${WINDOW}-year window`, model);
  row('persistence (next = last)', persistence);
  row('ratio', model / persistence);
  console.log(`\nThe last ${SHOW_YEARS} test years:\nyear  actual     GRU  persistence`);
  for (let i = testActual.length - SHOW_YEARS; i < testActual.length; i++) {
    const cells = [testActual[i], predicted[i], testPersistence[i]].map((v, c) => v.toFixed(1).padStart(c === 2 ? 11 : 6));
    console.log(`${years[trainYears + i]}  ${cells.join('  ')}`);
  }
}

async function main(): Promise<void> {
  await init();
  const task = await sunspotTask(WINDOW);
  console.log(`${task.values.length} years: ${task.trainYears} for training (${task.train.xShape[0]} windows), ` +
    `${task.testActual.length} for testing; scaled by the training maximum ${task.invert([1])[0].toFixed(1)}`);
  const model = makeModel();
  const t0 = performance.now();
  await train(model, task);
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  model.eval();
  report(task, task.invert(model.forward(task.test.x, { shape: task.test.xShape }).output));
  model.dispose();
}

await main();
