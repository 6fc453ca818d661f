// importKeras: a TF.js LayersModel (model.json + weight shards), written by TF.js's
// model.save() or by tensorflowjs_converter from Keras 2 or 3, as a Sequential with the same
// predictions. Keras keeps kernels as [in, gates·units] with LSTM gates i,f,c,o and GRU gates
// z,r,h; PyTorch (and rnn-wasm) keep [gates·units, in] with i,f,g,o and r,z,n. Everything is read,
// checked and converted before the first layer is allocated.
import { ConfigError, FormatError } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import { Linear } from '../layers/linear.js';
import { LSTM } from '../layers/lstm.js';
import { RNN } from '../layers/rnn.js';
import { describe } from '../layers/validate.js';
import { Sequential, type Layer } from '../model/sequential.js';
import { permuteBlocks, transpose } from './blocks.js';
import { decodeWeights, type DecodedWeight, type KerasWeights } from './keras-weights.js';
import { parseTopology, resetBeforeError, type KLayer, type RecurrentClass } from './keras-topology.js';

export type { KerasWeights, WeightShard } from './keras-weights.js';
export { SUPPORTED_CLASSES as KERAS_LAYER_CLASSES } from './keras-topology.js';

/** What {@link importKeras} returns. */
export interface KerasImport {
  /**
   * The model, in evaluation mode, batch-major like Keras: `predict(x, { shape: [B, T, I] })`
   * (or token ids `[B, T]`) gives what Keras's `model.predict` gives, before
   * {@link KerasImport.outputActivation}.
   */
  model: Sequential;
  /**
   * The activation of the Keras model's last layer, which the model does not apply (its head is
   * linear, so that it trains with `'crossEntropy'` / `'bceWithLogits'`): apply softmax or
   * sigmoid to the output to get Keras's probabilities.
   */
  outputActivation: 'softmax' | 'sigmoid' | 'linear';
  /**
   * The Keras input shape without the batch dimension: `[T, I]` for features, `[T]` for token
   * ids, with `null` for a length Keras left open.
   */
  inputShape: (number | null)[];
  /** Where each Keras layer went: e.g. `{ keras: 'lstm_1', className: 'LSTM', as: 'rnn (layer 1)' }`. */
  layers: { keras: string; className: string; as: string }[];
  /** What was not carried over because it acts only in training (or only across calls), one sentence each. */
  notes: string[];
}

type Dict = Record<string, Float32Array>;
type Unit =
  | { type: 'embedding'; numEmbeddings: number; embeddingDim: number; dict: Dict }
  | { type: 'recurrent'; cell: RecurrentClass; nonlinearity: 'tanh' | 'relu'; inputSize: number; hiddenSize: number; numLayers: number; bias: boolean; bidirectional: boolean; dict: Dict }
  | { type: 'dropout'; p: number }
  | { type: 'linear'; inFeatures: number; outFeatures: number; bias: boolean; dict: Dict };

const GATES: Record<RecurrentClass, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };
// our gate block b holds Keras's block PERM[b]: GRU z,r,h → r,z,n; LSTM i,f,c,o = i,f,g,o
const PERM: Record<RecurrentClass, number[]> = { SimpleRNN: [0], LSTM: [0, 1, 2, 3], GRU: [1, 0, 2] };
const ROLES = { recurrent: ['kernel', 'recurrent_kernel', 'bias'], dense: ['kernel', 'bias'], embedding: ['embeddings'] } as const;

/**
 * Import a Keras / TensorFlow.js model: the `model.json` that TF.js's `model.save()` or
 * `tensorflowjs_converter` (from Keras 2 or 3) writes, and its weight shards. Returns a
 * {@link Sequential} whose predictions equal the Keras model's, and what the caller needs to
 * know to use it.
 *
 * Reads Sequential models and Functional models whose layers form one chain, of `InputLayer`,
 * `Embedding`, `SimpleRNN` (tanh, relu), `LSTM` and `GRU` (tanh with sigmoid gates; GRU with
 * `reset_after: true`, Keras 2/3's default), `Bidirectional` (merge_mode 'concat'), stacked
 * recurrent layers, `Dense` / `TimeDistributed(Dense)` after the last recurrent layer (only the
 * last may have an activation: 'softmax', 'sigmoid' or 'linear', reported as
 * `outputActivation`), `Dropout` and a final `Activation`. Weights may be float32 or quantized
 * by the converter (uint8, uint16, float16): they are dequantized as TF.js does. Consecutive
 * recurrent layers of the same kind and size become one multi-layer layer (PyTorch's form).
 *
 * Refused with a {@link ConfigError} saying why, never approximated: `hard_sigmoid` gates (TF.js's
 * default recurrentActivation), GRU `reset_after: false` (TF.js 4.22's only GRU: a different
 * cell), `go_backwards` outside Bidirectional, `return_state`, `time_major`, other merge modes,
 * `Embedding` `mask_zero: true`, Dense layers with activations before the last layer, a
 * Bidirectional layer's last-step output (Keras gives the backward direction's state after the
 * whole sequence, rnn-wasm's `output: 'last'` the state at the last step). A malformed file, an
 * unknown layer class, and missing, extra or mis-shaped weights get a {@link FormatError} naming
 * the layer and the weight. `stateful` and the layers' own `dropout` / `recurrent_dropout` are
 * listed in `notes`. Weights the manifest marks as the optimizer's (TF.js `group: 'optimizer'`,
 * Keras 3 `optimizer/…`) are skipped. On any error nothing is allocated.
 *
 * @param modelJson the parsed `model.json`, or its text (string or bytes).
 * @param weights the shards named in its `weightsManifest` (one buffer per path, in manifest
 *   order), or one buffer holding all of them concatenated in that order.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const dir = 'test/fixtures/keras/stacked_lstm_softmax/';     // what model.save('file://…') wrote
 * const json = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
 * const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(dir + p));
 * const { model, outputActivation, inputShape } = importKeras(json, shards);
 * const logits = model.predict(new Float32Array(2 * 7 * 5), { shape: [2, 7, 5] });   // [2, 5]
 * // outputActivation === 'softmax': softmax(logits) is Keras's model.predict
 * model.dispose();
 * ```
 */
export function importKeras(modelJson: unknown, weights: KerasWeights): KerasImport {
  const json = parseJson(modelJson);
  if (json.format !== undefined && json.format !== null && json.format !== 'layers-model') {
    throw new FormatError(
      `importKeras model.json: format ${JSON.stringify(json.format)} is not a Keras model; expected 'layers-model'` +
      (json.format === 'graph-model' ? ' (a graph model, converted from a SavedModel, has no layers to import: convert the Keras model itself, --input_format keras)' : ''),
    );
  }
  if (json.modelTopology === undefined || json.modelTopology === null) {
    throw new FormatError('importKeras model.json: no "modelTopology" (the Keras model configuration); is this the model.json of a TF.js LayersModel?');
  }
  if (json.weightsManifest === undefined) throw new FormatError('importKeras model.json: no "weightsManifest" (the list of weights and their shard files)');
  const topology = parseTopology(json.modelTopology);
  const decoded = decodeWeights(json.weightsManifest, weights);
  const skipped = optimizerWeights(json.weightsManifest, decoded);
  const plan = planModel(topology.layers, topology.batchShape, claimWeights(topology.layers, topology.keras3Keys, decoded, skipped), topology.notes);
  return { ...plan, model: build(plan.units, plan.output), notes: topology.notes };
}

function parseJson(modelJson: unknown): Record<string, unknown> {
  let v = modelJson;
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const b = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    v = new TextDecoder().decode(b);
  }
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new FormatError(`importKeras model.json: not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FormatError(`importKeras model.json: expected an object with modelTopology and weightsManifest (parsed, or as text), got ${describe(modelJson)}`);
  }
  return v as Record<string, unknown>;
}

// Weights that belong to the optimizer, not to a layer: TF.js marks them group 'optimizer',
// Keras 3's converter keeps the .keras file's optimizer/… variables.
function optimizerWeights(manifest: unknown, decoded: Map<string, DecodedWeight>): Set<string> {
  const out = new Set<string>();
  for (const g of manifest as { weights: { name: string; group?: unknown }[] }[]) {
    for (const w of g.weights) if (w.group === 'optimizer' || w.name.startsWith('optimizer/')) out.add(w.name);
  }
  for (const n of decoded.keys()) if (n.startsWith('optimizer/')) out.add(n);
  return out;
}

type Direction = 'forward' | 'backward';
interface Claimed { [role: string]: DecodedWeight }
type Claims = Map<KLayer, { forward: Claimed; backward: Claimed }>;

// Each weight goes to its layer by name: `<layer>/…/<role>` (TF.js, Keras 2: lstm/lstm_cell/kernel,
// bidirectional/forward_lstm/lstm_cell/kernel) or `layers/<class_n>/…/vars/<i>` (Keras 3, where
// i is the creation order: kernel, recurrent_kernel, bias). Every weight must find its layer,
// once, and every layer its weights (checked with their shapes in planModel).
function claimWeights(layers: KLayer[], keras3Keys: Map<string, string>, decoded: Map<string, DecodedWeight>, skipped: Set<string>): Claims {
  const byName = new Map<string, KLayer>();
  const byKey = new Map<string, KLayer>();
  for (const l of layers) {
    byName.set(l.name, l);
    byKey.set(keras3Keys.get(l.name)!, l);
  }
  const claims: Claims = new Map();
  const unclaimed: string[] = [];
  for (const w of decoded.values()) {
    if (skipped.has(w.name)) continue;
    const seg = w.name.replace(/:\d+$/, '').split('/'); // Python TensorFlow's ':0' output slot, if left in
    const keras3 = (seg[0] === 'layers' || seg[0] === '_layer_checkpoint_dependencies') && seg.length >= 4 && byKey.has(seg[1]);
    const layer = keras3 ? byKey.get(seg[1]) : byName.get(seg[0]);
    if (!layer || !(layer.kind in ROLES)) {
      unclaimed.push(w.name);
      continue;
    }
    const where = `layer "${layer.name}" (${layer.className})`;
    const roles = ROLES[layer.kind as keyof typeof ROLES] as readonly string[];
    let role: string | undefined;
    let direction: Direction | undefined;
    if (keras3) {
      const i = Number(seg[seg.length - 1]);
      if (seg[seg.length - 2] === 'vars' && Number.isInteger(i)) role = roles[i];
      if (seg.includes('forward_layer')) direction = 'forward';
      if (seg.includes('backward_layer')) direction = 'backward';
    } else {
      role = roles.find((r) => r === seg[seg.length - 1]);
      const mid = seg.slice(1, -1);
      if (mid.some((s) => s.startsWith('forward_'))) direction = 'forward';
      if (mid.some((s) => s.startsWith('backward_'))) direction = 'backward';
    }
    if (!role) throw new FormatError(`importKeras weights: ${where}: unexpected weight "${w.name}" (a ${layer.className} has ${roles.join(', ')})`);
    const bi = layer.kind === 'recurrent' && layer.bidirectional;
    if (bi && !direction) throw new FormatError(`importKeras weights: ${where}: weight "${w.name}" names no direction (forward_… or backward_…)`);
    if (!bi && direction) throw new FormatError(`importKeras weights: ${where}: weight "${w.name}" names a direction, but the layer is not Bidirectional`);
    let c = claims.get(layer);
    if (!c) claims.set(layer, (c = { forward: {}, backward: {} }));
    const slot = c[direction ?? 'forward'];
    if (slot[role]) throw new FormatError(`importKeras weights: ${where}: two weights for its ${direction ? `${direction} ` : ''}${role}: "${slot[role].name}" and "${w.name}"`);
    slot[role] = w;
  }
  if (unclaimed.length) {
    const names = layers.filter((l) => l.kind in ROLES).map((l) => `"${l.name}"`).join(', ');
    throw new FormatError(`importKeras weights: ${unclaimed.length} weight(s) belong to no layer of the model: ${unclaimed.slice(0, 6).map((n) => `"${n}"`).join(', ')}${unclaimed.length > 6 ? ', …' : ''} (the layers with weights are ${names})`);
  }
  return claims;
}

interface Plan {
  units: Unit[];
  output: 'sequence' | 'last';
  outputActivation: 'softmax' | 'sigmoid' | 'linear';
  inputShape: (number | null)[];
  layers: KerasImport['layers'];
}

// The chain, checked against rnn-wasm's Sequential (embedding, recurrent layers, a linear head),
// with every weight converted to PyTorch's layout.
function planModel(layers: KLayer[], batchShape: (number | null)[] | undefined, claims: Claims, notes: string[]): Plan {
  const units: Unit[] = [];
  const mapping: KerasImport['layers'] = [];
  const chain = layers.filter((l) => l.kind !== 'input');
  for (const l of layers) if (l.kind === 'input') mapping.push({ keras: l.name, className: l.className, as: 'the input' });
  const recurrentAt = chain.map((l, i) => (l.kind === 'recurrent' ? i : -1)).filter((i) => i >= 0);
  if (!recurrentAt.length) throw new ConfigError('importKeras: the model has no recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional); rnn-wasm models are recurrent');
  const lastRecurrent = recurrentAt[recurrentAt.length - 1];
  const ids = chain[0].kind === 'embedding';
  let F: number | undefined; // features flowing out of the layer before
  let outputActivation: Plan['outputActivation'] = 'linear';
  let headActivation: string | undefined; // the activation of the last Dense
  const shapeOf = (w: DecodedWeight) => `[${w.shape.join(', ')}]`;
  const weight = (l: KLayer, role: string, shape: number[], dir: Direction = 'forward'): Float32Array => {
    const w = claims.get(l)?.[dir][role];
    const where = `layer "${l.name}" (${l.className})`;
    const what = `${l.kind === 'recurrent' && l.bidirectional ? `${dir} ` : ''}${role}`;
    if (!w) throw new FormatError(`importKeras weights: ${where}: missing weight ${what} (shape [${shape.join(', ')}])`);
    if (w.shape.join(',') !== shape.join(',')) throw new FormatError(`importKeras weights: ${where}: weight ${what} "${w.name}" has shape ${shapeOf(w)}, expected [${shape.join(', ')}]`);
    return w.data;
  };
  const noBias = (l: KLayer, dir: Direction = 'forward') => {
    const w = claims.get(l)?.[dir].bias;
    if (w) throw new FormatError(`importKeras weights: layer "${l.name}" (${l.className}): unexpected weight "${w.name}": the layer has use_bias false`);
  };

  chain.forEach((l, i) => {
    const where = `layer "${l.name}" (${l.className})`;
    if (headActivation !== undefined && headActivation !== 'linear' && l.kind !== 'dropout') {
      throw new ConfigError(`importKeras: a Dense layer with activation ${JSON.stringify(headActivation)} comes before ${where}; rnn-wasm's head is linear Dense layers, and only the last layer's softmax or sigmoid can be reported (as outputActivation)`);
    }
    if (l.kind === 'embedding') {
      if (i !== 0) throw new ConfigError(`importKeras: ${where}: an Embedding can only be the first layer`);
      units.push({ type: 'embedding', numEmbeddings: l.inputDim, embeddingDim: l.outputDim, dict: { weight: weight(l, 'embeddings', [l.inputDim, l.outputDim]) } });
      mapping.push({ keras: l.name, className: l.className, as: 'embedding' });
      F = l.outputDim;
    } else if (l.kind === 'recurrent') {
      if (i !== lastRecurrent && !l.returnSequences) {
        throw new FormatError(`importKeras: ${where} returns only its last step (return_sequences false) but recurrent layers follow it`);
      }
      if (i === lastRecurrent && l.bidirectional && !l.returnSequences) {
        throw new ConfigError(
          `importKeras: ${where}: the last step of a Bidirectional layer is not supported: Keras returns the backward direction's state after the whole sequence (its first step), ` +
          "rnn-wasm's output 'last' takes both directions at the last step (as PyTorch's output[-1]). Use return_sequences true, or a unidirectional layer last",
        );
      }
      const prev = units[units.length - 1];
      const D = l.bidirectional ? 2 : 1, H = l.units, G = GATES[l.cell];
      const kernel0 = claims.get(l)?.forward.kernel;
      const I = F ?? inputFeatures(batchShape, kernel0, where);
      if (l.cell === 'GRU' && l.resetAfter === undefined) {
        // no reset_after in the configuration: the bias says which GRU it is ([2, 3H] or [3H])
        if (!l.useBias) {
          throw new ConfigError(`importKeras: ${where}: the configuration does not say reset_after, and without a bias the weights cannot tell which GRU cell this is; add "reset_after": true (or false) to its config`);
        }
        const b = claims.get(l)?.forward.bias;
        if (b && b.shape.length === 1) throw resetBeforeError(where);
      }
      const dict: Dict = {};
      const merge = prev?.type === 'recurrent' && prev.cell === l.cell && prev.hiddenSize === H && prev.bias === l.useBias &&
        prev.bidirectional === l.bidirectional && prev.nonlinearity === l.nonlinearity && units.length > 0 && chain[i - 1]?.kind === 'recurrent';
      const k = merge ? (prev as Extract<Unit, { type: 'recurrent' }>).numLayers : 0;
      (['forward', 'backward'] as Direction[]).slice(0, D).forEach((dir) => {
        const sfx = `_l${k}${dir === 'backward' ? '_reverse' : ''}`;
        dict[`weight_ih${sfx}`] = gates(weight(l, 'kernel', [I, G * H], dir), I, H, PERM[l.cell]);
        dict[`weight_hh${sfx}`] = gates(weight(l, 'recurrent_kernel', [H, G * H], dir), H, H, PERM[l.cell]);
        if (!l.useBias) return noBias(l, dir);
        if (l.cell === 'GRU') {
          const b = weight(l, 'bias', [2, G * H], dir);
          dict[`bias_ih${sfx}`] = permuteBlocks(b.subarray(0, G * H), PERM.GRU, H);
          dict[`bias_hh${sfx}`] = permuteBlocks(b.subarray(G * H), PERM.GRU, H);
        } else {
          dict[`bias_ih${sfx}`] = permuteBlocks(weight(l, 'bias', [G * H], dir), PERM[l.cell], H);
          dict[`bias_hh${sfx}`] = new Float32Array(G * H); // Keras has one bias: the second is zero
        }
      });
      if (merge) {
        const p = prev as Extract<Unit, { type: 'recurrent' }>;
        p.numLayers++;
        Object.assign(p.dict, dict);
      } else {
        units.push({ type: 'recurrent', cell: l.cell, nonlinearity: l.nonlinearity, inputSize: I, hiddenSize: H, numLayers: 1, bias: l.useBias, bidirectional: l.bidirectional, dict });
      }
      const n = units.filter((u) => u.type === 'recurrent').length - 1;
      mapping.push({ keras: l.name, className: l.className, as: `${n ? `rnn${n}` : 'rnn'} (layer ${k})` });
      F = D * H;
    } else if (l.kind === 'dense') {
      if (i < lastRecurrent) {
        throw new ConfigError(`importKeras: ${where} comes before a recurrent layer; rnn-wasm's Sequential has Dense (Linear) layers only after the last recurrent layer (the head)`);
      }
      if (i === 0 || F === undefined) throw new ConfigError(`importKeras: ${where}: Dense layers go after the recurrent layers`);
      const K = weight(l, 'kernel', [F, l.units]);
      const dict: Dict = { weight: transpose(K, F, l.units) };
      if (l.useBias) dict.bias = weight(l, 'bias', [l.units]).slice();
      else noBias(l);
      units.push({ type: 'linear', inFeatures: F, outFeatures: l.units, bias: l.useBias, dict });
      const n = units.filter((u) => u.type === 'linear').length - 1;
      mapping.push({ keras: l.name, className: l.className, as: n ? `head${n}` : 'head' });
      headActivation = l.activation;
      F = l.units;
    } else if (l.kind === 'dropout') {
      if (units.length === 0) {
        notes.push(`layer "${l.name}" (Dropout ${l.rate}) on the input was dropped: it is the identity at inference (rnn-wasm's Sequential cannot start with Dropout)`);
        mapping.push({ keras: l.name, className: l.className, as: 'dropped (identity at inference)' });
      } else {
        units.push({ type: 'dropout', p: l.rate });
        const n = units.filter((u) => u.type === 'dropout').length - 1;
        mapping.push({ keras: l.name, className: l.className, as: n ? `dropout${n}` : 'dropout' });
      }
    } else if (l.kind === 'activation') {
      if (i !== chain.length - 1) throw new ConfigError(`importKeras: ${where}: an Activation layer is supported only as the last layer`);
      if (i < lastRecurrent) throw new ConfigError(`importKeras: ${where} comes before a recurrent layer`);
      headActivation = undefined;
      outputActivation = outputKind(l.activation, where);
      mapping.push({ keras: l.name, className: l.className, as: 'outputActivation' });
    }
  });
  if (headActivation !== undefined) outputActivation = outputKind(headActivation, `the last Dense layer "${[...chain].reverse().find((l) => l.kind === 'dense')!.name}"`);
  const last = chain[lastRecurrent] as Extract<KLayer, { kind: 'recurrent' }>;
  const firstRec = units.find((u) => u.type === 'recurrent') as Extract<Unit, { type: 'recurrent' }>;
  return {
    units, output: last.returnSequences ? 'sequence' : 'last', outputActivation, layers: mapping,
    inputShape: inputShapeOf(batchShape, ids, ids ? undefined : firstRec.inputSize),
  };
}

function outputKind(a: string, where: string): Plan['outputActivation'] {
  if (a === 'softmax' || a === 'sigmoid' || a === 'linear') return a;
  throw new ConfigError(`importKeras: ${where} has activation ${JSON.stringify(a)}; the imported model's output is linear, and only a final 'softmax' or 'sigmoid' can be reported (as outputActivation) for you to apply`);
}

// The first recurrent layer's input size: the declared input shape's last dimension, which must
// agree with its kernel's rows; or the kernel's rows when no shape is declared.
function inputFeatures(batchShape: (number | null)[] | undefined, kernel: DecodedWeight | undefined, where: string): number {
  const declared = batchShape?.[batchShape.length - 1];
  if (batchShape && (batchShape.length !== 3 || typeof declared !== 'number')) {
    throw new FormatError(`importKeras model.json: the input shape ${JSON.stringify(batchShape)} is not [batch, T, features] with known features, as a model that starts with ${where} reads`);
  }
  const rows = kernel && kernel.shape.length === 2 ? kernel.shape[0] : undefined;
  if (typeof declared === 'number') return declared;
  if (rows === undefined) throw new FormatError(`importKeras weights: ${where}: missing weight kernel (and no input shape to size it)`);
  return rows;
}

function inputShapeOf(batchShape: (number | null)[] | undefined, ids: boolean, I?: number): (number | null)[] {
  if (ids) {
    if (batchShape && batchShape.length !== 2) throw new FormatError(`importKeras model.json: the input shape ${JSON.stringify(batchShape)} is not [batch, T], as a model that starts with an Embedding reads`);
    return batchShape ? batchShape.slice(1) : [null];
  }
  return batchShape ? batchShape.slice(1) : [null, I!];
}

// Keras [rows, G·H] (gate blocks in Keras's order) → PyTorch [G·H, rows] (blocks in ours).
function gates(k: Float32Array, rows: number, H: number, perm: number[]): Float32Array {
  const G = perm.length, GH = G * H;
  const out = new Float32Array(GH * rows);
  for (let b = 0; b < G; b++) {
    const src = perm[b] * H;
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[(b * H + j) * rows + r] = k[r * GH + src + j];
  }
  return out;
}

// Allocates the layers; on any failure, frees what was made.
function build(units: Unit[], output: 'sequence' | 'last'): Sequential {
  const made: Layer[] = [];
  try {
    for (const u of units) {
      let layer: Layer;
      if (u.type === 'embedding') layer = new Embedding({ numEmbeddings: u.numEmbeddings, embeddingDim: u.embeddingDim, seed: 0 });
      else if (u.type === 'dropout') layer = new Dropout(u.p, { seed: 0 });
      else if (u.type === 'linear') layer = new Linear({ inFeatures: u.inFeatures, outFeatures: u.outFeatures, bias: u.bias, seed: 0 });
      else {
        const o = { inputSize: u.inputSize, hiddenSize: u.hiddenSize, numLayers: u.numLayers, bias: u.bias, batchFirst: true, bidirectional: u.bidirectional, seed: 0 };
        layer = u.cell === 'LSTM' ? new LSTM(o) : u.cell === 'GRU' ? new GRU(o) : new RNN({ ...o, nonlinearity: u.nonlinearity });
      }
      made.push(layer);
      if ('dict' in u) layer.loadStateDict(u.dict);
    }
    return new Sequential(made, { output }).eval();
  } catch (e) {
    for (const l of made) l.dispose();
    throw e;
  }
}
