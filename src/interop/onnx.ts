// exportOnnx: a Sequential (or one recurrent layer) as an ONNX model for ONNX Runtime and the
// other ONNX tools. Every layer maps onto standard operators (opset 17): Embedding → Gather,
// RNN/LSTM/GRU → one RNN/LSTM/GRU node per stacked layer (PyTorch's gate blocks re-ordered to
// ONNX's; PyTorch's GRU is ONNX's linear_before_reset=1), bidirectional outputs joined forward
// then reverse as PyTorch does, Linear → MatMul + Add, Dropout → nothing (inference).
import { ConfigError } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { RecurrentLayer, type Mode } from '../layers/recurrent.js';
import { describe } from '../layers/validate.js';
import { Composite } from '../model/composite.js';
import { Sequential, type Layer } from '../model/sequential.js';
import { checkOptions, is } from '../options.js';
import { permuteBlocks, transpose } from './blocks.js';
import { ProtoWriter as Pb } from './protobuf.js';

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** A fixed batch size in the graph's shapes. Default: dynamic (the dimension named `batch`). */
  batchSize?: number;
  /** A fixed number of timesteps. Default: dynamic (the dimension named `time`). */
  sequenceLength?: number;
  /**
   * Add each recurrent layer's initial states as inputs and its final states as outputs, for
   * streaming (feed the outputs back as the next call's inputs): `h0` → `hN` (and `c0` → `cN`
   * for an LSTM), `[numLayers·D, batch, H]` like PyTorch's. With more than one recurrent layer
   * in the model the names are prefixed by the layer's module name: `rnn.h0`, `rnn1.h0`, ….
   * Default false (zero initial states). A bare recurrent layer always outputs its final states.
   */
  states?: boolean;
  /**
   * Add the input `lengths` (int32 `[batch]`, each in [1, time]) for right-padded batches: it is
   * the recurrent nodes' `sequence_lens`, and output 'last' takes each sequence's last valid step.
   * The valid steps' outputs are the same as {@link Sequential.predict} with `lengths`; at padded
   * steps ONNX's recurrent outputs are zeros where ours repeat the state. Default false.
   */
  lengths?: boolean;
  /** The graph's name. Default: the model's description. */
  name?: string;
}

const RULES = {
  batchSize: is.int(1), sequenceLength: is.int(1), states: is.bool, lengths: is.bool, name: is.string,
};

/** The ONNX opset the exported graphs use. */
export const ONNX_OPSET = 17;

// TensorProto.DataType, AttributeProto.AttributeType
const FLOAT = 1, INT32 = 6, INT64 = 7;
const ATTR_INT = 2, ATTR_STRING = 3, ATTR_INTS = 7, ATTR_STRINGS = 8;
const INT64_MAX = 9223372036854775807n;

// our gate block → ONNX's: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h (ONNX block k is ours ORDER[k])
const ORDER: Record<Mode, number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN_TANH: [0], RNN_RELU: [0] };
const OP: Record<Mode, string> = { LSTM: 'LSTM', GRU: 'GRU', RNN_TANH: 'RNN', RNN_RELU: 'RNN' };

/**
 * The model as an ONNX file (a serialized `ModelProto`, opset 17), with its weights inside. The
 * graph takes what {@link Sequential.predict}'s first form takes and gives what it returns, in
 * the model's layout: input `input` — float `[T, B, I]` (`[B, T, I]` with batchFirst), or int64
 * token ids `[T, B]` / `[B, T]` when the first layer is an Embedding — and output `output`:
 * `[T, B, O]` / `[B, T, O]`, or `[B, O]` for output 'last'. A bare recurrent layer gives
 * `output`, `hN` (and `cN`) as its `forward` does. Batch and time are dynamic unless fixed.
 *
 * Refused with a ConfigError: anything that is not a Sequential or a recurrent layer (export
 * a Seq2Seq's parts separately). ONNX Runtime gives the same outputs as `predict` to about 1e-6.
 *
 * @example
 * ```ts
 * import { exportOnnx } from 'rnn-wasm/interop';
 * const bytes = exportOnnx(model);                  // Uint8Array: write it to model.onnx
 * // ONNX Runtime: (await session.run({ input: new ort.Tensor('int64', ids, [T, B]) })).output
 * ```
 */
export function exportOnnx(model: Sequential | RecurrentLayer, options: OnnxExportOptions = {}): Uint8Array {
  const o = checkOptions<OnnxExportOptions>('exportOnnx', options, RULES);
  let layers: readonly Layer[], names: readonly string[], output: 'sequence' | 'last', bare = false;
  if (model instanceof Sequential) {
    layers = model.layers;
    names = model.names;
    output = model.output;
  } else if (model instanceof RecurrentLayer) {
    layers = [model];
    names = ['rnn'];
    output = 'sequence';
    bare = true;
  } else {
    throw new ConfigError(`exportOnnx model: expected a Sequential or a recurrent layer (RNN, LSTM, GRU), got ${describe(model)}` +
      ((model as unknown) instanceof Composite ? ': export the encoder and decoder as their own models, or run the Seq2Seq with rnn-wasm' : ''));
  }
  const g = new Graph(o.batchSize ?? 'batch', o.sequenceLength ?? 'time');
  const recurrent = layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer);
  const batchFirst = recurrent[0].batchFirst;
  const stateName = (i: number) => (recurrent.length === 1 ? '' : `${names[i]}.`);

  // the input, then time-major [T, B, F] inside
  let x: string;
  const first = layers[0];
  if (first instanceof Embedding) {
    g.input('input', INT64, batchFirst ? [g.B, g.T] : [g.T, g.B]);
    const ids = batchFirst ? g.node('Transpose', ['input'], { perm: [1, 0] }) : 'input';
    x = g.node('Gather', [g.weight(`${names[0]}_weight`, [first.numEmbeddings, first.embeddingDim], first.stateDict().weight), ids]);
  } else {
    g.input('input', FLOAT, batchFirst ? [g.B, g.T, recurrent[0].inputSize] : [g.T, g.B, recurrent[0].inputSize]);
    x = batchFirst ? g.node('Transpose', ['input'], { perm: [1, 0, 2] }) : 'input';
  }
  const lengths = o.lengths ? 'lengths' : '';
  if (lengths) g.input('lengths', INT32, [g.B]);

  const lastRecurrent = layers.lastIndexOf(recurrent[recurrent.length - 1]);
  let features = 0, timeMajor = true;
  layers.forEach((l, i) => {
    if (l instanceof RecurrentLayer) {
      x = recurrentNodes(g, l, names[i], x, lengths, { prefix: stateName(i), inputs: o.states === true, outputs: o.states === true || bare });
      features = l.numDirections * l.hiddenSize;
    } else if (l instanceof Linear) {
      const w = l.stateDict();
      x = g.node('MatMul', [x, g.weight(`${names[i]}_weight_t`, [l.inFeatures, l.outFeatures], transpose(w.weight, l.outFeatures, l.inFeatures))]);
      if (l.bias) x = g.node('Add', [x, g.weight(`${names[i]}_bias`, [l.outFeatures], w.bias)]);
      features = l.outFeatures;
    } else if (!(l instanceof Dropout) && !(l instanceof Embedding)) {
      throw new ConfigError(`exportOnnx: layer ${i} (${names[i]}) ${describe(l)} has no ONNX form`);
    }
    if (i === lastRecurrent && output === 'last') {
      x = lastStep(g, x, features, lengths);
      timeMajor = false;
    }
  });

  if (timeMajor && batchFirst) x = g.node('Transpose', [x], { perm: [1, 0, 2] });
  g.rename(x, 'output');
  g.output('output', output === 'last' ? [g.B, features] : batchFirst ? [g.B, g.T, features] : [g.T, g.B, features]);
  for (const s of g.stateOutputs) g.output(s.name, s.dims);
  return g.model(o.name ?? model.describe());
}

// One ONNX recurrent node per stacked layer of `l`; returns the time-major output [T, B, D·H].
// The states h0/c0 (graph inputs, sliced per stacked layer) and hN/cN (outputs) are named with `state.prefix`.
function recurrentNodes(g: Graph, l: RecurrentLayer, name: string, x: string, lengths: string, state: { prefix: string; inputs: boolean; outputs: boolean }): string {
  const w = l.stateDict(), D = l.numDirections, H = l.hiddenSize, L = l.numLayers;
  const order = ORDER[l.mode], G = order.length, lstm = l.mode === 'LSTM';
  const stateDims = [L * D, g.B, H];
  const kinds = lstm ? ['h', 'c'] : ['h'];
  const pre = state.prefix;
  if (state.inputs) for (const k of kinds) g.input(`${pre}${k}0`, FLOAT, stateDims);
  const finals: Record<string, string[]> = { h: [], c: [] };
  for (let k = 0; k < L; k++) {
    const I = k === 0 ? l.inputSize : D * H;
    const dirs = D === 2 ? ['', '_reverse'] : [''];
    const W = new Float32Array(D * G * H * I), R = new Float32Array(D * G * H * H), B = new Float32Array(D * 2 * G * H);
    dirs.forEach((sfx, d) => {
      W.set(permuteBlocks(w[`weight_ih_l${k}${sfx}`], order, H * I), d * G * H * I);
      R.set(permuteBlocks(w[`weight_hh_l${k}${sfx}`], order, H * H), d * G * H * H);
      if (l.bias) {
        B.set(permuteBlocks(w[`bias_ih_l${k}${sfx}`], order, H), d * 2 * G * H);
        B.set(permuteBlocks(w[`bias_hh_l${k}${sfx}`], order, H), d * 2 * G * H + G * H);
      }
    });
    const p = `${name}_l${k}`;
    const inputs = [x, g.weight(`${p}_W`, [D, G * H, I], W), g.weight(`${p}_R`, [D, G * H, H], R), l.bias ? g.weight(`${p}_B`, [D, 2 * G * H], B) : '', lengths];
    if (state.inputs) {
      // rows k·D … (k+1)·D of the [L·D, B, H] state inputs
      const rows = (s: string) => (L === 1 ? s : g.node('Slice', [s, g.ints(`${p}_from`, [k * D]), g.ints(`${p}_to`, [(k + 1) * D]), g.ints('axis0', [0])]));
      inputs.push(rows(`${pre}h0`));
      if (lstm) inputs.push(rows(`${pre}c0`));
    }
    const attrs: Record<string, Attr> = { hidden_size: H };
    if (D === 2) attrs.direction = 'bidirectional';
    if (l.mode === 'GRU') attrs.linear_before_reset = 1;
    if (l.mode === 'RNN_RELU') attrs.activations = dirs.map(() => 'Relu');
    const outs = g.nodeOutputs(OP[l.mode], trimTrailing(inputs), lstm ? 3 : 2, attrs);
    finals.h.push(outs[1]);
    if (lstm) finals.c.push(outs[2]);
    // Y [T, D, B, H] → [T, B, D·H], forward features then reverse
    x = D === 1
      ? g.node('Squeeze', [outs[0], g.ints('axis1', [1])])
      : g.node('Reshape', [g.node('Transpose', [outs[0]], { perm: [0, 2, 1, 3] }), g.ints('keep2_merge', [0, 0, -1])]);
  }
  if (state.outputs) {
    for (const k of kinds) {
      const parts = finals[k];
      const out = parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: 0 });
      g.rename(out, `${pre}${k}N`);
      g.stateOutputs.push({ name: `${pre}${k}N`, dims: stateDims });
    }
  }
  return x;
}

// [T, B, F] → [B, F]: the last step, or with lengths each sequence's step lengths[b] − 1.
function lastStep(g: Graph, x: string, F: number, lengths: string): string {
  if (!lengths) return g.node('Squeeze', [g.node('Slice', [x, g.ints('minus1', [-1]), g.ints('end', [INT64_MAX]), g.ints('axis0', [0])]), g.ints('axis0', [0])]);
  const last = g.node('Sub', [lengths, g.int32s('one_i32', [1])]);
  const idx = g.node('Expand', [g.node('Reshape', [last, g.ints('shape_1_b_1', [1, -1, 1])]), g.ints('shape_1_1_f', [1, 1, F])]);
  return g.node('Squeeze', [g.node('GatherElements', [x, idx], { axis: 0 }), g.ints('axis0', [0])]);
}

// optional inputs left out at the end ('' in the middle marks a skipped one)
function trimTrailing(inputs: string[]): string[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === '') n--;
  return inputs.slice(0, n);
}

type Dim = number | string;
type Attr = number | string | number[] | string[];

// The graph being written: nodes in order, initializers by name (constants shared), inputs/outputs.
class Graph {
  readonly inits = new Map<string, Pb>();
  readonly inputs: Pb[] = [];
  readonly outputs: Pb[] = [];
  readonly stateOutputs: { name: string; dims: Dim[] }[] = [];
  private readonly renames = new Map<string, string>();
  private count = 0;
  // node outputs, kept unencoded until the end so that the last one can take its final name
  private readonly pending: { op: string; inputs: string[]; outputs: string[]; attrs: Record<string, Attr> }[] = [];

  constructor(readonly B: Dim, readonly T: Dim) {}

  input(name: string, type: number, dims: Dim[]): void {
    this.inputs.push(valueInfo(name, type, dims));
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, FLOAT, dims));
  }

  /** A node with one output; returns its name. */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.nodeOutputs(op, inputs, 1, attrs)[0];
  }

  nodeOutputs(op: string, inputs: string[], n: number, attrs: Record<string, Attr> = {}): string[] {
    const outputs = Array.from({ length: n }, (_, i) => `${op.toLowerCase()}_${this.count}${n > 1 ? `_${i}` : ''}`);
    this.count++;
    this.pending.push({ op, inputs, outputs, attrs });
    return outputs;
  }

  /** Give a node's output its graph-level name (an output of the graph). */
  rename(from: string, to: string): void {
    this.renames.set(from, to);
  }

  weight(name: string, dims: number[], data: Float32Array): string {
    this.inits.set(name, tensor(name, dims, FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    return name;
  }

  ints(name: string, values: (number | bigint)[]): string {
    if (!this.inits.has(name)) {
      const data = BigInt64Array.from(values, (v) => BigInt(v));
      this.inits.set(name, tensor(name, [values.length], INT64, new Uint8Array(data.buffer)));
    }
    return name;
  }

  int32s(name: string, values: number[]): string {
    if (!this.inits.has(name)) this.inits.set(name, tensor(name, [values.length], INT32, new Uint8Array(Int32Array.from(values).buffer)));
    return name;
  }

  model(name: string): Uint8Array {
    const graph = new Pb();
    const rn = (s: string) => this.renames.get(s) ?? s;
    this.pending.forEach((p, i) => {
      const n = new Pb();
      for (const x of p.inputs) n.string(1, rn(x));
      for (const y of p.outputs) n.string(2, rn(y));
      n.string(3, `${p.op}_${i}`).string(4, p.op);
      for (const [k, v] of Object.entries(p.attrs)) n.message(5, attribute(k, v));
      graph.message(1, n);
    });
    graph.string(2, name);
    for (const t of this.inits.values()) graph.message(5, t);
    for (const v of this.inputs) graph.message(11, v);
    for (const v of this.outputs) graph.message(12, v);
    return new Pb()
      .int(1, 8) // IR version 8 (ONNX 1.10+)
      .string(2, 'rnn-wasm')
      .message(7, graph)
      .message(8, new Pb().string(1, '').int(2, ONNX_OPSET))
      .finish();
  }
}

function tensor(name: string, dims: number[], type: number, raw: Uint8Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  return t.int(2, type).string(8, name).bytes(9, raw); // raw_data: little-endian, as wasm and every JS engine here
}

function valueInfo(name: string, type: number, dims: Dim[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().string(2, d));
  return new Pb().string(1, name).message(2, new Pb().message(1, new Pb().int(1, type).message(2, shape)));
}

function attribute(name: string, v: Attr): Pb {
  const a = new Pb().string(1, name);
  if (typeof v === 'number') return a.int(3, v).int(20, ATTR_INT);
  if (typeof v === 'string') return a.string(4, v).int(20, ATTR_STRING);
  if (v.length > 0 && typeof v[0] === 'string') {
    for (const s of v as string[]) a.string(9, s);
    return a.int(20, ATTR_STRINGS);
  }
  for (const i of v as number[]) a.int(8, i);
  return a.int(20, ATTR_INTS);
}
