// One pinned measurement of bench/cores.ts: prints the median ms of the M row's training step
// (bench/ours.ts, the job the comparison times) on one thread.
import { init } from '../src/index.js';
import { median } from './compare.js';
import { oursRow } from './ours.js';
import { CONFIGS, makeData } from './suite.js';

const [warmup, steps] = process.argv.slice(2).map(Number);
await init({ threads: 1 });
const c = CONFIGS.find((x) => x.id === 'M')!;
const row = oursRow(c, makeData(c));
row.check(warmup);
const ms: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  row.check(1);
  ms.push(performance.now() - t);
}
console.log(median(ms));
