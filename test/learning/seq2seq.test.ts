// Learning that needs the condition: reverse digit strings of 3–5 digits. An encoder–decoder
// (bidirectional GRU encoder → tanh bridge → GRU decoder) must write each held-out string
// reversed, exactly, for ≥ 99% of 500 strings it never saw; the same decoder without the
// encoder (a Sequential language model over the targets) cannot know the digits and stays at
// chance (≤ 1%: it writes one and the same string for every input).
import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding, GRU, init, Linear, Sequential } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { seq2seqDataset, Trainer } from '../../src/train/index.js';
import { Gen } from '../support/gen.js';

beforeAll(() => init());

const BOS = 10, EOS = 11, V = 12, H = 64, EPOCHS = 20;

function strings(g: Gen, n: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: g.int(3, 5) }, () => g.int(0, 9)));
}
const reversed = (s: number[][]) => s.map((a) => a.slice().reverse());

describe('seq2seq learning', () => {
  it(`reverses held-out digit strings with ≥ 99% exact match; without the condition it stays at chance`, async () => {
    const g = new Gen(20261205);
    const train = strings(g, 6000), test = strings(g, 500);
    const data = seq2seqDataset(reversed(train), { bos: BOS, eos: EOS, sources: train });
    const testData = seq2seqDataset(reversed(test), { bos: BOS, eos: EOS, sources: test });
    const steps = Math.ceil(train.length / 32) * EPOCHS;
    const options = {
      loss: 'crossEntropy' as const, optimizer: { type: 'adam' as const, lr: 3e-3 }, clip: { maxNorm: 1 },
      schedule: { type: 'cosine' as const, totalSteps: steps, warmupSteps: 50 },
    };

    const model = new Seq2Seq({
      sourceEmbedding: new Embedding({ numEmbeddings: 10, embeddingDim: 16, seed: 1 }),
      encoder: new GRU({ inputSize: 16, hiddenSize: H, bidirectional: true, seed: 2 }),
      embedding: new Embedding({ numEmbeddings: V, embeddingDim: 16, seed: 3 }),
      decoder: new GRU({ inputSize: 16, hiddenSize: H, seed: 4 }),
      head: new Linear({ inFeatures: H, outFeatures: V, seed: 5 }),
    }, { seed: 6 });
    await new Trainer(model, options).fit(data, { epochs: EPOCHS, batchSize: 32, seed: 1 });
    const out = model.generate({ source: testData.source, sourceShape: testData.sourceShape, sourceLengths: testData.sourceLengths },
      { bos: BOS, eos: EOS, maxLength: 8, temperature: 0 });
    const exact = out.filter((r, i) => r.ended && r.tokens.join() === test[i].slice().reverse().join()).length / test.length;

    // the same decoder, embedding and head, without the encoder and bridge
    const alone = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: 16, seed: 3 }), new GRU({ inputSize: 16, hiddenSize: H, batchFirst: true, seed: 4 }),
      new Linear({ inFeatures: H, outFeatures: V, seed: 5 }),
    ]);
    const plain = { x: data.x, xShape: data.xShape, y: data.y, yShape: data.yShape, lengths: data.lengths };
    await new Trainer(alone, { ...options, schedule: { ...options.schedule, totalSteps: Math.ceil(train.length / 32) * 4 } }).fit(plain, { epochs: 4, batchSize: 32, seed: 1 });
    const written = alone.sample({ prime: [BOS], length: 8, temperature: 0, seed: 1 }).split(' ').map(Number);
    const guess = written.slice(0, written.includes(EOS) ? written.indexOf(EOS) : written.length).join();
    const chance = test.filter((s) => s.slice().reverse().join() === guess).length / test.length;

    console.log(`seq2seq reversal: ${(exact * 100).toFixed(1)}% exact on ${test.length} held-out strings; ` +
      `the decoder alone writes "${guess}" for every input: ${(chance * 100).toFixed(1)}%`);
    expect(exact).toBeGreaterThanOrEqual(0.99);
    expect(chance).toBeLessThanOrEqual(0.01);
    model.dispose();
    alone.dispose();
  });
});
