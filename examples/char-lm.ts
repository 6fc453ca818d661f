// A character-level language model (char-rnn): Embedding → LSTM → Linear over the characters of
// a text file, trained for a fixed time with truncated BPTT (the text cut into 32 parallel
// streams, 64-character windows, the hidden state carried from one window to the next). Prints
// the training loss and speed as it goes, then the validation loss in nats (and bits) per
// character, against the unigram entropy (the best a model ignoring context can do).
//   npx tsx examples/char-lm.ts                                    # data/tinyshakespeare.txt, 1 minute
//   npx tsx examples/char-lm.ts --minutes 5 --hidden 256 --layers 2 --file my.txt
// The recipe (model, trainer, training, validation) is exported for the bench (bench/charlm.ts).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Embedding, init, Linear, LSTM, Sequential } from '../src/index.js';
import { streams, Trainer, type BatchStats, type FitOptions, type History } from '../src/train/index.js';
import { DATA_DIR } from '../src/data/files.js';
import { charCorpus, unigramEntropy, type CharCorpus } from './tasks/text.js';

export const STREAMS = 32, TBPTT = 64, EMBED = 32, LR = 2e-3, CLIP = 1;
const REPORT_EVERY_S = 5;

interface Options { file: string | URL; minutes: number; hidden: number; layers: number }

function options(): Options {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' }, minutes: { type: 'string', default: '1' },
      hidden: { type: 'string', default: '128' }, layers: { type: 'string', default: '1' },
    },
  });
  const o = { file: values.file ?? new URL('tinyshakespeare.txt', DATA_DIR), minutes: Number(values.minutes), hidden: Number(values.hidden), layers: Number(values.layers) };
  if (!(o.minutes > 0)) throw new Error(`--minutes: expected a positive number, got ${values.minutes}`);
  if (!Number.isInteger(o.hidden) || o.hidden < 1) throw new Error(`--hidden: expected a positive integer, got ${values.hidden}`);
  if (!Number.isInteger(o.layers) || o.layers < 1) throw new Error(`--layers: expected a positive integer, got ${values.layers}`);
  return o;
}

export function makeModel(corpus: CharCorpus, hidden: number, layers: number): Sequential {
  const V = corpus.tokenizer.size;
  return new Sequential([
    new Embedding({ numEmbeddings: V, embeddingDim: EMBED, seed: 1 }),
    new LSTM({ inputSize: EMBED, hiddenSize: hidden, numLayers: layers, batchFirst: true, seed: 2 }),
    new Linear({ inFeatures: hidden, outFeatures: V, seed: 3 }),
  ], { vocabulary: corpus.tokenizer.vocabulary });
}

/** The recipe's trainer: softmax cross-entropy, Adam lr 2e-3, global-norm clipping at 1. */
export function makeTrainer(model: Sequential): Trainer {
  return new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: LR }, clip: { maxNorm: CLIP } });
}

/** Train for `seconds` on the training split: 32 streams, truncated BPTT over 64 characters, the state carried. */
export function trainFor(trainer: Trainer, corpus: CharCorpus, seconds: number, callbacks?: FitOptions['callbacks']): Promise<History> {
  return trainer.fit(streams(corpus.train, { batchSize: STREAMS }), {
    epochs: 1_000_000, batchSize: STREAMS, tbptt: TBPTT, maxSeconds: seconds, callbacks,
  });
}

/** Validation loss in nats per character: the held-out split read as the same 32 streams. */
export function validate(trainer: Trainer, corpus: CharCorpus): number {
  return trainer.evaluate(streams(corpus.valid, { batchSize: STREAMS }), { batchSize: STREAMS, tbptt: TBPTT });
}

/** A callback printing the mean loss and the speed every REPORT_EVERY_S seconds. */
function progress(): (s: BatchStats) => void {
  const t0 = performance.now();
  let lastReport = t0, lossSum = 0, batches = 0, tokens = 0;
  return (s) => {
    lossSum += s.loss;
    batches++;
    tokens += s.tokens;
    const now = performance.now();
    if (now - lastReport < REPORT_EVERY_S * 1000) return;
    const seconds = (now - t0) / 1000;
    console.log(`${seconds.toFixed(0).padStart(4)} s  epoch ${s.epoch}  step ${String(s.step).padStart(5)}  ` +
      `loss ${(lossSum / batches).toFixed(3)} nats/char  ${Math.round(tokens / seconds).toLocaleString('en-US')} chars/s`);
    lastReport = now;
    lossSum = 0;
    batches = 0;
  };
}

// Text generation with `model.sample(...)` (temperature, top-k, seeded). Trained on streams, the
// model rarely starts from a zero state, so it is primed with real text (the end of the training
// split) rather than one character.
const PRIME_CHARS = 256;
function printSample(model: Sequential, corpus: CharCorpus): void {
  const prime = corpus.tokenizer.decode(corpus.train.subarray(Math.max(0, corpus.train.length - PRIME_CHARS)));
  const text = model.sample({ prime, length: 400, temperature: 0.8, seed: 1 });
  console.log(`\nSample (temperature 0.8), continuing "…${prime.slice(-40)}":\n${text}`);
}

async function main(): Promise<void> {
  const o = options();
  await init();
  const corpus = await charCorpus(o.file);
  const model = makeModel(corpus, o.hidden, o.layers);
  const shown = o.file instanceof URL ? fileURLToPath(o.file) : o.file;
  console.log(`${shown}: ${corpus.train.length.toLocaleString('en-US')} training / ${corpus.valid.length.toLocaleString('en-US')} validation ` +
    `characters, vocabulary ${corpus.tokenizer.size}; ${model.describe()}, ${model.parameterCount.toLocaleString('en-US')} parameters`);
  console.log(`Training for ${o.minutes} min: Adam lr ${LR.toExponential()}, clip ${CLIP}, ${STREAMS} streams, truncated BPTT over ${TBPTT} characters`);
  const trainer = makeTrainer(model);
  const history = await trainFor(trainer, corpus, o.minutes * 60, {
    onBatchEnd: progress(), onEpochEnd: (s) => console.log(`epoch ${s.epoch} done: loss ${s.loss.toFixed(3)}, ${s.seconds.toFixed(0)} s`),
  });
  const valid = validate(trainer, corpus);
  const unigram = unigramEntropy(corpus.train, corpus.tokenizer.size);
  console.log(`\n${history.steps} updates. Validation loss ${valid.toFixed(3)} nats/char (${(valid / Math.LN2).toFixed(3)} bits/char); ` +
    `unigram entropy of the training split ${unigram.toFixed(3)} nats/char`);
  printSample(model, corpus);
  model.dispose();
}

// run when executed, not when imported (the bench imports the recipe)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
