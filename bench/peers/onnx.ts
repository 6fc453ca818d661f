// ONNX Runtime Web (inference only), an optional peer: run when onnxruntime-web is installed.
// It runs OUR inference model: the row's weights are written as an ONNX graph (LSTM | GRU | RNN
// op, Squeeze, MatMul, Add) by the small protobuf writer below, so before timing, ORT's logits
// are checked against ours on the row's input. ORT's recurrent ops are time-major, so ORT is
// given the row's input transposed to [T, B, I] once, outside the timing. Wasm backend, one thread.
import { asyncJob, type Job } from '../compare.js';
import { oneHotStream, type Config, type Data } from '../suite.js';

export const SYSTEM = 'ONNX Runtime Web';

// The part of onnxruntime-web's API used here, declared locally: the package is optional (it is
// ~140 MB installed; `npm install --no-save onnxruntime-web` enables these rows), so the
// project must type-check without it.
interface OrtTensor { readonly data: unknown }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: { wasm: { numThreads: number; proxy: boolean }; versions?: { web?: string } };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: { executionProviders: string[]; graphOptimizationLevel: string }): Promise<OrtSession> };
}
const PACKAGE = 'onnxruntime-web';

export interface OrtPeer { ort: Ort; version: string; info: string }

/** Load onnxruntime-web (wasm, 1 thread), or say why not. */
export async function loadOrt(): Promise<OrtPeer | string> {
  let ort: Ort;
  try {
    ort = (await import(PACKAGE)) as Ort;
  } catch (e) {
    return `onnxruntime-web is not installed (${(e as Error).message.split('\n')[0]})`;
  }
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const version = ort.env.versions?.web ?? 'unknown';
  return { ort, version, info: 'wasm execution provider, numThreads 1, graphOptimizationLevel all' };
}

// ——— a minimal protobuf writer: the ONNX messages used here (field numbers from onnx.proto) ———

class Pb {
  private readonly out: number[] = [];
  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`onnx writer: varint ${v}`);
    while (v > 127) { this.out.push((v % 128) | 128); v = Math.floor(v / 128); }
    this.out.push(v);
  }
  int(field: number, v: number): this { this.varint(field * 8); this.varint(v); return this; }
  bytes(field: number, b: Uint8Array): this {
    this.varint(field * 8 + 2);
    this.varint(b.length);
    for (const x of b) this.out.push(x);
    return this;
  }
  str(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  msg(field: number, m: Pb): this { return this.bytes(field, m.finish()); }
  finish(): Uint8Array { return Uint8Array.from(this.out); }
}

const FLOAT = 1, INT64 = 7; // TensorProto.DataType
const ATTR_INT = 2, ATTR_STRINGS = 8; // AttributeProto.AttributeType

function tensor(name: string, dims: number[], data: Float32Array | BigInt64Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, data instanceof Float32Array ? FLOAT : INT64).str(8, name);
  return t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // raw_data, little-endian
}

function valueInfo(name: string, dims: number[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, new Pb().int(1, d));
  return new Pb().str(1, name).msg(2, new Pb().msg(1, new Pb().int(1, FLOAT).msg(2, shape)));
}

function node(op: string, inputs: string[], outputs: string[], attrs: Pb[] = []): Pb {
  const n = new Pb();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(4, op);
  for (const a of attrs) n.msg(5, a);
  return n;
}

const attrInt = (name: string, v: number) => new Pb().str(1, name).int(3, v).int(20, ATTR_INT);
function attrStrings(name: string, vs: string[]): Pb {
  const a = new Pb().str(1, name);
  for (const v of vs) a.str(9, v);
  return a.int(20, ATTR_STRINGS);
}

// ——— our weights as the ONNX graph ———

/** PyTorch gate blocks → ONNX's order: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h. */
const ONNX_GATES: Record<Config['cell'], number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

function reorderGates(w: Float32Array, cell: Config['cell'], H: number): Float32Array {
  const order = ONNX_GATES[cell], block = w.length / order.length, out = new Float32Array(w.length);
  if (block % H !== 0) throw new Error('onnx writer: gate blocks');
  order.forEach((src, dst) => out.set(w.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

/** The state-dict entry whose name ends in `.${name}` (exactly one: one recurrent layer, one head). */
function param(w: Record<string, Float32Array>, name: string): Float32Array {
  const keys = Object.keys(w).filter((k) => k.endsWith(`.${name}`));
  if (keys.length !== 1) throw new Error(`onnx writer: expected one parameter *.${name}, found ${keys.join(', ') || 'none'}`);
  return w[keys[0]];
}

/**
 * The model of a row (one recurrent layer, then the linear head: our state dict, PyTorch names)
 * for T×B inputs; `stream` adds the state as inputs and outputs (initial_h/c → Y_h/c).
 */
export function onnxModel(c: Config, w: Record<string, Float32Array>, T: number, B: number, stream = false): Uint8Array {
  const { H, I, O, cell } = c;
  const lin = new Float32Array(H * O); // Linear weight [O, H] → MatMul's [H, O]
  const wOut = param(w, 'weight');
  for (let o = 0; o < O; o++) for (let h = 0; h < H; h++) lin[h * O + o] = wOut[o * H + h];
  const G = ONNX_GATES[cell].length;
  const bias = new Float32Array(2 * G * H);
  bias.set(reorderGates(param(w, 'bias_ih_l0'), cell, H));
  bias.set(reorderGates(param(w, 'bias_hh_l0'), cell, H), G * H);
  const inits = [
    tensor('W', [1, G * H, I], reorderGates(param(w, 'weight_ih_l0'), cell, H)),
    tensor('R', [1, G * H, H], reorderGates(param(w, 'weight_hh_l0'), cell, H)),
    tensor('B', [1, 2 * G * H], bias),
    tensor('axis1', [1], BigInt64Array.of(1n)),
    tensor('Wout', [H, O], lin),
    tensor('bout', [O], param(w, 'bias')),
  ];
  const attrs = [attrInt('hidden_size', H)];
  if (cell === 'GRU') attrs.push(attrInt('linear_before_reset', 1)); // PyTorch's GRU
  if (cell === 'RNN') attrs.push(attrStrings('activations', ['Tanh']));
  const lstm = cell === 'LSTM';
  const rnnIn = stream ? ['x', 'W', 'R', 'B', '', 'h0', ...(lstm ? ['c0'] : [])] : ['x', 'W', 'R', 'B'];
  const rnnOut = stream ? ['Y', 'hN', ...(lstm ? ['cN'] : [])] : ['Y'];
  const nodes = [
    node(cell, rnnIn, rnnOut, attrs),
    node('Squeeze', ['Y', 'axis1'], ['Ys']), // [T, 1, B, H] → [T, B, H]
    node('MatMul', ['Ys', 'Wout'], ['logits0']),
    node('Add', ['logits0', 'bout'], ['y']),
  ];
  const g = new Pb();
  for (const n of nodes) g.msg(1, n);
  g.str(2, `rnn-wasm ${c.id}`);
  for (const t of inits) g.msg(5, t);
  g.msg(11, valueInfo('x', [T, B, I]));
  if (stream) {
    g.msg(11, valueInfo('h0', [1, B, H]));
    if (lstm) g.msg(11, valueInfo('c0', [1, B, H]));
  }
  g.msg(12, valueInfo('y', [T, B, O]));
  if (stream) {
    g.msg(12, valueInfo('hN', [1, B, H]));
    if (lstm) g.msg(12, valueInfo('cN', [1, B, H]));
  }
  return new Pb().int(1, 8).str(2, 'rnn-wasm bench').msg(7, g).msg(8, new Pb().str(1, '').int(2, 17)).finish();
}

const session = (p: OrtPeer, model: Uint8Array) =>
  p.ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });

/** [B, T, F] → [T, B, F]. */
function timeMajor(x: Float32Array, B: number, T: number, F: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), (t * B + b) * F);
  return out;
}

export interface OrtRow {
  infer: Job;
  /** Largest |ORT − ours| over the row's logits. */
  maxAbsDiff: number;
  dispose(): void;
}

/** ORT on the row's data with our inference model's weights; `ours` = our logits [B, T, O] for d.x. */
export async function ortRow(p: OrtPeer, c: Config, d: Data, weights: Record<string, Float32Array>, ours: Float32Array): Promise<OrtRow> {
  const { B, T, I, O } = c;
  const s = await session(p, onnxModel(c, weights, T, B));
  const x = new p.ort.Tensor('float32', timeMajor(d.x, B, T, I), [T, B, I]);
  const run = async () => (await s.run({ x })).y.data as Float32Array;
  const y = await run();
  let maxAbsDiff = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let o = 0; o < O; o++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(y[(t * B + b) * O + o] - ours[(b * T + t) * O + o])); // NaN stays NaN
    }
  }
  return {
    infer: asyncJob(SYSTEM, B * T, run, 'session.run({ x }) → logits (time-major input)'),
    maxAbsDiff,
    dispose() { void s.release(); },
  };
}

/** Streaming on ORT: one run per step, the state fed back; softmax in JS like ours. */
export async function ortStream(p: OrtPeer, c: Config, weights: Record<string, Float32Array>, softmax: (v: Float32Array, out: Float32Array) => void): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const { H, I, O } = c;
  const s = await session(p, onnxModel(c, weights, 1, 1, true));
  const input = oneHotStream();
  const probs = new Float32Array(O);
  const feeds: Record<string, OrtTensor> = {
    x: new p.ort.Tensor('float32', input.x, [1, 1, I]), // refilled in place by next()
    h0: new p.ort.Tensor('float32', new Float32Array(H), [1, 1, H]),
  };
  if (c.cell === 'LSTM') feeds.c0 = new p.ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
  return {
    async step() {
      input.next();
      const r = await s.run(feeds);
      feeds.h0 = r.hN;
      if (r.cN) feeds.c0 = r.cN;
      softmax(r.y.data as Float32Array, probs);
    },
    dispose() { void s.release(); },
  };
}
