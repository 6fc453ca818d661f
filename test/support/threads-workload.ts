// What the thread tests compute under different thread counts and builds and compare bit for
// bit: every cell (LSTM, GRU, tanh and ReLU RNN), 1–3 stacked layers, bidirectional, padded
// batches (masks), dropout, one-hot and Embedding inputs, a Seq2Seq encoder–decoder, on awkward
// batch sizes — trained two steps with Adam and clipping, then predicted. Each configuration is
// reduced to a SHA-256 of the bits of its losses, predictions, weights and gradients.
//
// As a script (`node --import tsx test/support/threads-workload.ts <wasm file> <threads>`) it
// loads the given build, splits every kernel that can be split, and prints the hashes as JSON.
import { createHash } from 'node:crypto';
import type * as Core from '../../src/index.js';
import type * as Training from '../../src/train/index.js';
import type * as Seq from '../../src/seq2seq.js';

export interface Libs {
  core: typeof Core;
  train: typeof Training;
  seq: typeof Seq;
}

const hash = (parts: ArrayLike<number>[]): string => {
  const h = createHash('sha256');
  for (const p of parts) {
    const f = p instanceof Float32Array ? p : Float64Array.from(p);
    h.update(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
  }
  return h.digest('hex').slice(0, 20);
};

/** Deterministic values in [−0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5);
}

/** Hashes of every configuration, by name. */
export async function runWorkload({ core, train, seq }: Libs): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const cells = [
    ['LSTM', (o: Core.RecurrentOptions) => new core.LSTM(o)],
    ['GRU', (o: Core.RecurrentOptions) => new core.GRU(o)],
    ['RNN', (o: Core.RecurrentOptions) => new core.RNN(o)],
    ['RNN-relu', (o: Core.RecurrentOptions) => new core.RNN({ ...o, nonlinearity: 'relu' })],
  ] as const;
  // batch sizes around the 4-row groups the threads share (and the left-over rows of the GEMM)
  const shapes = [[1, 3], [6, 5], [13, 9], [30, 7], [32, 16]] as const;
  for (const [name, make] of cells) {
    for (const [B, T] of shapes) {
      for (const [L, bi, lengths] of [[1, false, false], [2, true, true], [3, false, true]] as const) {
        const I = 7, H = B === 32 ? 40 : 13, O = 5;
        const rnn = make({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional: bi, batchFirst: true, seed: 3, ...(L > 1 ? { dropout: 0.25 } : {}) });
        const model = new core.Sequential([rnn, new core.Linear({ inFeatures: H * (bi ? 2 : 1), outFeatures: O, seed: 4 })]);
        const data = {
          x: values(B * T * I, B + T), xShape: [B, T, I], y: values(B * T * O, 7), yShape: [B, T, O],
          ...(lengths ? { lengths: Int32Array.from({ length: B }, (_, b) => 1 + ((b * 7) % T)) } : {}),
        };
        const trainer = new train.Trainer(model, { loss: 'mse', optimizer: { type: 'adam', lr: 0.01 }, clip: { maxNorm: 1 } });
        const losses = [trainer.trainBatch(data).loss, trainer.trainBatch(data).loss];
        out[`${name} B${B} T${T} L${L}${bi ? ' bi' : ''}${lengths ? ' padded' : ''}`] =
          hash([losses, model.predict(data), ...model.namedParameters().flatMap((p) => [p.data, p.grad])]);
        model.dispose();
      }
    }
  }
  // one-hot and Embedding inputs at a character model's size
  for (const emb of [false, true]) {
    const V = 65, H = 96, B = 32, T = 24;
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 31 + 7) % V);
    const x = emb ? ids : (() => { const a = new Float32Array(B * T * V); ids.forEach((k, i) => { a[i * V + k] = 1; }); return a; })();
    const model = new core.Sequential([
      ...(emb ? [new core.Embedding({ numEmbeddings: V, embeddingDim: 16, seed: 1 })] : []),
      new core.LSTM({ inputSize: emb ? 16 : V, hiddenSize: H, batchFirst: true, seed: 2 }),
      new core.Linear({ inFeatures: H, outFeatures: V, seed: 3 }),
    ]);
    const data = { x, xShape: emb ? [B, T] : [B, T, V], y: Int32Array.from({ length: B * T }, (_, i) => (i * 17 + 3) % V), yShape: [B, T] };
    const trainer = new train.Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 } });
    const losses = [trainer.trainBatch(data).loss, trainer.trainBatch(data).loss];
    out[`char LSTM ${emb ? 'Embedding' : 'one-hot'}`] = hash([losses, model.predict(data), ...model.namedParameters().flatMap((p) => [p.data, p.grad])]);
    model.dispose();
  }
  // an encoder–decoder: bidirectional GRU encoder, tanh bridge, 2-layer LSTM decoder with the
  // condition at every step
  {
    const N = 20, Ts = 9, T = 8, V = 12;
    const model = new seq.Seq2Seq({
      sourceEmbedding: new core.Embedding({ numEmbeddings: V, embeddingDim: 8, seed: 1 }),
      encoder: new core.GRU({ inputSize: 8, hiddenSize: 16, bidirectional: true, seed: 2 }),
      embedding: new core.Embedding({ numEmbeddings: V, embeddingDim: 8, seed: 3 }),
      decoder: new core.LSTM({ inputSize: 8 + 32, hiddenSize: 24, numLayers: 2, seed: 4 }),
      head: new core.Linear({ inFeatures: 24, outFeatures: V, seed: 5 }),
    }, { stepInput: true, seed: 6 });
    const targets = Array.from({ length: N }, (_, n) => Int32Array.from({ length: 1 + (n % (T - 1)) }, (_, t) => 2 + ((n + t) % (V - 2))));
    const sources = Array.from({ length: N }, (_, n) => Int32Array.from({ length: 2 + (n % (Ts - 2)) }, (_, t) => (n * 3 + t) % V));
    const data = train.seq2seqDataset(targets, { bos: 0, eos: 1, sources });
    const trainer = new train.Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.01 } });
    const losses = [trainer.trainBatch(data).loss, trainer.trainBatch(data).loss];
    out['Seq2Seq'] = hash([losses, model.predict(data), ...model.namedParameters().flatMap((p) => [p.data, p.grad])]);
    model.dispose();
  }
  return out;
}

// the script: one build and thread count in a fresh process
if (process.argv[1]?.endsWith('threads-workload.ts')) {
  const [wasm, threads] = process.argv.slice(2);
  const core = await import('../../src/index.js');
  const { getRuntime } = await import('../../src/runtime/loader.js');
  await core.init({ wasm: new URL(wasm, `file://${process.cwd()}/`), threads: Number(threads) });
  getRuntime().kernels.set_split_thresholds(4, 0);
  const hashes = await runWorkload({ core, train: await import('../../src/train/index.js'), seq: await import('../../src/seq2seq.js') });
  console.log(JSON.stringify({ info: core.runtimeInfo(), hashes }));
}
