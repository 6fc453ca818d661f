// Run by test/sketch/sample.test.ts under `node --trace-gc --expose-gc`: warm a SketchStream up,
// collect, then print markers around 300,000 drawn points so the test can count the garbage
// collections in between (none, when a step allocates nothing).
import { init, Linear, LSTM, Sequential } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { mdnOutputSize, SketchStream } from '../../src/sketch/index.js';

// `seq2seq` as the argument: a class-conditioned decoder (condition at every step) instead
await init();
const seq2seq = process.argv.includes('seq2seq');
const M = 5;
const decoder = new LSTM({ inputSize: seq2seq ? 5 + 4 : 5, hiddenSize: 64, batchFirst: true, seed: 2 });
const head = new Linear({ inFeatures: 64, outFeatures: mdnOutputSize(M), seed: 3 });
head.namedParameters().find((p) => p.name === 'bias')!.data[2] = -1000; // never the end state: one endless drawing
const model = (seq2seq ? new Seq2Seq({ conditionSize: 4, decoder, head }, { stepInput: true, seed: 4 }) : new Sequential([decoder, head])).eval();
const pen = new SketchStream(model, { temperature: 0.7, seed: 1, ...(seq2seq ? { condition: [0, 1, 0, 0] } : {}) });

// only drawing inside the measured loop; the points are checked after it
function run(steps: number): void {
  for (let i = 0; i < steps; i++) pen.next();
}

run(100_000); // long enough for V8 to optimise next() and step() even on a loaded runner
(globalThis as { gc?: () => void }).gc?.();
console.log('STEPS BEGIN');
run(Number(process.env.GC_STEPS ?? 300_000));
console.log('STEPS END', pen.point.every(Number.isFinite) && pen.steps === 400_000 && !pen.ended);
