// The Keras model configuration of a TF.js model.json, read into a plain chain of layers. It
// accepts what TF.js writes (modelTopology = { class_name, config }) and what
// tensorflowjs_converter writes from Keras 2 and 3 (modelTopology.model_config = { … }), for
// Sequential models and for Functional ones whose layers form one chain. Options that change
// what the model computes are read and checked here; the rest (initializers, regularizers,
// constraints, names, dtypes) do not matter for importing weights and are not read.
import { ConfigError, FormatError } from '../errors.js';
import { describe } from '../layers/validate.js';

/** The Keras layer classes {@link importKeras} reads. */
export const SUPPORTED_CLASSES = [
  'InputLayer', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Dense', 'TimeDistributed', 'Dropout', 'Activation',
] as const;

/** @internal */
export type RecurrentClass = 'SimpleRNN' | 'LSTM' | 'GRU';

/** @internal One layer of the chain, with the options that matter. */
export type KLayer =
  | { kind: 'input'; name: string; className: string }
  | { kind: 'embedding'; name: string; className: string; inputDim: number; outputDim: number }
  | {
    kind: 'recurrent'; name: string; className: string; cell: RecurrentClass; units: number; useBias: boolean;
    nonlinearity: 'tanh' | 'relu'; returnSequences: boolean; bidirectional: boolean;
    /** GRU only: true, false, or undefined when the configuration does not say (read from the bias shape). */
    resetAfter?: boolean;
  }
  | { kind: 'dense'; name: string; className: string; units: number; useBias: boolean; activation: string }
  | { kind: 'dropout'; name: string; className: string; rate: number }
  | { kind: 'activation'; name: string; className: string; activation: string };

/** @internal What the topology says. */
export interface Topology {
  layers: KLayer[];
  /** The declared input shape with its batch dimension (`[null, T, I]`, `[null, T]`), if any. */
  batchShape?: (number | null)[];
  /** Keras 3 weight paths name each layer by class (`layers/lstm_1/…`): the key per layer name. */
  keras3Keys: Map<string, string>;
  /** Facts the caller should know (options that act only in training, and so were not carried over). */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** @internal Read `modelTopology` into a chain of layers. */
export function parseTopology(modelTopology: unknown): Topology {
  if (!isObj(modelTopology)) {
    throw new FormatError(`importKeras model.json: "modelTopology" must be an object (the Keras model configuration), got ${describe(modelTopology)}`);
  }
  const model = isObj(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  const cls = model.class_name;
  let raw: unknown[];
  let topConfig: Obj = {};
  if (cls === 'Sequential') {
    // Keras 2.0–2.2 wrote the layer list itself as the config
    if (Array.isArray(model.config)) raw = model.config;
    else if (isObj(model.config) && Array.isArray(model.config.layers)) { topConfig = model.config; raw = model.config.layers; }
    else throw new FormatError(`importKeras model.json: a Sequential's "config" must hold a "layers" list, got ${describe(model.config)}`);
  } else if (cls === 'Functional' || cls === 'Model') {
    if (!isObj(model.config) || !Array.isArray(model.config.layers)) {
      throw new FormatError(`importKeras model.json: a ${cls}'s "config" must hold a "layers" list, got ${describe(model.config)}`);
    }
    topConfig = model.config;
    raw = model.config.layers;
    checkChain(model.config);
  } else {
    throw new FormatError(`importKeras model.json: modelTopology describes a ${describe(cls)}; expected a Keras "Sequential" or "Functional" (TF.js: "Model") model`);
  }
  const notes: string[] = [];
  const layers = raw.map((l, i) => parseLayer(l, i, notes));
  const batchShape = findBatchShape(raw, topConfig);
  // Keras 3 names a layer's weights by its class in snake case, numbered per class in order
  const keras3Keys = new Map<string, string>();
  const used = new Map<string, number>();
  for (const l of layers) {
    const base = snake(l.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    keras3Keys.set(l.name, n === undefined ? base : `${base}_${n + 1}`);
  }
  return { layers, batchShape, keras3Keys, notes };
}

// Keras's to_snake_case: 'SimpleRNN' → 'simple_rnn', 'TimeDistributed' → 'time_distributed'
function snake(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function parseLayer(l: unknown, index: number, notes: string[]): KLayer {
  if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) {
    throw new FormatError(`importKeras model.json: layer ${index} must be { class_name, config }, got ${describe(l)}`);
  }
  const c = l.config;
  const name = typeof c.name === 'string' ? c.name : typeof l.name === 'string' ? l.name : `layer ${index}`;
  const className = l.class_name;
  const where = `layer "${name}" (${className})`;
  switch (className) {
    case 'InputLayer':
      if (c.sparse === true || c.ragged === true) throw new ConfigError(`importKeras: ${where}: sparse or ragged inputs are not supported`);
      return { kind: 'input', name, className };
    case 'Embedding': {
      if (c.mask_zero === true) {
        throw new ConfigError(
          `importKeras: ${where}: mask_zero true is not supported: Keras then skips every step whose token id is 0, and rnn-wasm has no masking by token value. ` +
          'Pad sequences on the right and pass their lengths to forward/predict ({ lengths }) instead, or re-save the model with mask_zero false if id 0 never occurs inside a sequence',
        );
      }
      return { kind: 'embedding', name, className, inputDim: posInt(c.input_dim, where, 'input_dim'), outputDim: posInt(c.output_dim, where, 'output_dim') };
    }
    case 'SimpleRNN': case 'LSTM': case 'GRU':
      return recurrent(className, c, name, where, false, notes);
    case 'Bidirectional': {
      const merge = c.merge_mode ?? 'concat';
      if (merge !== 'concat') {
        throw new ConfigError(`importKeras: ${where}: merge_mode ${JSON.stringify(merge)} is not supported; rnn-wasm's bidirectional layers concatenate the two directions (merge_mode 'concat')`);
      }
      const inner = c.layer;
      if (!isObj(inner) || typeof inner.class_name !== 'string' || !isObj(inner.config)) {
        throw new FormatError(`importKeras model.json: ${where} must wrap a layer ({ class_name, config }), got ${describe(inner)}`);
      }
      if (!['SimpleRNN', 'LSTM', 'GRU'].includes(inner.class_name)) {
        throw new ConfigError(`importKeras: ${where} wraps a ${inner.class_name}; only SimpleRNN, LSTM and GRU are supported inside Bidirectional`);
      }
      const fwd = recurrent(inner.class_name as RecurrentClass, inner.config, name, `${where} → ${inner.class_name}`, true, notes);
      const back = c.backward_layer;
      if (back !== undefined && back !== null) {
        // Keras 3 and tf.keras write the backward copy too: it must be the same cell
        const b = isObj(back) && isObj(back.config) ? back : undefined;
        const bc = b && (b.class_name === inner.class_name) ? recurrent(inner.class_name as RecurrentClass, { ...b.config as Obj, go_backwards: false }, name, `${where} backward_layer`, true, []) : undefined;
        if (!bc || bc.units !== fwd.units || bc.useBias !== fwd.useBias || bc.nonlinearity !== fwd.nonlinearity || bc.returnSequences !== fwd.returnSequences || bc.resetAfter !== fwd.resetAfter) {
          throw new ConfigError(`importKeras: ${where}: its backward_layer differs from the forward layer; rnn-wasm's bidirectional layers run the same cell (class, units, activation, bias, return_sequences) both ways`);
        }
      }
      return { ...fwd, className: 'Bidirectional', bidirectional: true };
    }
    case 'Dense':
      return dense(c, name, className, where);
    case 'TimeDistributed': {
      const inner = c.layer;
      if (!isObj(inner) || inner.class_name !== 'Dense' || !isObj(inner.config)) {
        throw new ConfigError(`importKeras: ${where} wraps ${isObj(inner) ? describe(inner.class_name) : describe(inner)}; only TimeDistributed(Dense) is supported`);
      }
      return dense(inner.config, name, className, where);
    }
    case 'Dropout': {
      const rate = c.rate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new FormatError(`importKeras model.json: ${where}: "rate" must be a number in [0, 1), got ${describe(rate)}`);
      if (c.noise_shape !== undefined && c.noise_shape !== null) {
        throw new ConfigError(`importKeras: ${where}: noise_shape is not supported (rnn-wasm's Dropout draws every element independently)`);
      }
      return { kind: 'dropout', name, className, rate };
    }
    case 'Activation':
      return { kind: 'activation', name, className, activation: activation(c.activation, where, 'activation') };
    default: {
      const nested = ['Sequential', 'Functional', 'Model'].includes(className) ? ' (a model nested as a layer: save the inner layers in one model)' : '';
      throw new FormatError(`importKeras: ${where}: unknown layer class ${JSON.stringify(className)}${nested}; supported: ${SUPPORTED_CLASSES.join(', ')}`);
    }
  }
}

function recurrent(cell: RecurrentClass, c: Obj, name: string, where: string, inBidirectional: boolean, notes: string[]): Extract<KLayer, { kind: 'recurrent' }> {
  const units = posInt(c.units, where, 'units');
  const act = activation(c.activation ?? 'tanh', where, 'activation');
  if (cell === 'SimpleRNN' ? act !== 'tanh' && act !== 'relu' : act !== 'tanh') {
    throw new ConfigError(`importKeras: ${where}: activation ${JSON.stringify(act)} is not supported; ${cell === 'SimpleRNN' ? "SimpleRNN takes 'tanh' or 'relu'" : `${cell} takes 'tanh'`} (as PyTorch's cells)`);
  }
  if (cell !== 'SimpleRNN') {
    const rec = activation(c.recurrent_activation ?? 'sigmoid', where, 'recurrent_activation');
    if (rec !== 'sigmoid') {
      const hard = rec === 'hard_sigmoid' || rec === 'hardSigmoid';
      throw new ConfigError(
        `importKeras: ${where}: recurrent_activation ${JSON.stringify(rec)} is not supported; rnn-wasm's ${cell} gates use the logistic sigmoid ('sigmoid')` +
        (hard ? ". hard_sigmoid is TF.js's default for LSTM and GRU: build the layer with recurrentActivation: 'sigmoid' and retrain" : ''),
      );
    }
  }
  const flag = (key: string, dflt: boolean) => {
    const v = c[key] ?? dflt;
    if (typeof v !== 'boolean') throw new FormatError(`importKeras model.json: ${where}: "${key}" must be true or false, got ${describe(v)}`);
    return v;
  };
  if (flag('return_state', false)) {
    throw new ConfigError(`importKeras: ${where}: return_state true is not supported: the imported model has one output (use model.initState() and model.step() to read states)`);
  }
  if (!inBidirectional && flag('go_backwards', false)) {
    throw new ConfigError(`importKeras: ${where}: go_backwards true is not supported on its own: Keras then reads the sequence in reverse and returns the outputs reversed; rnn-wasm runs layers forward (or both ways, as Bidirectional). Reverse the input yourself with a forward layer, or use Bidirectional`);
  }
  if (inBidirectional && flag('go_backwards', false)) {
    throw new ConfigError(`importKeras: ${where}: a Bidirectional whose forward layer has go_backwards true is not supported`);
  }
  if (flag('time_major', false)) throw new ConfigError(`importKeras: ${where}: time_major true is not supported (Keras models are imported batch-major)`);
  if (flag('stateful', false)) {
    notes.push(`${where} is stateful: predict() starts from zero states; carry states across calls with model.initState() and model.step()`);
  }
  for (const key of ['dropout', 'recurrent_dropout']) {
    const v = c[key] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new FormatError(`importKeras model.json: ${where}: "${key}" must be a number in [0, 1), got ${describe(v)}`);
    if (v > 0) notes.push(`${where}: ${key} ${v} acts in Keras's training only and is not carried over (rnn-wasm's dropout option is between stacked layers)`);
  }
  let resetAfter: boolean | undefined;
  if (cell === 'GRU') {
    const r = c.reset_after;
    if (r !== undefined && r !== null && typeof r !== 'boolean') throw new FormatError(`importKeras model.json: ${where}: "reset_after" must be true or false, got ${describe(r)}`);
    if (r === false) throw resetBeforeError(where);
    resetAfter = r ?? undefined;
  }
  return {
    kind: 'recurrent', name, className: cell, cell, units, useBias: flag('use_bias', true),
    nonlinearity: act as 'tanh' | 'relu', returnSequences: flag('return_sequences', false), bidirectional: false, resetAfter,
  };
}

/** @internal The refusal of Keras's reset_after = false GRU, from its config or its bias shape. */
export function resetBeforeError(where: string): ConfigError {
  return new ConfigError(
    `importKeras: ${where}: a GRU with reset_after false is a different cell: it applies the reset gate before the recurrent matmul, ` +
    'h̃ = tanh(W_h x + U_h (r ⊙ h) + b), while PyTorch and rnn-wasm apply it after (reset_after true: h̃ = tanh(W_h x + b_i + r ⊙ (U_h h + b_h))). ' +
    "Its weights cannot be mapped onto rnn-wasm's GRU. TF.js 4.22 only has this form; Keras 2 and 3 default to reset_after true",
  );
}

function dense(c: Obj, name: string, className: string, where: string): KLayer {
  const useBias = c.use_bias ?? true;
  if (typeof useBias !== 'boolean') throw new FormatError(`importKeras model.json: ${where}: "use_bias" must be true or false, got ${describe(useBias)}`);
  return { kind: 'dense', name, className, units: posInt(c.units, where, 'units'), useBias, activation: activation(c.activation ?? 'linear', where, 'activation') };
}

function activation(v: unknown, where: string, key: string): string {
  if (typeof v === 'string') return v;
  // Keras 3 may serialize a built-in activation as { class_name: 'function', config: 'tanh' }
  if (isObj(v) && typeof v.config === 'string') return v.config;
  if (v === null) return 'linear';
  throw new FormatError(`importKeras model.json: ${where}: "${key}" must name an activation, got ${describe(v)}`);
}

function posInt(v: unknown, where: string, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1 << 24) {
    throw new FormatError(`importKeras model.json: ${where}: "${key}" must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

// The input shape, with the batch dimension: an InputLayer's or first layer's batch_input_shape
// (Keras 2, TF.js) or batch_shape (Keras 3), a Keras 3 build_config, or the Sequential's
// build_input_shape.
function findBatchShape(raw: unknown[], top: Obj): (number | null)[] | undefined {
  const candidates: unknown[] = [];
  const first = raw[0] as Obj;
  const c = (first?.config ?? {}) as Obj;
  candidates.push(c.batch_input_shape, c.batch_shape, (first?.build_config as Obj | undefined)?.input_shape, top.build_input_shape);
  for (const s of candidates) {
    if (s === undefined || s === null) continue;
    if (!Array.isArray(s) || s.length < 2 || !s.every((d) => d === null || (Number.isSafeInteger(d) && d >= 1))) {
      throw new FormatError(`importKeras model.json: the input shape must be a list [batch, …] of positive integers or nulls, got ${describe(s)}`);
    }
    return s as (number | null)[];
  }
  return undefined;
}

// A Functional model is read only when its layers form one chain: one input, one output, each
// layer fed by the one before it, once.
function checkChain(config: Obj): void {
  const layers = config.layers as Obj[];
  const ends = (key: string) => {
    const v = config[key];
    if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== 'string') {
      throw new ConfigError(`importKeras: the Functional model must have exactly one input and one output (got ${key} ${JSON.stringify(v)}); only models whose layers form one chain are supported`);
    }
    return v[0][0] as string;
  };
  const input = ends('input_layers');
  const output = ends('output_layers');
  const names = layers.map((l) => (isObj(l) ? l.name : undefined));
  if (names[0] !== input) throw new ConfigError(`importKeras: the Functional model's first layer must be its input "${input}", got ${describe(names[0])}`);
  if (names[names.length - 1] !== output) throw new ConfigError(`importKeras: the Functional model's last layer must be its output "${output}", got ${describe(names[names.length - 1])}`);
  for (let i = 1; i < layers.length; i++) {
    const from = sources(layers[i], String(names[i]));
    if (from.length !== 1 || from[0] !== names[i - 1]) {
      throw new ConfigError(
        `importKeras: layer "${String(names[i])}" of the Functional model takes ${from.length ? from.map((f) => `"${f}"`).join(', ') : 'no input'}, not just the layer before it ("${String(names[i - 1])}"); only models whose layers form one chain are supported`,
      );
    }
  }
}

// The layers whose outputs feed a Functional layer (Keras 2 / TF.js and Keras 3 forms).
function sources(layer: Obj, name: string): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length !== 1) {
    throw new ConfigError(`importKeras: layer "${name}" is called ${Array.isArray(nodes) ? nodes.length : 0} times in the Functional model; only models whose layers form one chain (each layer called once) are supported`);
  }
  const node = nodes[0];
  const out: string[] = [];
  if (Array.isArray(node)) {
    // Keras 2 / TF.js: [[layer, nodeIndex, tensorIndex, kwargs], …]
    for (const t of node) {
      if (!Array.isArray(t) || typeof t[0] !== 'string') throw new FormatError(`importKeras model.json: layer "${name}": an inbound node entry must be [layer, node, tensor, kwargs], got ${describe(t)}`);
      if (t[2] !== 0) throw new ConfigError(`importKeras: layer "${name}" reads output ${String(t[2])} of "${t[0]}" (a state); only models whose layers form one chain are supported`);
      out.push(t[0]);
      const kw = t[3];
      if (isObj(kw)) for (const [k, v] of Object.entries(kw)) {
        if (k !== 'training' && k !== 'mask' && v !== null && v !== undefined) throw new ConfigError(`importKeras: layer "${name}" is called with ${k} from another tensor; only models whose layers form one chain are supported`);
      }
    }
  } else if (isObj(node)) {
    // Keras 3: { args: [keras tensors], kwargs: { … } }
    collect(node.args, out, name);
    const kw: string[] = [];
    collect(node.kwargs, kw, name);
    if (kw.length) throw new ConfigError(`importKeras: layer "${name}" is called with keyword tensors from ${kw.join(', ')}; only models whose layers form one chain are supported`);
  } else {
    throw new FormatError(`importKeras model.json: layer "${name}": unreadable inbound_nodes ${describe(node)}`);
  }
  return out;
}

function collect(v: unknown, out: string[], name: string): void {
  if (Array.isArray(v)) for (const x of v) collect(x, out, name);
  else if (isObj(v)) {
    if (v.class_name === '__keras_tensor__' && isObj(v.config) && Array.isArray(v.config.keras_history)) {
      const [layer, , tensor] = v.config.keras_history as unknown[];
      if (tensor !== 0) throw new ConfigError(`importKeras: layer "${name}" reads output ${String(tensor)} of "${String(layer)}" (a state); only models whose layers form one chain are supported`);
      out.push(String(layer));
    } else for (const x of Object.values(v)) collect(x, out, name);
  }
}
