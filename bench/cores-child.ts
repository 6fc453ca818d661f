// One pinned measurement of bench/cores.ts: prints the median ms of an M training step on one thread.
import { init, LSTM, Linear, Sequential } from '../src/index.js';
import { Trainer } from '../src/train/index.js';
import { median } from './compare.js';
import { CONFIGS, makeData } from './suite.js';

const [warmup, steps] = process.argv.slice(2).map(Number);
await init({ threads: 1 });
const c = CONFIGS.find((x) => x.id === 'M')!;
const d = makeData(c);
const model = new Sequential([new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 1 }), new Linear({ inFeatures: c.H, outFeatures: c.O, seed: 2 })]);
const trainer = new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.01 } });
const batch = { x: d.x, xShape: [c.B, c.T, c.I], y: d.yIds!, yShape: [c.B, c.T] };
for (let i = 0; i < warmup; i++) trainer.trainBatch(batch);
const ms: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  trainer.trainBatch(batch);
  ms.push(performance.now() - t);
}
console.log(median(ms));
