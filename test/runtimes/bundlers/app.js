// The application the bundler test builds three times (Vite, webpack, Rollup) and runs once more
// in Node: it imports the package by its name, as a user's code does, and computes numbers that
// depend on every kernel it touches. Plain JavaScript, so that each bundler builds it with no
// loader or plugin for TypeScript.
import { Embedding, Linear, LSTM, Sequential } from 'rnn-wasm';
import { textDataset, Trainer } from 'rnn-wasm/train';

const VOCAB = 7, T = 10;

/**
 * Embedding → LSTM → Linear, trained for six Adam steps on a fixed token stream (batches in
 * order, every weight seeded), then a prediction. The caller has already awaited init().
 * @returns {Promise<{ losses: number[], gradNorms: number[], prediction: number[] }>}
 */
export async function trainAndPredict() {
  const model = new Sequential([
    new Embedding({ numEmbeddings: VOCAB, embeddingDim: 4, seed: 1 }),
    new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 2 }),
    new Linear({ inFeatures: 8, outFeatures: VOCAB, seed: 3 }),
  ]);
  try {
    const ids = Int32Array.from({ length: 121 }, (_, i) => (i * 3 + Math.floor(i / 5)) % VOCAB);
    const data = textDataset(ids, { seqLength: T, stride: T });
    const trainer = new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 2e-2 }, clip: { maxNorm: 1 } });
    const losses = [], gradNorms = [];
    await trainer.fit(data, {
      epochs: 2, batchSize: 4, shuffle: false,
      callbacks: { onBatchEnd: (s) => { losses.push(s.loss); gradNorms.push(s.gradNorm); } },
    });
    // logits [2, T, VOCAB] for the first two windows
    const prediction = model.predict(data.x.subarray(0, 2 * T), { shape: [2, T] });
    return { losses, gradNorms, prediction: Array.from(prediction) };
  } finally {
    model.dispose();
  }
}
