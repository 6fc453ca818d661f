// Run by test/model/inference.test.ts under `node --trace-gc --expose-gc`: warm a streaming model
// up, collect, then print markers around 300,000 steps so the test can count the garbage
// collections in between (none, when a step allocates nothing).
import { Embedding, init, Linear, LSTM, Sequential } from '../../src/index.js';

await init();
const model = new Sequential([
  new Embedding({ numEmbeddings: 65, embeddingDim: 16, seed: 1 }),
  new LSTM({ inputSize: 16, hiddenSize: 64, numLayers: 2, batchFirst: true, seed: 2 }),
  new Linear({ inFeatures: 64, outFeatures: 65, seed: 3 }),
]).eval();
const state = model.initState(1);
const ids = new Int32Array(1);

// only stepping inside the measured loop (arithmetic on doubles here could box them: the script's
// own allocation, not the library's); the output is checked after it
function run(steps: number): void {
  for (let i = 0; i < steps; i++) {
    ids[0] = i % 65;
    model.step(ids, state);
  }
}

run(20_000);
(globalThis as { gc?: () => void }).gc?.();
console.log('STEPS BEGIN');
run(300_000);
console.log('STEPS END', state.output.every(Number.isFinite) && state.steps === 320_000);
