// save()/load(): round trips, dtypes, and hostile or broken files (each refused with a clear
// message, nothing leaked, nothing already loaded altered).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors, Dropout, Embedding, encodeSafetensors, FormatError, GRU, init, Linear, load, LSTM, RNN, save, Sequential, StateDictError,
} from '../../src/index.js';
import { loadFile, saveFile } from '../../src/node.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { randoms } from '../support/wasm.js';

beforeAll(() => init());

const charModel = () => new Sequential([
  new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 }),
  new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, seed: 2 }),
  new Dropout(0.2, { seed: 3 }),
  new Linear({ inFeatures: 4, outFeatures: 5, seed: 4 }),
], { vocabulary: 'abc d' });

describe('save / load round trips', () => {
  it('a character model: same class, config, weights and predictions', () => {
    const m = charModel().eval();
    const ids = new Int32Array([0, 1, 2, 3, 4, 4, 3, 2]);
    const before = m.forward(ids, { shape: [2, 4] }).output;
    const bytes = m.save();
    expect(save(m)).toEqual(bytes); // deterministic
    const again = load(bytes) as Sequential;
    expect(again).toBeInstanceOf(Sequential);
    expect(again.config()).toEqual(m.config());
    expect(again.vocabulary).toBe('abc d');
    expect(again.training).toBe(false);
    expect(again.forward(ids, { shape: [2, 4] }).output).toEqual(before);
    expect(again.save()).toEqual(bytes);
  });

  it('bare recurrent layers of every kind, many-to-one models', () => {
    const layers = [
      new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', bidirectional: true, seed: 5 }),
      new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 3, bias: false, seed: 6 }),
      new LSTM({ inputSize: 2, hiddenSize: 1, batchFirst: true, seed: 7 }),
    ];
    const x = randoms(4 * 2 * 2, 8);
    for (const l of layers) {
      const again = load(save(l)) as RNN;
      expect(again.constructor).toBe(l.constructor);
      expect(again.config()).toEqual(l.config());
      expect(again.forward(x, { shape: [4, 2, 2] }).output).toEqual(l.forward(x, { shape: [4, 2, 2] }).output);
    }
    const m = new Sequential([new GRU({ inputSize: 2, hiddenSize: 3, seed: 9 }), new Linear({ inFeatures: 3, outFeatures: 1, seed: 10 })], { output: 'last' });
    expect((load(m.save()) as Sequential).forward(x, { shape: [4, 2, 2] }).output).toEqual(m.forward(x, { shape: [4, 2, 2] }).output);
  });

  it('Node file helpers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-'));
    const m = charModel();
    await saveFile(m, join(dir, 'm.safetensors'));
    const again = await loadFile(join(dir, 'm.safetensors')) as Sequential;
    expect(again.stateDict()).toEqual(m.stateDict());
    await expect(loadFile(join(dir, 'm.safetensors'), { maxBytes: 100 })).rejects.toThrow(/more than the 100 allowed/);
  });

  it('float16, bfloat16 and float64 tensors are converted on load', () => {
    const l = new GRU({ inputSize: 2, hiddenSize: 2, seed: 11 });
    const bytes = save(l);
    const { tensors, metadata } = decodeSafetensors(bytes);
    for (const dtype of ['F16', 'BF16', 'F64'] as const) {
      const file = writeRaw(metadata, [...tensors].map(([name, t]) => ({ name, dtype, shape: t.shape, data: t.data })));
      const again = load(file) as GRU;
      const want = l.stateDict(), got = again.stateDict();
      const tol = dtype === 'F64' ? 0 : dtype === 'F16' ? 2 ** -11 : 2 ** -7; // F16 rounds (half an ulp); this test's BF16 writer truncates (one ulp)
      for (const k of Object.keys(want)) {
        want[k].forEach((v, i) => expect(Math.abs(got[k][i] - v)).toBeLessThanOrEqual(tol * Math.abs(v) + 1e-7));
      }
    }
  });
});

// A safetensors file written field by field, to build broken ones.
function writeRaw(metadata: Record<string, string> | undefined, tensors: { name: string; dtype: 'F32' | 'F16' | 'BF16' | 'F64'; shape: number[]; data: ArrayLike<number> }[]): Uint8Array {
  const size = { F32: 4, F16: 2, BF16: 2, F64: 8 };
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  const chunks: Uint8Array[] = [];
  for (const t of tensors) {
    const b = new Uint8Array(t.data.length * size[t.dtype]);
    const v = new DataView(b.buffer);
    for (let i = 0; i < t.data.length; i++) {
      if (t.dtype === 'F32') v.setFloat32(4 * i, t.data[i], true);
      else if (t.dtype === 'F64') v.setFloat64(8 * i, t.data[i], true);
      else if (t.dtype === 'BF16') { const f = new Float32Array([t.data[i]]); v.setUint16(2 * i, new Uint32Array(f.buffer)[0] >>> 16, true); }
      else v.setUint16(2 * i, floatToHalf(t.data[i]), true);
    }
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + b.length] };
    off += b.length;
    chunks.push(b);
  }
  return container(JSON.stringify(header), chunks);
}

function container(json: string, chunks: Uint8Array[] = []): Uint8Array {
  const h = new TextEncoder().encode(json);
  const total = 8 + h.length + chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  return out;
}

function floatToHalf(x: number): number {
  // round to nearest even via float32 bits (adequate for the normal range used here)
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000, exp = ((u >>> 23) & 0xff) - 127 + 15, mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

describe('hostile and broken files', () => {
  let goodBytes: Uint8Array | undefined;
  const good = () => (goodBytes ??= save(new LSTM({ inputSize: 2, hiddenSize: 2, seed: 12 }))).slice();
  const meta = () => decodeSafetensors(good()).metadata;
  const ok = () => [...decodeSafetensors(good()).tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data }));

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty file', () => new Uint8Array(0), /file too short \(0 bytes\)/],
    ['a header of several GiB declared in 8 bytes', () => { const b = good(); new DataView(b.buffer).setUint32(4, 3, true); return b; }, /header length 12884\d+ bytes exceeds the limit/],
    ['a header length larger than the file', () => { const b = good(); new DataView(b.buffer).setUint32(0, b.length, true); return b; }, /runs past the end of the file/],
    ['a truncated payload', () => good().subarray(0, good().length - 7), /run past the payload .* truncated/],
    ['trailing bytes', () => { const b = good(); const c = new Uint8Array(b.length + 4); c.set(b); return c; }, /belong to no tensor \(trailing data\)/],
    ['not JSON', () => container('{"a": [1, 2'), /not valid UTF-8 JSON/],
    ['invalid UTF-8', () => { const b = container('{"x":1}'); b[10] = 0xff; return b; }, /not valid UTF-8 JSON/],
    ['a JSON array header', () => container('[1, 2, 3]'), /not valid UTF-8 JSON: it does not start with/],
    ['overlapping offsets', () => {
      const t = ok();
      const json = JSON.parse(new TextDecoder().decode(writeRaw(meta(), t).subarray(8, 8 + new DataView(writeRaw(meta(), t).buffer).getUint32(0, true))));
      const names = Object.keys(json).filter((k) => k !== '__metadata__');
      const a = json[names[0]].data_offsets, b = json[names[1]].data_offsets;
      json[names[1]].data_offsets = [a[0], a[0] + (b[1] - b[0])];
      return container(JSON.stringify(json), [new Uint8Array(t.reduce((n, x) => n + x.data.length * 4, 0))]);
    }, /overlap|belong to no tensor/],
    ['out-of-range offsets', () => {
      const t = ok();
      const json = { __metadata__: meta(), [t[0].name]: { dtype: 'F32', shape: [2], data_offsets: [1e12, 1e12 + 8] } };
      return container(JSON.stringify(json), [new Uint8Array(8)]);
    }, /run past the payload/],
    ['negative offsets', () => container(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }), [new Uint8Array(4)]), /data_offsets must be \[begin, end\]/],
    ['shape disagreeing with the byte range', () => container(JSON.stringify({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), [new Uint8Array(8)]), /needs 12 bytes but data_offsets give 8/],
    ['a huge shape', () => container(JSON.stringify({ w: { dtype: 'F32', shape: [2 ** 31, 2 ** 31], data_offsets: [0, 8] } }), [new Uint8Array(8)]), /needs \d+ bytes but data_offsets give 8/],
    ['an integer dtype', () => container(JSON.stringify({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }), [new Uint8Array(8)]), /unsupported dtype "I64"; rnn-wasm reads F32, F16, BF16 and F64/],
    ['an unknown dtype', () => container(JSON.stringify({ w: { dtype: 'Q3', shape: [1], data_offsets: [0, 8] } }), [new Uint8Array(8)]), /unknown dtype "Q3"/],
    ['no rnn-wasm metadata', () => writeRaw(undefined, ok()), /no rnn-wasm model configuration .* pass load\(bytes, \{ config \}\)/],
    ['a newer format version', () => writeRaw({ ...meta(), format_version: '7' }, ok()), /format version 7, written by a newer rnn-wasm; this version reads up to 1/],
    ['a configuration that is not JSON', () => writeRaw({ ...meta(), model: '{oops' }, ok()), /__metadata__\.model is not valid JSON/],
    ['an unknown layer type', () => writeRaw({ ...meta(), model: '{"type":"Transformer"}' }, ok()), /unknown layer type "Transformer"/],
    ['shapes that do not match the configuration', () => writeRaw({ ...meta(), model: JSON.stringify({ type: 'LSTM', inputSize: 3, hiddenSize: 2 }) }, ok()), /tensor "weight_ih_l0": shape \[8, 2\] does not match the configuration's \[8, 3\]/],
    ['a missing tensor', () => writeRaw(meta(), ok().slice(1)), /missing tensor "weight_ih_l0"/],
    ['an extra tensor', () => writeRaw(meta(), [...ok(), { name: 'weight_hr_l0', dtype: 'F32', shape: [1], data: [1] }]), /unexpected tensor "weight_hr_l0"/],
    ['non-finite weights', () => { const t = ok(); t[1].data = Float32Array.from(t[1].data); (t[1].data as Float32Array)[2] = Infinity; return writeRaw(meta(), t); }, /"weight_hh_l0": element 2 is Infinity; weights must be finite/],
  ];

  for (const [name, make, message] of cases) {
    it(`${name} → a clear error, no memory kept`, () => {
      const { arena } = getRuntime();
      const bytes = make();
      const used = arena.allocatedBytes;
      let err: unknown;
      try { load(bytes); } catch (e) { err = e; }
      expect(err, 'must throw').toBeDefined();
      expect((err as Error).constructor === FormatError || err instanceof StateDictError).toBe(true);
      expect((err as Error).message).toMatch(message);
      expect(arena.allocatedBytes).toBeLessThanOrEqual(used); // never grows (the finalizer may free abandoned layers)
    });
  }

  it('a model already in use is not altered by a failed load of another file', () => {
    const m = charModel();
    const before = JSON.stringify(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v)]));
    expect(() => load(new Uint8Array(20))).toThrow(FormatError);
    expect(JSON.stringify(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v)]))).toBe(before);
  });

  it('encode/decode is exact for float32 and aligns the payload to 8 bytes', () => {
    const data = randoms(7, 13);
    const bytes = encodeSafetensors({ a: { shape: [7], data } }, { k: 'v' });
    expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.tensors.get('a')!.data).toEqual(data);
    expect(back.metadata).toEqual({ k: 'v' });
  });
});
