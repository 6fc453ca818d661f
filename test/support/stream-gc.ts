// Run by test/model/inference.test.ts under `node --trace-gc --expose-gc`: warm a streaming model
// up, collect, then print markers around 300,000 steps so the test can count the garbage
// collections in between (none, when a step allocates nothing).
import { Embedding, init, Linear, LSTM, Sequential } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';

// `seq2seq` as the argument: a conditioned decoder's stream (condition at every step) instead
await init();
const seq2seq = process.argv.includes('seq2seq');
const layers = () => [
  new Embedding({ numEmbeddings: 65, embeddingDim: 16, seed: 1 }),
  new LSTM({ inputSize: seq2seq ? 16 + 8 : 16, hiddenSize: 64, numLayers: 2, batchFirst: true, seed: 2 }),
  new Linear({ inFeatures: 64, outFeatures: 65, seed: 3 }),
] as const;
const [embedding, decoder, head] = layers();
const model = seq2seq
  ? new Seq2Seq({ conditionSize: 8, embedding, decoder, head }, { stepInput: true, seed: 4 }).eval()
  : new Sequential([embedding, decoder, head]).eval();
const state = model instanceof Seq2Seq
  ? model.initState({ condition: new Float32Array(8).fill(0.5), conditionShape: [1, 8] })
  : model.initState(1);
const ids = new Int32Array(1);

// only stepping inside the measured loop (arithmetic on doubles here could box them: the script's
// own allocation, not the library's); the output is checked after it
function run(steps: number): void {
  for (let i = 0; i < steps; i++) {
    ids[0] = i % 65;
    model.step(ids, state as never);
  }
}

run(100_000); // long enough for V8 to optimise step() even on a loaded runner (baseline code allocates)
(globalThis as { gc?: () => void }).gc?.();
console.log('STEPS BEGIN');
run(300_000);
console.log('STEPS END', state.output.every(Number.isFinite) && state.steps === 400_000);
