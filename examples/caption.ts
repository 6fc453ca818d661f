// Captioning with a conditioned decoder: describe half-year windows of the Mauna Loa CO2 record in
// words ("rising then falling , peak early , down 3 ppm"). The window's 26 weekly values are the
// condition; a learned bridge turns them into the LSTM decoder's initial states, and they are also
// given to it at every step. Trained on the first 80% of the record, it captions windows of the
// later years, printed beside the rule-made truth with the exact-match rate and corpus BLEU-4.
//   npx tsx examples/caption.ts [--epochs 60]
import { Embedding, init, Linear, LSTM } from '../src/index.js';
import { Seq2Seq } from '../src/seq2seq.js';
import { Trainer } from '../src/train/index.js';
import { BOS, co2CaptionTask, EOS, WEEKS, WORDS } from './tasks/co2-captions.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EPOCHS = arg('epochs', 60), HIDDEN = 128, SHOW = 12;

/** Corpus BLEU-4 (Papineni et al. 2002): clipped n-gram precisions, geometric mean, brevity penalty. */
export function bleu(candidates: string[][], references: string[][]): number {
  let logP = 0, c = 0, r = 0;
  for (let n = 1; n <= 4; n++) {
    let match = 0, total = 0;
    candidates.forEach((cand, i) => {
      const counts = new Map<string, number>();
      const ref = references[i];
      for (let j = 0; j + n <= ref.length; j++) { const g = ref.slice(j, j + n).join(' '); counts.set(g, (counts.get(g) ?? 0) + 1); }
      for (let j = 0; j + n <= cand.length; j++) {
        const g = cand.slice(j, j + n).join(' '), left = counts.get(g) ?? 0;
        if (left > 0) { match++; counts.set(g, left - 1); }
      }
      total += Math.max(0, cand.length - n + 1);
    });
    logP += Math.log(Math.max(match, 1e-9) / Math.max(total, 1)) / 4;
  }
  candidates.forEach((cand, i) => { c += cand.length; r += references[i].length; });
  return Math.exp(logP) * (c >= r ? 1 : Math.exp(1 - r / Math.max(c, 1)));
}

async function main(): Promise<void> {
  await init();
  const task = await co2CaptionTask();
  console.log(`${task.train.xShape[0]} training windows of ${WEEKS} weeks (1958–1992), ${task.test.xShape[0]} test windows (1992–2001); ` +
    `${WORDS.length} caption words`);
  const model = new Seq2Seq({
    conditionSize: WEEKS,
    embedding: new Embedding({ numEmbeddings: WORDS.length, embeddingDim: 16, seed: 1 }),
    decoder: new LSTM({ inputSize: 16 + WEEKS, hiddenSize: HIDDEN, seed: 2 }),
    head: new Linear({ inFeatures: HIDDEN, outFeatures: WORDS.length, seed: 3 }),
  }, { stepInput: true, seed: 4 });
  const batches = Math.ceil(task.train.xShape[0] / 32);
  const trainer = new Trainer(model, {
    loss: 'crossEntropy', optimizer: { type: 'adam', lr: 5e-3 }, clip: { maxNorm: 1 },
    schedule: { type: 'cosine', totalSteps: batches * EPOCHS, warmupSteps: 20 },
  });
  const t0 = performance.now();
  await trainer.fit(task.train, {
    epochs: EPOCHS, batchSize: 32, validation: task.test,
    callbacks: { onEpochEnd: (s) => { if (s.epoch % 5 === 0) console.log(`epoch ${String(s.epoch).padStart(2)}  train ${s.loss.toFixed(4)}  test ${s.valLoss!.toFixed(4)} nats/word`); } },
  });
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const written = model.generate({ condition: task.test.condition, conditionShape: task.test.conditionShape }, { bos: BOS, eos: EOS, maxLength: 16, beamWidth: 3 });
  const captions = written.map((g) => Array.from(g.tokens, (i) => WORDS[i]).join(' '));
  const exact = captions.filter((c, i) => c === task.testCaptions[i]).length / captions.length;
  const score = bleu(captions.map((c) => c.split(' ')), task.testCaptions.map((c) => c.split(' ')));
  console.log(`\nweek of      generated                                         truth`);
  const step = Math.floor(captions.length / SHOW);
  for (let i = 0; i < captions.length; i += step) {
    console.log(`${task.testDates[i]}  ${captions[i].padEnd(50)}${captions[i] === task.testCaptions[i] ? '=' : ' '} ${task.testCaptions[i]}`);
  }
  console.log(`\nexact match ${(exact * 100).toFixed(1)}% of ${captions.length} test windows; corpus BLEU-4 ${score.toFixed(3)}`);
  model.dispose();
}

await main();
