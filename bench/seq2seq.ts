// The seq2seq row: an encoder–decoder, the same model and batch in rnn-wasm and in TF.js layers
// (a functional model whose decoder LSTM starts from `initialState`). Both start from the same
// weights (ours, copied into TF.js with Keras's layout), so their first losses must agree before
// anything is timed; then training steps and teacher-forced inference are timed interleaved.
import { Linear, LSTM } from '../src/index.js';
import { Seq2Seq } from '../src/seq2seq.js';
import { Trainer } from '../src/train/index.js';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { asyncJob, compare, syncJob, type Job, type Result } from './compare.js';
import { onThreads, splitRefs, type Machine, type MachineRef } from './machine.js';
import { oursSystem } from './ours.js';
import { systemName, type Tfjs } from './peers/tfjs.js';
import { ids, oneHot } from './suite.js';
import { transpose } from '../src/interop/blocks.js';

/** The row's configuration (the sizes). */
export const SEQ2SEQ = { Ts: 32, T: 32, H: 256, B: 32, V: 64 } as const;
const LR = 0.01;
/** The first losses of the two systems (same weights, same batch) must agree this closely. */
export const LOSS_AGREE = 1e-4;

export interface Seq2SeqResult {
  train: Result[];
  infer: Result[];
  /** First training losses (before any update) and the losses after 3 steps, per system. */
  checks: { system: string; losses: number[] }[];
  /** |first loss TF.js − ours|. */
  lossDiff: number;
  skipped: { system: string; why: string }[];
  /** The machine's references of the training and the inference set. */
  machine: { train: MachineRef; infer: MachineRef };
}

/** `seq2seq` row description for the report. */
export const seq2seqShape = (): string => {
  const { Ts, T, H, B, V } = SEQ2SEQ;
  return `source tokens one-hot (V=${V}) → LSTM ${V}→${H} encoder (Ts=${Ts}) → bridge Linear ${H}→2·${H} + tanh → h0, c0 of an LSTM ${V}→${H} decoder ` +
    `on the target tokens one-hot (T=${T}, teacher forcing) → Linear ${H}→${V}, softmax CE on class ids, SGD lr ${LR}, B=${B}. ` +
    'One-hot, not Embedding layers: TF.js\'s wasm backend has no UnsortedSegmentSum kernel, so an Embedding cannot train on it';
};

export async function runSeq2Seq(tfjs: Tfjs | undefined, log: (s: string) => void, machine: Machine): Promise<Seq2SeqResult> {
  const { Ts, T, H, B, V } = SEQ2SEQ;
  const source = oneHot(ids(B * Ts, V, 7), V), x = oneHot(ids(B * T, V, 8), V), y = ids(B * T, V, 9);
  const batch = { source, sourceShape: [B, Ts, V], x, xShape: [B, T, V], y, yShape: [B, T] };
  const build = () => new Seq2Seq({
    encoder: new LSTM({ inputSize: V, hiddenSize: H, batchFirst: true, seed: 2 }),
    decoder: new LSTM({ inputSize: V, hiddenSize: H, batchFirst: true, seed: 4 }),
    head: new Linear({ inFeatures: H, outFeatures: V, seed: 5 }),
  }, { seed: 6 });
  const trainModel = build(), inferModel = build().eval();
  const trainer = new Trainer(trainModel, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: LR } });
  const weights = trainModel.stateDict(); // before any step: the TF.js model starts from these
  const ks = machine.n > 1 ? [1, machine.n] : [1];
  const jobsTrain: Job[] = ks.map((k) => onThreads(syncJob(oursSystem(k), B * T, () => { trainer.trainBatch(batch); }, 'Trainer.trainBatch({ source, x, y }) (forward, loss, BPTT through decoder, bridge and encoder, SGD)'), k));
  const jobsInfer: Job[] = ks.map((k) => onThreads(syncJob(oursSystem(k), B * T, () => { inferModel.predict(batch); }, 'model.predict({ source, x }) → logits'), k));
  const checks: Seq2SeqResult['checks'] = [];
  const skipped: Seq2SeqResult['skipped'] = [];
  let lossDiff = NaN;
  let disposeTf = () => {};
  if (tfjs) {
    const tf = await tfModel(tfjs, weights, source, x, y);
    const ours = [0, 1, 2].map(() => trainer.trainBatch(batch).loss);
    const theirs: number[] = [];
    for (let i = 0; i < 3; i++) theirs.push(await tf.train());
    checks.push({ system: 'rnn-wasm', losses: ours }, { system: systemName('wasm'), losses: theirs });
    lossDiff = Math.abs(theirs[0] - ours[0]);
    log(`seq2seq: first losses rnn-wasm ${ours[0].toFixed(6)}, TF.js wasm ${theirs[0].toFixed(6)} (|Δ| ${lossDiff.toExponential(2)}); after 3 steps ${ours[2].toFixed(4)} / ${theirs[2].toFixed(4)}`);
    if (lossDiff <= LOSS_AGREE && theirs[2] < theirs[0]) {
      jobsTrain.push(asyncJob(systemName('wasm'), B * T, tf.train, 'await model.trainOnBatch([source, x], yOneHot)'));
      jobsInfer.push(asyncJob(systemName('wasm'), B * T, tf.infer, 'model.predict([source, x]), await data()'));
    } else {
      skipped.push({ system: systemName('wasm'), why: `its first loss differs from ours by ${lossDiff.toPrecision(3)} (> ${LOSS_AGREE}) or it does not train: not timed` });
    }
    disposeTf = tf.dispose;
  } else {
    skipped.push({ system: 'TF.js wasm', why: 'TF.js did not load' });
  }
  log('seq2seq train');
  const train = splitRefs(machine, await compare([...machine.jobs(), ...jobsTrain], log));
  log('seq2seq infer');
  const infer = splitRefs(machine, await compare([...machine.jobs(), ...jobsInfer], log));
  disposeTf();
  trainModel.dispose();
  inferModel.dispose();
  return { train: train.systems, infer: infer.systems, checks, lossDiff, skipped, machine: { train: train.machine, infer: infer.machine } };
}

// The TF.js functional model with our initial weights. Keras keeps kernels as [in, 4H] with the
// gates i, f, c, o (PyTorch's i, f, g, o: the same order) and one bias (b_ih + b_hh); our bridge
// Linear(H, 2H) is two Dense(H, H) layers, one per state (the rows of h0, then of c0).
async function tfModel(t: Tfjs, w: Record<string, Float32Array>, source: Float32Array, xs: Float32Array, ys: Int32Array): Promise<{ train: () => Promise<number>; infer: () => Promise<void>; dispose: () => void }> {
  const { tf, tfl } = t;
  const { Ts, T, H, B, V } = SEQ2SEQ;
  await t.use('wasm');
  const tr = (m: Float32Array, rows: number, cols: number) => tf.tensor2d(transpose(m, rows, cols), [cols, rows]); // ours [out, in] → Keras [in, out]
  const sum = (a: Float32Array, b: Float32Array) => tf.tensor1d(a.map((v, i) => v + b[i]));
  const lstmWeights = (p: string, I: number) => [tr(w[`${p}.weight_ih_l0`], 4 * H, I), tr(w[`${p}.weight_hh_l0`], 4 * H, H), sum(w[`${p}.bias_ih_l0`], w[`${p}.bias_hh_l0`])];
  const lstm = (extra: object) => tfl.layers.lstm({ units: H, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', ...extra });

  const src = tfl.input({ shape: [Ts, V] });
  const tgt = tfl.input({ shape: [T, V] });
  const encoder = lstm({ returnState: true });
  const [, hEnc] = encoder.apply(src) as SymbolicTensor[];
  const bridgeH = tfl.layers.dense({ units: H, activation: 'tanh' }), bridgeC = tfl.layers.dense({ units: H, activation: 'tanh' });
  const h0 = bridgeH.apply(hEnc) as SymbolicTensor, c0 = bridgeC.apply(hEnc) as SymbolicTensor;
  const decoder = lstm({ returnSequences: true });
  const seq = decoder.apply(tgt, { initialState: [h0, c0] }) as SymbolicTensor;
  const head = tfl.layers.dense({ units: V });
  const model = tfl.model({ inputs: [src, tgt], outputs: head.apply(seq) as SymbolicTensor });
  model.compile({ optimizer: tf.train.sgd(LR), loss: (yt: TfCore.Tensor, yp: TfCore.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });

  const bw = w['bridge.weight'], bb = w['bridge.bias'];
  encoder.setWeights(lstmWeights('encoder', V));
  bridgeH.setWeights([tr(bw.subarray(0, H * H), H, H), tf.tensor1d(bb.subarray(0, H))]);
  bridgeC.setWeights([tr(bw.subarray(H * H), H, H), tf.tensor1d(bb.subarray(H))]);
  decoder.setWeights(lstmWeights('decoder', V));
  head.setWeights([tr(w['head.weight'], V, H), tf.tensor1d(w['head.bias'])]);

  const s = tf.tensor3d(source, [B, Ts, V]);
  const x = tf.tensor3d(xs, [B, T, V]);
  const y = tf.tensor3d(oneHot(ys, V), [B, T, V]); // softmaxCrossEntropy takes one-hot targets
  return {
    train: async () => { await t.use('wasm'); return Number(await model.trainOnBatch([s, x], y)); },
    infer: async () => {
      await t.use('wasm');
      const p = model.predict([s, x]) as TfCore.Tensor;
      await p.data();
      p.dispose();
    },
    dispose: () => { s.dispose(); x.dispose(); y.dispose(); model.dispose(); },
  };
}
