// Seq2Seq against PyTorch (float64): test/fixtures/generate_seq2seq.py builds each model with
// tools/torch_export.py's Seq2SeqModel, writes it with save_model and records logits, the
// cross-entropy over the valid targets, every parameter's gradient and the gradients of the
// feature inputs. Here the PyTorch-written file is loaded by Seq2Seq.load and each quantity is
// held to the DESIGN.md §5 metric (≤ 1e-4) — through forward/backward with lossAndGrad, and
// through the Trainer's own loss.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import { Seq2Seq, type Seq2SeqBatch } from '../../src/seq2seq.js';
import { lossAndGrad, Trainer } from '../../src/train/index.js';
import { parityError, PARITY_TOLERANCE } from '../support/metric.js';

const dir = new URL('../fixtures/seq2seq/', import.meta.url);
const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));

interface Fixture {
  config: { layers: { name: string }[] };
  batch: Record<string, number[]>;
  logits: number[];
  logitsShape: number[];
  loss: number;
  grads: Record<string, number[]>;
  inputGrads: { dCondition?: number[]; dSource?: number[]; dInput?: number[] };
  bridgeGradcheck: boolean;
}

// the JSON batch as typed arrays: token ids as Int32Array, features as Float32Array
function toBatch(f: Fixture): Seq2SeqBatch & { y: Int32Array; yShape: number[] } {
  const b = f.batch, out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k.endsWith('Shape')) out[k] = v;
    else out[k] = (b[`${k}Shape`]?.length ?? 0) === 3 || k === 'condition' ? Float32Array.from(v) : Int32Array.from(v);
  }
  return out as unknown as Seq2SeqBatch & { y: Int32Array; yShape: number[] };
}

beforeAll(() => init());

describe('Seq2Seq = PyTorch (float64 fixtures, DESIGN.md §5 metric)', () => {
  it('has the fixture set: biGRU encoder → tanh bridge → 2-layer LSTM decoder with step input; condition; step input only; LSTM encoder on features', () => {
    expect(names.sort()).toEqual(['bigru_bridge_lstm2_step', 'condition_linear_gru', 'lstm2_features_both_gru', 'step_only_rnn_relu']);
  });

  for (const name of names) {
    it(`${name}: logits, loss, every parameter's gradient, the feature inputs' gradients`, () => {
      const f: Fixture = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
      const model = Seq2Seq.load(readFileSync(new URL(`${name}.safetensors`, dir)));
      const batch = toBatch(f);
      const [N, T] = batch.yShape, O = model.outputSize;
      expect(f.logitsShape).toEqual([N, T, O]);
      const errors: Record<string, number> = {};

      const { output } = model.forward(batch);
      // the valid steps t < lengths[n]: beyond them PyTorch runs on while ours holds the state;
      // neither counts in the loss (their targets are ignored, as y = −100 is)
      const valid = (i: number) => i % T < (batch.lengths?.[Math.floor(i / T)] ?? T);
      const onValid = (a: ArrayLike<number>) => Float64Array.from({ length: N * T * O }, (_, i) => (valid(Math.floor(i / O)) ? a[i] : 0));
      errors.logits = parityError(onValid(output), onValid(f.logits));
      const y = batch.y.map((v, i) => (valid(i) ? v : -100));
      const { loss, grad } = lossAndGrad('crossEntropy', output, y, { shape: [N * T, O] });
      errors.loss = Math.abs(loss - f.loss) / Math.abs(f.loss);
      model.zeroGrad();
      const inputs = model.backward(grad);
      const params = model.namedParameters();
      expect(params.map((p) => p.name).sort()).toEqual(Object.keys(f.grads).sort());
      for (const p of params) errors[p.name] = parityError(p.grad, f.grads[p.name]);
      for (const key of ['dCondition', 'dSource', 'dInput'] as const) {
        expect(inputs[key] === undefined, `${key} given exactly when PyTorch has it`).toBe(f.inputGrads[key] === undefined);
        if (f.inputGrads[key]) errors[key] = parityError(inputs[key]!, f.inputGrads[key]!);
      }
      for (const [k, e] of Object.entries(errors)) expect(e, `${name} ${k}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
      if (model.bridge) expect(f.bridgeGradcheck, 'PyTorch gradcheck of the bridge').toBe(true);

      // the Trainer computes the same loss (its first step reports the loss before the update)
      const trainer = new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0 } });
      const step = trainer.trainBatch(batch as never);
      expect(Math.abs(step.loss - f.loss) / f.loss, 'trainer loss').toBeLessThanOrEqual(PARITY_TOLERANCE);
      const worst = Object.entries(errors).sort((a, b) => b[1] - a[1])[0];
      console.log(`${name}: worst ${worst[0]} ${worst[1].toExponential(2)} over ${Object.keys(errors).length} tensors`);
      model.dispose();
    });
  }
});
