// exportOnnx: the exported graphs run in ONNX Runtime Web (a devDependency; wasm backend, one
// thread) and give our predictions within 1e-5 (max |Δ|) for every cell, stacked, bidirectional,
// batch-first, token ids, no bias, ReLU RNN, output 'last', padded batches and state in/out; the
// files pass Debian's python3-onnx checker (full_check); their structure is read back here by a
// small protobuf reader, so the graph is checked even where neither is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Dropout, Embedding, GRU, init, Linear, LSTM, RNN, Sequential } from '../../src/index.js';
import { exportOnnx, ONNX_OPSET } from '../../src/interop/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import type { RecurrentLayer } from '../../src/layers/recurrent.js';

const TOL = 1e-5;
// Debian's python3 (python3-onnx); another python3 on PATH may lack the module
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface OrtTensor { readonly data: unknown; readonly dims: readonly number[] }
interface Ort {
  env: { wasm: { numThreads: number; proxy: boolean } };
  Tensor: new (type: 'float32' | 'int64' | 'int32', data: Float32Array | BigInt64Array | Int32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, o: { executionProviders: string[] }): Promise<{ run(f: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>; release(): Promise<void> }> };
}
let ort: Ort | undefined;
let ortWhy = '';
const files: { name: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  await init();
  try {
    ort = (await import('onnxruntime-web')) as unknown as Ort;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
  } catch (e) {
    ortWhy = `onnxruntime-web is not installed (${(e as Error).message.split('\n')[0]}): the ONNX Runtime comparisons are skipped`;
    console.log(ortWhy);
  }
});

let seed = 1;
const rand = (n: number) => {
  let s = (seed++ * 2654435761) >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
};
const ids = (n: number, V: number) => Int32Array.from(rand(n), (v) => Math.min(V - 1, Math.floor((v + 1) / 2 * V)));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
let worst = 0;

async function run(bytes: Uint8Array, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
  const s = await ort!.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try { return await s.run(feeds); } finally { await s.release(); }
}
const f32 = (a: Float32Array, dims: number[]) => new ort!.Tensor('float32', a, dims);
const i64 = (a: Int32Array, dims: number[]) => new ort!.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), dims);

type Cell = 'LSTM' | 'GRU' | 'RNN' | 'RNN_RELU';
function rnn(cell: Cell, o: { inputSize: number; hiddenSize: number; numLayers?: number; bidirectional?: boolean; batchFirst?: boolean; bias?: boolean; seed: number }): RecurrentLayer {
  if (cell === 'LSTM') return new LSTM(o);
  if (cell === 'GRU') return new GRU(o);
  return new RNN({ ...o, nonlinearity: cell === 'RNN_RELU' ? 'relu' : 'tanh' });
}

interface Case { name: string; make: (cell: Cell) => Sequential; ids?: number; output?: 'last' }
const CASES: Case[] = [
  { name: '1 layer, head', make: (c) => new Sequential([rnn(c, { inputSize: 5, hiddenSize: 7, seed: 1 }), new Linear({ inFeatures: 7, outFeatures: 3, seed: 2 })]) },
  { name: '2 layers bidirectional, batchFirst, dropout', make: (c) => new Sequential([rnn(c, { inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true, seed: 3 }), new Dropout(0.3), new Linear({ inFeatures: 12, outFeatures: 5, seed: 4 })]) },
  { name: 'token ids, stacked modules, no bias', ids: 11, make: (c) => new Sequential([new Embedding({ numEmbeddings: 11, embeddingDim: 6, seed: 5 }), rnn(c, { inputSize: 6, hiddenSize: 9, bias: false, seed: 6 }), rnn(c, { inputSize: 9, hiddenSize: 5, bidirectional: true, seed: 7 }), new Linear({ inFeatures: 10, outFeatures: 11, bias: false, seed: 8 }), new Linear({ inFeatures: 11, outFeatures: 4, seed: 9 })]) },
  { name: "output 'last', batchFirst bidirectional", output: 'last', make: (c) => new Sequential([rnn(c, { inputSize: 3, hiddenSize: 8, bidirectional: true, batchFirst: true, seed: 10 }), new Linear({ inFeatures: 16, outFeatures: 2, seed: 11 })], { output: 'last' }) },
];
const CELLS: Cell[] = ['LSTM', 'GRU', 'RNN', 'RNN_RELU'];

describe('exportOnnx → ONNX Runtime Web: the same outputs as predict', () => {
  for (const cell of CELLS) {
    for (const c of CASES) {
      it(`${cell}: ${c.name} (two batch sizes, one graph)`, async (ctx) => {
        if (!ort) return ctx.skip(ortWhy);
        const model = c.make(cell).eval();
        const bytes = exportOnnx(model);
        files.push({ name: `${cell}-${c.name.replace(/\W+/g, '_')}`, bytes });
        for (const [T, B] of [[6, 3], [4, 1]]) {
          const dims = model.batchFirst ? [B, T] : [T, B];
          const x = c.ids ? ids(T * B, c.ids) : rand(T * B * model.inputSize!);
          const ours = model.predict(x, { shape: c.ids ? dims : [...dims, model.inputSize!] });
          const r = await run(bytes, { input: c.ids ? i64(x as Int32Array, dims) : f32(x as Float32Array, [...dims, model.inputSize!]) });
          expect(r.output.dims).toEqual(c.output === 'last' ? [B, model.outputSize] : [...dims, model.outputSize]);
          const d = maxDiff(r.output.data as Float32Array, ours);
          worst = Math.max(worst, d);
          expect(d).toBeLessThanOrEqual(TOL);
        }
        model.dispose();
      });
    }
  }

  it('padded batches: lengths → sequence_lens; valid steps and output last agree (LSTM, GRU; bidirectional, 2 layers)', async (ctx) => {
    if (!ort) return ctx.skip(ortWhy);
    for (const cell of ['LSTM', 'GRU'] as const) {
      for (const output of ['sequence', 'last'] as const) {
        const model = new Sequential([rnn(cell, { inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true, seed: 12 }), new Linear({ inFeatures: 10, outFeatures: 3, seed: 13 })], { output }).eval();
        const T = 7, B = 4, lengths = Int32Array.of(7, 2, 5, 1);
        const x = rand(B * T * 4);
        const ours = model.predict(x, { shape: [B, T, 4], lengths });
        const bytes = exportOnnx(model, { lengths: true });
        files.push({ name: `${cell}-lengths-${output}`, bytes });
        const r = await run(bytes, { input: f32(x, [B, T, 4]), lengths: new ort.Tensor('int32', lengths, [B]) });
        const got = r.output.data as Float32Array;
        if (output === 'last') {
          const d = maxDiff(got, ours);
          worst = Math.max(worst, d);
          expect(d).toBeLessThanOrEqual(TOL);
        } else {
          for (let b = 0; b < B; b++) {
            const valid = (a: Float32Array) => a.subarray(b * T * 3, (b * T + lengths[b]) * 3);
            const d = maxDiff(valid(got), valid(ours));
            worst = Math.max(worst, d);
            expect(d).toBeLessThanOrEqual(TOL);
          }
        }
        model.dispose();
      }
    }
  });

  it('states: a sequence run in two calls with hN/cN fed back gives the one-call output (3 recurrent modules, stacked, LSTM and GRU)', async (ctx) => {
    if (!ort) return ctx.skip(ortWhy);
    const model = new Sequential([
      new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, seed: 14 }),
      new GRU({ inputSize: 6, hiddenSize: 4, bidirectional: false, seed: 15 }),
      new Linear({ inFeatures: 4, outFeatures: 2, seed: 16 }),
    ]).eval();
    const T = 8, B = 2, half = 5;
    const x = rand(T * B * 3);
    const ours = model.predict(x, { shape: [T, B, 3] });
    const bytes = exportOnnx(model, { states: true });
    files.push({ name: 'states', bytes });
    const zeros = (n: number) => new Float32Array(n);
    const first = await run(bytes, { input: f32(x.subarray(0, half * B * 3), [half, B, 3]), 'rnn.h0': f32(zeros(2 * B * 6), [2, B, 6]), 'rnn.c0': f32(zeros(2 * B * 6), [2, B, 6]), 'rnn1.h0': f32(zeros(B * 4), [1, B, 4]) });
    expect(Object.keys(first).sort()).toEqual(['output', 'rnn.cN', 'rnn.hN', 'rnn1.hN']);
    const second = await run(bytes, { input: f32(x.slice(half * B * 3), [T - half, B, 3]), 'rnn.h0': first['rnn.hN'], 'rnn.c0': first['rnn.cN'], 'rnn1.h0': first['rnn1.hN'] });
    const joined = new Float32Array(ours.length);
    joined.set(first.output.data as Float32Array);
    joined.set(second.output.data as Float32Array, half * B * 2);
    const d = maxDiff(joined, ours);
    worst = Math.max(worst, d);
    expect(d).toBeLessThanOrEqual(TOL);
    model.dispose();
  });

  it('a bare recurrent layer: output, hN, cN as forward gives them (and h0/c0 in)', async (ctx) => {
    if (!ort) return ctx.skip(ortWhy);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 17 });
    const T = 4, B = 3, x = rand(T * B * 3), h0 = rand(4 * B * 5), c0 = rand(4 * B * 5);
    const ours = lstm.forward(x, { shape: [T, B, 3], h0, c0 });
    const bytes = exportOnnx(lstm, { states: true });
    files.push({ name: 'bare-lstm', bytes });
    const r = await run(bytes, { input: f32(x, [T, B, 3]), h0: f32(h0, [4, B, 5]), c0: f32(c0, [4, B, 5]) });
    for (const [k, v] of [['output', ours.output], ['hN', ours.hN], ['cN', ours.cN!]] as const) {
      const d = maxDiff(r[k].data as Float32Array, v);
      worst = Math.max(worst, d);
      expect(d, k).toBeLessThanOrEqual(TOL);
    }
    const plain = exportOnnx(lstm); // no state inputs, final states still out
    expect(Object.keys(await run(plain, { input: f32(x, [T, B, 3]) })).sort()).toEqual(['cN', 'hN', 'output']);
    lstm.dispose();
  });

  afterAll(() => { if (ort) console.log(`exportOnnx vs ONNX Runtime Web: worst max |Δ| ${worst.toExponential(2)} (tolerance ${TOL})`); });
});

// ——— a protobuf reader for the structural checks (field number → values) ———
type Fields = Map<number, (number | Uint8Array)[]>;
function readMessage(b: Uint8Array): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = () => { let v = 0, m = 1; for (;;) { const x = b[i++]; v += (x & 127) * m; if (x < 128) return v; m *= 128; } };
  while (i < b.length) {
    const key = varint(), field = Math.floor(key / 8), wire = key % 8;
    let v: number | Uint8Array;
    if (wire === 0) v = varint();
    else if (wire === 2) { const n = varint(); v = b.subarray(i, i + n); i += n; } else throw new Error(`wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}
const str = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);
const msgs = (f: Fields, n: number) => (f.get(n) ?? []).map((v) => readMessage(v as Uint8Array));

describe('exportOnnx: the file read back', () => {
  beforeAll(() => init());

  it('opset 17, the nodes in order, gates re-ordered into W/R/B, names of inputs and outputs, dynamic dims', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, seed: 20 });
    const model = new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 2, seed: 21 }), lstm, new Linear({ inFeatures: 6, outFeatures: 5, seed: 22 })]);
    const m = readMessage(exportOnnx(model));
    expect(m.get(1)).toEqual([8]); // IR version
    expect(str(m.get(2)![0])).toBe('rnn-wasm');
    const opset = msgs(m, 8)[0];
    expect(opset.get(2)).toEqual([ONNX_OPSET]);
    const graph = msgs(m, 7)[0];
    expect(msgs(graph, 1).map((n) => str(n.get(4)![0]))).toEqual(['Transpose', 'Gather', 'LSTM', 'Transpose', 'Reshape', 'MatMul', 'Add', 'Transpose']);
    const lstmNode = msgs(graph, 1)[2];
    const attrs = Object.fromEntries(msgs(lstmNode, 5).map((a) => [str(a.get(1)![0]), a.get(3)?.[0] ?? (a.get(4) ? str(a.get(4)![0]) : undefined)]));
    expect(attrs).toEqual({ hidden_size: 3, direction: 'bidirectional' });
    const inits = new Map(msgs(graph, 5).map((t) => [str(t.get(8)![0]), t]));
    const W = inits.get('rnn_l0_W')!;
    expect(W.get(1)).toEqual([2, 12, 2]);
    // ONNX block 1 (o) is our block 3 (o), for the forward direction
    const raw = W.get(9)![0] as Uint8Array;
    const w = new Float32Array(raw.slice().buffer);
    const ours = lstm.stateDict().weight_ih_l0; // [i; f; g; o] blocks of 3×2
    expect(Array.from(w.subarray(6, 12))).toEqual(Array.from(ours.subarray(18, 24)));
    expect(Array.from(w.subarray(12, 18))).toEqual(Array.from(ours.subarray(6, 12))); // f
    expect(Array.from(w.subarray(18, 24))).toEqual(Array.from(ours.subarray(12, 18))); // g = c
    const io = (n: number) => msgs(graph, n).map((v) => str(v.get(1)![0]));
    expect(io(11)).toEqual(['input']);
    expect(io(12)).toEqual(['output']);
    const dims = msgs(msgs(msgs(msgs(graph, 11)[0], 2)[0], 1)[0], 2)[0];
    expect(msgs(dims, 1).map((d) => (d.has(2) ? str(d.get(2)![0]) : d.get(1)![0]))).toEqual(['batch', 'time']);
    const fixed = readMessage(exportOnnx(model, { batchSize: 4, sequenceLength: 9 }));
    const fdims = msgs(msgs(msgs(msgs(msgs(fixed, 7)[0], 11)[0], 2)[0], 1)[0], 2)[0];
    expect(msgs(fdims, 1).map((d) => d.get(1)![0])).toEqual([4, 9]);
    model.dispose();
  });

  it('GRU: linear_before_reset = 1 (PyTorch\'s GRU); ReLU RNN: activations per direction', () => {
    const gru = new Sequential([new GRU({ inputSize: 2, hiddenSize: 3, seed: 23 })]);
    const node = (m: Sequential) => msgs(msgs(readMessage(exportOnnx(m)), 7)[0], 1).find((n) => ['GRU', 'RNN'].includes(str(n.get(4)![0])))!;
    const a = msgs(node(gru), 5).find((x) => str(x.get(1)![0]) === 'linear_before_reset')!;
    expect(a.get(3)).toEqual([1]);
    const relu = new Sequential([new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', bidirectional: true, seed: 24 })]);
    const act = msgs(node(relu), 5).find((x) => str(x.get(1)![0]) === 'activations')!;
    expect(act.get(9)!.map(str)).toEqual(['Relu', 'Relu']);
    gru.dispose();
    relu.dispose();
  });

  it('refuses what has no ONNX form, and unknown or mistyped options, naming them', () => {
    const model = new Sequential([new GRU({ inputSize: 2, hiddenSize: 3, seed: 25 })]);
    expect(() => exportOnnx(model, { batchsize: 2 } as never)).toThrow(/exportOnnx: unknown option "batchsize" \(did you mean "batchSize"\?\)/);
    expect(() => exportOnnx(model, { states: 'yes' } as never)).toThrow(/exportOnnx states: expected true or false, got/);
    expect(() => exportOnnx(model, { sequenceLength: 0 })).toThrow(/exportOnnx sequenceLength: expected an integer ≥ 1, got number 0/);
    expect(() => exportOnnx({} as never)).toThrow(ConfigError);
    expect(() => exportOnnx(new Linear({ inFeatures: 2, outFeatures: 2 }) as never)).toThrow(/exportOnnx model: expected a Sequential or a recurrent layer/);
    const s2s = new Seq2Seq({ conditionSize: 3, decoder: new GRU({ inputSize: 2, hiddenSize: 4, seed: 1 }), head: new Linear({ inFeatures: 4, outFeatures: 2, seed: 2 }) }, { seed: 3 });
    expect(() => exportOnnx(s2s as never)).toThrow(/export the encoder and decoder as their own models/);
    s2s.dispose();
    model.dispose();
    expect(() => exportOnnx(model)).toThrow(/disposed/);
  });
});

describe('exportOnnx: python3-onnx checker', () => {
  it('onnx.checker.check_model(full_check=True) accepts every exported file', (ctx) => {
    let why = '';
    try {
      execFileSync(PY, ['-c', 'import onnx'], { stdio: 'pipe' });
    } catch {
      why = 'python3 with the onnx module is not installed (Debian: apt-get install python3-onnx): the checker test is skipped';
    }
    if (why) { console.log(why); return ctx.skip(why); }
    if (files.length === 0) {
      // ONNX Runtime absent: export the same kinds of models here
      for (const cell of CELLS) for (const c of CASES) { const m = c.make(cell); files.push({ name: `${cell}-${c.name.replace(/\W+/g, '_')}`, bytes: exportOnnx(m) }); m.dispose(); }
    }
    const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-onnx-'));
    try {
      for (const f of files) writeFileSync(join(dir, `${f.name}.onnx`), f.bytes);
      const script = 'import onnx, sys, glob\nfor p in sorted(glob.glob(sys.argv[1] + "/*.onnx")):\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint(onnx.__version__, len(glob.glob(sys.argv[1] + "/*.onnx")))';
      const out = execFileSync(PY, ['-c', script, dir], { encoding: 'utf8' }).trim().split(' ');
      console.log(`onnx ${out[0]} checker (full_check): ${out[1]} files accepted`);
      expect(Number(out[1])).toBe(files.length);
      // the checker can refuse: the same kind of file with its LSTM node's op type misspelled
      const bad = exportOnnx(new Sequential([new LSTM({ inputSize: 3, hiddenSize: 2, seed: 30 })]));
      const opType = Uint8Array.of(34, 4, ...new TextEncoder().encode('LSTM')); // NodeProto.op_type, 4 bytes
      const at = bad.findIndex((_, i) => opType.every((c, j) => bad[i + j] === c));
      expect(at).toBeGreaterThan(0);
      bad[at + 5] = 'X'.charCodeAt(0); // 'LSTX': no such operator
      writeFileSync(join(dir, 'bad.onnx'), bad);
      expect(() => execFileSync(PY, ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', join(dir, 'bad.onnx')], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
