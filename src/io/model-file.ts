import { FormatError, RnnWasmError } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import { Linear } from '../layers/linear.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { RNN } from '../layers/rnn.js';
import { Sequential, type Layer } from '../model/sequential.js';
import type { Seq2Seq } from '../model/seq2seq.js';
import { decodeSafetensors, encodeSafetensors, type DecodeLimits, type Tensor } from './safetensors.js';
import { checkOptions, is } from '../options.js';

/** What {@link save} writes and {@link load} rebuilds: a model, or one recurrent layer. */
export type Saveable = Sequential | Seq2Seq | RecurrentLayer;

/** The version of the model file format this library writes (docs/FORMAT.md). */
export const FORMAT_VERSION = 1;

/**
 * The model as a safetensors file: float32 tensors under PyTorch names (`rnn.weight_ih_l0`,
 * `head.weight`, …) and the configuration in the header's `__metadata__` (docs/FORMAT.md).
 *
 * @example
 * ```ts
 * const bytes = save(model);                 // Uint8Array
 * const again = load(bytes);                 // same class, same weights, same predictions
 * ```
 */
export function save(model: Saveable): Uint8Array {
  return saveWith(model, {}, {});
}

/** @internal save() plus extra tensors and metadata entries (checkpoints). */
export function saveWith(model: Saveable, extra: Record<string, { shape: number[]; data: Float32Array }>, extraMeta: Record<string, string>): Uint8Array {
  if (!(model instanceof Sequential) && !(model instanceof RecurrentLayer) && ![...kinds.values()].some((k) => k.is(model))) {
    throw new RnnWasmError('save(model): expected a Sequential, Seq2Seq, RNN, LSTM or GRU');
  }
  const dict = model.stateDict();
  const shapes = model.parameterShapes();
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, data] of Object.entries(dict)) tensors[name] = { shape: shapes[name], data };
  Object.assign(tensors, extra);
  return encodeSafetensors(tensors, {
    format: 'rnn-wasm',
    format_version: String(FORMAT_VERSION),
    model: JSON.stringify(model.config()),
    ...extraMeta,
  });
}

/** Options of {@link load}. */
export interface LoadOptions extends DecodeLimits {
  /**
   * The model configuration, for files without rnn-wasm metadata (e.g. written by other
   * tools); it must then match the tensors. Default: read from the file.
   */
  config?: Record<string, unknown>;
  /**
   * What the file must hold: `'Sequential'`, `'Seq2Seq'` or `'layer'` (one RNN, LSTM or GRU).
   * Anything else is refused with a FormatError, and `load` is typed accordingly.
   */
  expect?: 'Sequential' | 'Seq2Seq' | 'layer';
}

/** @internal The keys of {@link LoadOptions}, checked by load and loadFile. */
export const LOAD_RULES = { config: is.object, maxHeaderBytes: is.int(8), expect: is.oneOf('Sequential', 'Seq2Seq', 'layer') };

/**
 * Rebuild a model from a file written by {@link save} or `tools/torch_export.py`: the bytes
 * (Node: `fs.readFileSync(path)`; browsers: `new Uint8Array(await (await fetch(url)).arrayBuffer())`
 * or `await file.arrayBuffer()`). float16, bfloat16 and float64 tensors are converted to float32.
 *
 * Every check runs before the model is handed back; on any problem a {@link FormatError}
 * (or the layer's own error for a bad configuration) says what is wrong and nothing leaks.
 */
export function load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions & { expect: 'Sequential' }): Sequential;
export function load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions & { expect: 'Seq2Seq' }): Seq2Seq;
export function load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions & { expect: 'layer' }): RecurrentLayer;
export function load(bytes: Uint8Array | ArrayBuffer, options?: LoadOptions): Saveable;
export function load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Saveable {
  checkOptions('load', options, LOAD_RULES);
  const { model } = loadParts(bytes, options);
  const want = options.expect;
  const kind = model instanceof RecurrentLayer ? 'layer' : (model.config() as { type: string }).type;
  if (want && want !== kind) {
    const what = (k: string) => (k === 'layer' ? `one ${model instanceof RecurrentLayer ? `${model.mode} ` : 'recurrent '}layer` : `a ${k} model`);
    model.dispose();
    throw new FormatError(`load: expected a file holding ${want === 'layer' ? 'one recurrent layer' : `a ${want} model`} (options.expect '${want}'), but it holds ${what(kind)}`);
  }
  return model;
}

/**
 * @internal load() that also hands back the tensors whose names satisfy `extra` (e.g. optimizer
 * state in a checkpoint) and the metadata, instead of rejecting them.
 */
export function loadParts(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}, extra: (name: string) => boolean = () => false): { model: Saveable; extras: Map<string, Tensor>; metadata: Record<string, string> } {
  const decoded = decodeSafetensors(bytes, options);
  const { metadata } = decoded;
  const extras = new Map<string, Tensor>();
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of decoded.tensors) (extra(name) ? extras : tensors).set(name, t);
  let config = options.config;
  if (!config) {
    if (metadata.format !== 'rnn-wasm' || metadata.model === undefined) {
      throw new FormatError(
        'the file has no rnn-wasm model configuration in its __metadata__; write it with save() or tools/torch_export.py, or pass load(bytes, { config })',
      );
    }
    const version = Number(metadata.format_version);
    if (!Number.isInteger(version) || version < 1) throw new FormatError(`format_version ${JSON.stringify(metadata.format_version)} is not a version number`);
    if (version > FORMAT_VERSION) {
      throw new FormatError(`the file is format version ${version}, written by a newer rnn-wasm; this version reads up to ${FORMAT_VERSION}`);
    }
    try {
      config = JSON.parse(metadata.model) as Record<string, unknown>;
    } catch (e) {
      throw new FormatError(`__metadata__.model is not valid JSON: ${(e as Error).message}`);
    }
  }
  const model = build(config);
  try {
    const shapes = model.parameterShapes();
    const problems: string[] = [];
    for (const [name, t] of tensors) {
      const want = shapes[name];
      if (want && want.join(',') !== t.shape.join(',')) {
        problems.push(`tensor "${name}": shape [${t.shape.join(', ')}] does not match the configuration's [${want.join(', ')}]`);
      }
    }
    for (const name of Object.keys(shapes)) if (!tensors.has(name)) problems.push(`missing tensor "${name}" (shape [${shapes[name].join(', ')}])`);
    for (const name of tensors.keys()) if (!shapes[name]) problems.push(`unexpected tensor "${name}" (not a parameter of this configuration)`);
    if (problems.length) throw new FormatError(`the file does not fit its configuration:\n  ${problems.join('\n  ')}`);
    const dict: Record<string, Float32Array> = {};
    for (const [name, t] of tensors) dict[name] = t.data;
    model.loadStateDict(dict);
    return { model: model.eval() as Saveable, extras, metadata };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

// A model from its configuration (constructors validate every option). Weights are overwritten.
function build(config: Record<string, unknown>): Saveable {
  if (typeof config !== 'object' || config === null) throw new FormatError('the model configuration must be a JSON object');
  if (config.type === 'Sequential') {
    const { layers, output, vocabulary } = config as { layers?: unknown; output?: 'sequence' | 'last'; vocabulary?: string };
    if (!Array.isArray(layers) || layers.length === 0) throw new FormatError('Sequential configuration: "layers" must be a non-empty list');
    const built: Layer[] = [];
    const names: string[] = [];
    try {
      for (const l of layers as Record<string, unknown>[]) {
        const { name, ...rest } = l ?? {};
        names.push(name as string);
        built.push(buildLayer(rest));
      }
      return new Sequential(built, { names, output, vocabulary });
    } catch (e) {
      for (const l of built) l.dispose();
      throw e;
    }
  }
  const other = kinds.get(config.type as string);
  if (other) return other.build(config);
  if (config.type === 'Seq2Seq') {
    throw new FormatError("the file holds a Seq2Seq model: load it with Seq2Seq.load(bytes) from 'rnn-wasm/seq2seq' (importing that entry also lets load() read it)");
  }
  const layer = buildLayer(config);
  if (!(layer instanceof RecurrentLayer)) {
    layer.dispose();
    throw new FormatError(`a model file holds a Sequential or a recurrent layer, not a ${String(config.type)}`);
  }
  return layer;
}

// Model kinds of other entries (rnn-wasm/seq2seq), registered when that entry is imported, so the
// core entry does not ship them.
const kinds = new Map<string, { build(config: Record<string, unknown>): Saveable; is(model: unknown): boolean }>();

/** @internal Let load() and save() handle a model kind defined in another entry. */
export function registerModelKind(type: string, kind: { build(config: Record<string, unknown>): Saveable; is(model: unknown): boolean }): void {
  kinds.set(type, kind);
}

/** @internal A layer from its configuration (the constructor checks every option). */
export function buildLayer(config: Record<string, unknown>): Layer {
  const { type, ...options } = config;
  const o = { ...options, seed: 0 } as never;
  switch (type) {
    case 'LSTM': return new LSTM(o);
    case 'GRU': return new GRU(o);
    case 'RNN': return new RNN(o);
    case 'Linear': return new Linear(o);
    case 'Embedding': return new Embedding(o);
    case 'Dropout': {
      const { p } = options as { p?: number };
      return new Dropout(p, { seed: 0 });
    }
    default:
      throw new FormatError(`unknown layer type ${JSON.stringify(type)} in the model configuration (known: Sequential, LSTM, GRU, RNN, Linear, Embedding, Dropout)`);
  }
}
