// Models move between PyTorch and rnn-wasm unchanged, both ways, on committed files:
//   torch_*: written by PyTorch (tools/torch_export.py fixtures), loaded here; outputs must match
//            PyTorch's float64 forward (stored beside each file) to 1e-5.
//   ours_*:  written by save() (test/fixtures/io/make-ours.ts), run by PyTorch
//            (torch_export.py fixtures --from-ours); our forward must match PyTorch's to 1e-5, and
//            save() must still write exactly the committed bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, load, save, type Saveable } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { oursCases, oursSeq2SeqCases } from '../fixtures/io/make-ours.js';

const dir = new URL('../fixtures/io/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir));
const json = (f: string) => JSON.parse(read(f).toString('utf8'));

function run(model: Saveable, x: number[], shape: number[]): Float32Array {
  model.eval();
  return model.forward(x as never, { shape }).output;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(() => init());

describe('PyTorch → rnn-wasm', () => {
  const files = readdirSync(dir).filter((f) => f.startsWith('torch_') && f.endsWith('.safetensors'));
  it('has the fixture set (LSTM, GRU, RNN, embedding, many-to-one, float16, bfloat16, bare layer)', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });
  for (const f of files) {
    it(f, () => {
      const meta = json(f.replace('.safetensors', '.json'));
      const model = load(read(f));
      const out = run(model, meta.inputs.x, meta.inputs.shape);
      expect(maxAbsDiff(out, meta.expected.output)).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }
});

describe('rnn-wasm → PyTorch', () => {
  beforeAll(() => init());
  it('every ours_* case: committed bytes = save() today, and PyTorch agrees with our outputs', () => {
    const cases = oursCases();
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const c of cases) {
      expect(Buffer.from(save(c.model)).equals(read(`${c.name}.safetensors`)), `${c.name}: save() no longer writes the committed file`).toBe(true);
      const torch = json(`${c.name}.torch.json`);
      const loaded = load(read(`${c.name}.safetensors`));
      const out = run(loaded, c.x, c.shape);
      expect(maxAbsDiff(out, torch.output), c.name).toBeLessThanOrEqual(1e-5);
      expect(out).toEqual(run(c.model, c.x, c.shape));
    }
  });

  it('every ours_seq2seq_* case (encoder–decoder on ids with padded sources; conditioned decoder): the same, through torch_export.py\'s Seq2SeqModel', () => {
    const cases = oursSeq2SeqCases();
    expect(cases.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) {
      expect(Buffer.from(c.model.save()).equals(read(`${c.name}.safetensors`)), `${c.name}: save() no longer writes the committed file`).toBe(true);
      const torch = json(`${c.name}.torch.json`);
      const loaded = Seq2Seq.load(read(`${c.name}.safetensors`));
      const out = loaded.predict(c.batch);
      expect(torch.shape).toEqual([...c.batch.xShape.slice(0, 2), loaded.outputSize]);
      expect(maxAbsDiff(out, torch.output), c.name).toBeLessThanOrEqual(1e-5);
      expect(out).toEqual(c.model.predict(c.batch));
      loaded.dispose();
    }
  });
});
