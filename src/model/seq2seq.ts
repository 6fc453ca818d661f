import { ConfigError, FormatError, ShapeError, StateError } from '../errors.js';
import { buildLayer, load, registerModelKind, save, type LoadOptions } from '../io/model-file.js';
import { ACT } from '../runtime/kernels.js';
import { checkInputSize } from '../runtime/limits.js';
import { Embedding, type TokenIds } from '../layers/embedding.js';
import { batchMajorOrder, fromTimeMajor, toTimeMajor } from '../layers/layout.js';
import { Linear } from '../layers/linear.js';
import type { Module } from '../layers/module.js';
import { RecurrentLayer, writeMask } from '../layers/recurrent.js';
import {
  checkArray, checkFinite32, checkKeys, checkLengths, describe, fmtShape, type NumericArray,
} from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { Composite, type TrainingBatch } from './composite.js';
import { generate, type GenerateOptions, type Generated } from './generate.js';

/** The parts of a {@link Seq2Seq}: an encoder or a condition size, a decoder and its head. */
export interface Seq2SeqParts {
  /** Token ids in for the encoder (optional): the source's vocabulary. */
  sourceEmbedding?: Embedding;
  /** Reads the source sequence (any recurrent stack, bidirectional allowed). Its last layer's final states, both directions, are the condition. */
  encoder?: RecurrentLayer;
  /** Without an encoder: the width F of the condition vector given per sequence (e.g. image features). */
  conditionSize?: number;
  /** Token ids in for the decoder (optional): the target's vocabulary. */
  embedding?: Embedding;
  /** Writes the target sequence; unidirectional. */
  decoder: RecurrentLayer;
  /** The decoder's output at every step: logits over the target's tokens (or values). */
  head: Linear;
}

/** Options of {@link Seq2Seq}. */
export interface Seq2SeqOptions {
  /** The condition sets the decoder's initial states through the learned `bridge` (Linear). Default true. */
  initState?: boolean;
  /** The condition is concatenated to the decoder's input at every step (Sketch-RNN style). Default false. */
  stepInput?: boolean;
  /** The bridge's output activation: `'tanh'` (default) or `'linear'`. */
  bridgeActivation?: 'tanh' | 'linear';
  /** Seed of the bridge's initialisation. Default: random. */
  seed?: number;
  /** The decoder's tokens as characters, in id order (saved with the model; `generate` gives text). */
  vocabulary?: string;
  /** The source's tokens as characters, in id order. */
  sourceVocabulary?: string;
}

/**
 * What conditions a batch: a condition vector per sequence `[N, F]` (a model without an
 * encoder), or the source sequences `[N, Ts]` ids / `[N, Ts, Fs]` features (an encoder–decoder).
 */
export interface ConditionInput {
  condition?: NumericArray;
  conditionShape?: readonly number[];
  source?: NumericArray | TokenIds;
  sourceShape?: readonly number[];
  sourceLengths?: ArrayLike<number>;
}

/** A batch for {@link Seq2Seq}: the decoder's input (teacher forcing) and what conditions it. Batch-major. */
export interface Seq2SeqBatch extends ConditionInput {
  /** The decoder's input: token ids `[N, T]` or features `[N, T, Fx]`. */
  x: NumericArray | TokenIds;
  xShape: readonly number[];
  /** Valid decoder steps of each sequence. */
  lengths?: ArrayLike<number>;
  /** Targets, when the batch is a data set: ignored by forward and predict. */
  y?: unknown;
  yShape?: unknown;
}

/** What {@link Seq2Seq.backward} returns (batch-major, like the inputs). */
export interface Seq2SeqGradients {
  /** ∂E/∂condition `[N, F]` (a model without an encoder). */
  dCondition?: Float32Array;
  /** ∂E/∂source `[N, Ts, Fs]` (an encoder reading features). */
  dSource?: Float32Array;
  /** ∂E/∂x `[N, T, Fx]` (a decoder reading features). */
  dInput?: Float32Array;
}

/** The streams of {@link Seq2Seq.initState}: decoder states started from a condition, in wasm memory. */
export interface Seq2SeqStream {
  readonly batch: number;
  readonly steps: number;
  /** The last step's output `[batch, O]`: the same array every step. */
  readonly output: Float32Array;
  /** Copies of the decoder's states: `h` (and `c`), `[numLayers, batch, H]`. */
  snapshot(): { h: Float32Array; c?: Float32Array };
  dispose(): void;
}

interface StreamInternals extends Seq2SeqStream {
  steps: number;
  owner: Seq2Seq;
  ptr: number; // decoder states: h [S] then c [S]
  cond: number; // the condition [batch, F]
  S: number;
  shape: number[];
  runState: { statePtr: number };
}

interface Cache { T: number; N: number; Ts: number; fromForward: boolean }

const PART_KEYS = ['sourceEmbedding', 'encoder', 'conditionSize', 'embedding', 'decoder', 'head'] as const;
const OPTION_RULES = {
  initState: is.bool, stepInput: is.bool, bridgeActivation: is.oneOf('tanh', 'linear'), seed: is.int(0),
  vocabulary: is.string, sourceVocabulary: is.string,
};
const BATCH_KEYS = ['x', 'xShape', 'lengths', 'y', 'yShape', 'condition', 'conditionShape', 'source', 'sourceShape', 'sourceLengths'] as const;
const CONDITION_KEYS = ['condition', 'conditionShape', 'source', 'sourceShape', 'sourceLengths'] as const;
// scratch blocks (2–15, 17+; 10–12 are the trainer's loss buffers, 16 the staging block)
const B_SOURCE = 2, B_COND = 3, B_DEC_IN = 4, B_CONCAT = 5, B_MASK = 6, B_SRC_MASK = 7, B_Z = 8, B_STATE = 9;
const B_DCOND = 13, B_DSTATE = 14, B_DZ = 15, B_ENC_DOUT = 17, B_ENC_DHN = 18, B_DOUT = 19, B_DIN = 20, B_REORDER = 21, B_PARENTS = 22;

/**
 * A conditioned sequence model: a decoder (RNN, LSTM or GRU) whose sequences are conditioned on
 * a vector per sequence — given (image features for captioning) or the final state of an
 * encoder run over another sequence (an encoder–decoder, seq2seq). The condition sets the
 * decoder's initial states through a learned Linear `bridge` (+ tanh), or is concatenated to
 * its input at every step, or both. Trained end to end with {@link Trainer} on data sets with a
 * `condition` or a `source` (teacher forcing: `x` is the target shifted right); generates with
 * greedy, temperature/top-k sampling or beam search ({@link generate}).
 *
 * Parameter names are those of a PyTorch module with the attributes `source_embedding`,
 * `encoder`, `bridge`, `embedding`, `decoder`, `head` (`tools/torch_export.py` builds it). The API is
 * batch-major (N first), whatever the layers' `batchFirst`.
 *
 * @example
 * ```ts
 * const model = new Seq2Seq({
 *   conditionSize: 64,                                                        // e.g. image features
 *   embedding: new Embedding({ numEmbeddings: 30, embeddingDim: 16, seed: 1 }),
 *   decoder: new LSTM({ inputSize: 16, hiddenSize: 128, seed: 2 }),
 *   head: new Linear({ inFeatures: 128, outFeatures: 30, seed: 3 }),
 * }, { seed: 4 });
 * const logits = model.predict({ condition, conditionShape: [N, 64], x: ids, xShape: [N, T] });   // [N, T, 30]
 * ```
 */
export class Seq2Seq extends Composite {
  readonly sourceEmbedding?: Embedding;
  readonly encoder?: RecurrentLayer;
  readonly bridge?: Linear;
  readonly embedding?: Embedding;
  readonly decoder: RecurrentLayer;
  readonly head: Linear;
  /** Width F of the condition vector. */
  readonly conditionSize: number;
  /** How the condition reaches the decoder: its initial states (through the bridge), its input at every step, or both. */
  readonly conditioning: { readonly initState: boolean; readonly stepInput: boolean };
  readonly bridgeActivation: 'tanh' | 'linear';
  readonly vocabulary?: string;
  readonly sourceVocabulary?: string;
  /** Features of the output per step. */
  readonly outputSize: number;
  /** Always 'sequence': the head runs at every decoder step. */
  readonly output = 'sequence' as const;
  private readonly decoderInput: number; // E or Fx: the decoder's own input per step
  private cache?: Cache;
  private condPtr = 0;
  private zPtr = 0; // the bridge's activated output [N, G·Ld·Hd]

  constructor(parts: Seq2SeqParts, options: Seq2SeqOptions = {}) {
    if (typeof parts !== 'object' || parts === null) throw new ConfigError(`Seq2Seq: expected parts { decoder, head, encoder | conditionSize, … }, got ${describe(parts)}`);
    checkKeys('Seq2Seq', parts, PART_KEYS);
    checkOptions('Seq2Seq options', options, OPTION_RULES);
    const s = checkParts(parts, options);
    const layers: Module[] = [], names: string[] = [];
    const add = (name: string, l?: Module) => { if (l) { layers.push(l); names.push(name); } };
    add('source_embedding', parts.sourceEmbedding);
    add('encoder', parts.encoder);
    const bridge = s.initState ? new Linear({ inFeatures: s.F, outFeatures: s.G * parts.decoder.numLayers * parts.decoder.hiddenSize, seed: options.seed }) : undefined;
    add('bridge', bridge);
    add('embedding', parts.embedding);
    add('decoder', parts.decoder);
    add('head', parts.head);
    super(layers, names);
    this.sourceEmbedding = parts.sourceEmbedding;
    this.encoder = parts.encoder;
    this.bridge = bridge;
    this.embedding = parts.embedding;
    this.decoder = parts.decoder;
    this.head = parts.head;
    this.conditionSize = s.F;
    this.conditioning = { initState: s.initState, stepInput: s.stepInput };
    this.bridgeActivation = options.bridgeActivation ?? 'tanh';
    this.vocabulary = options.vocabulary;
    this.sourceVocabulary = options.sourceVocabulary;
    this.outputSize = parts.head.outFeatures;
    this.decoderInput = s.decoderInput;
  }

  /** The configuration that rebuilds this model (see docs/FORMAT.md). */
  config(): Record<string, unknown> & { type: 'Seq2Seq' } {
    const c: Record<string, unknown> & { type: 'Seq2Seq' } = {
      type: 'Seq2Seq',
      layers: this.layers.map((l, i) => ({ name: this.names[i], ...(l as Linear).config() })),
      conditionSize: this.conditionSize, initState: this.conditioning.initState, stepInput: this.conditioning.stepInput, bridgeActivation: this.bridgeActivation,
    };
    if (this.vocabulary !== undefined) c.vocabulary = this.vocabulary;
    if (this.sourceVocabulary !== undefined) c.sourceVocabulary = this.sourceVocabulary;
    return c;
  }

  /**
   * A model file written by {@link save} (or `tools/torch_export.py`) back as a Seq2Seq, in
   * evaluation mode; a file holding anything else is refused with a FormatError.
   */
  static load(bytes: Uint8Array | ArrayBuffer, options: Omit<LoadOptions, 'expect'> = {}): Seq2Seq {
    return load(bytes, { ...options, expect: 'Seq2Seq' });
  }

  /** The model as a safetensors file (PyTorch names, configuration in the metadata); see {@link Seq2Seq.load}. */
  save(): Uint8Array {
    this.live();
    return save(this);
  }

  describe(): string {
    return `Seq2Seq(${this.layers.map((l, i) => `${this.names[i]}: ${l.describe()}`).join(', ')}; ` +
      `condition ${this.conditionSize}${this.conditioning.initState ? `, initial states through a ${this.bridgeActivation} bridge` : ''}${this.conditioning.stepInput ? ', at every step' : ''})`;
  }

  protected invalidate(): void {
    this.cache = undefined;
  }

  /** @internal */
  override get canBackward(): boolean {
    return this.cache !== undefined;
  }

  /**
   * Run the model on a batch (teacher forcing): the decoder reads `x` conditioned on `condition`
   * or on the encoder's reading of `source`. Activations are kept for {@link backward}.
   * Returns the logits `[N, T, O]` (batch-major). A rejected call changes nothing.
   */
  forward(batch: Seq2SeqBatch): { output: Float32Array; outputShape: number[] } {
    this.live();
    const { ptr } = this.runBatch(batch, 'forward');
    const { T, N } = this.cache!;
    this.cache!.fromForward = true;
    const O = this.outputSize;
    const output = new Float32Array(T * N * O);
    fromTimeMajor(this, output, ptr, T, N, O, true);
    return { output, outputShape: [N, T, O] };
  }

  /** {@link forward} in evaluation mode (no dropout): the logits `[N, T, O]`. */
  predict(batch: Seq2SeqBatch): Float32Array {
    const was = this.training;
    this.eval();
    try {
      return this.forward(batch).output;
    } finally {
      this.train(was);
    }
  }

  /**
   * Backpropagation through decoder, bridge and encoder for the last {@link forward}: accumulates
   * every parameter's gradient from ∂E/∂logits `[N, T, O]`, and returns the gradient of the
   * inputs that are features (the condition, source features, decoder features).
   */
  backward(dOutput: NumericArray): Seq2SeqGradients {
    this.live();
    const c = this.cache;
    if (!c) throw new StateError('backward(): call forward() first; the weights must not be reloaded in between');
    if (!c.fromForward) throw new StateError('backward(): the last run was a streaming step, a generation or a training batch, not forward(); call forward() first');
    this.checkLayersHold('backward()');
    const { T, N, Ts } = c, O = this.outputSize;
    const d = checkArray('backward dOutput', dOutput, [N, T, O]);
    checkFinite32('backward dOutput', d);
    const ptr = this.scratch(B_DOUT, T * N * O * 4, 'output gradient');
    toTimeMajor(this, ptr, d, T, N, O, true);
    this.runBackward(ptr, { inputGrad: true });
    const out: Seq2SeqGradients = {};
    if (!this.encoder) out.dCondition = this.rt.arena.f32(this.dCondPtr, N * this.conditionSize).slice();
    else if (!this.sourceEmbedding) {
      const Fs = this.encoder.inputSize;
      out.dSource = new Float32Array(Ts * N * Fs);
      fromTimeMajor(this, out.dSource, this.dSourcePtr, Ts, N, Fs, true);
    }
    if (!this.embedding) {
      out.dInput = new Float32Array(T * N * this.decoderInput);
      fromTimeMajor(this, out.dInput, this.dDecoderInputPtr, T, N, this.decoderInput, true);
    }
    return out;
  }

  /**
   * A stream for {@link step}: the decoder's states started from a condition (the bridge) and,
   * with stepInput, the condition kept for every step. One stream per sequence of `input`.
   * Uses the current mode: call `eval()` first for inference.
   */
  initState(input: ConditionInput): Seq2SeqStream {
    this.live();
    if (typeof input !== 'object' || input === null) throw new ShapeError(`initState: expected { condition, conditionShape } or { source, sourceShape, sourceLengths? }, got ${describe(input)}`);
    checkKeys('initState', input, CONDITION_KEYS);
    const N = this.conditionBatch(input, 'initState');
    this.checkCondition(input, N, 'initState');
    const d = this.decoder, S = d.numLayers * N * d.hiddenSize;
    const rt = this.rt;
    const ptr = rt.arena.alloc(S * 4 * 2, 'stream state');
    let cond = 0;
    try {
      cond = rt.arena.alloc(N * this.conditionSize * 4, 'stream condition');
      this.cache = undefined;
      this.conditionVector(input, N);
      rt.kernels.copy_f32(cond, this.condPtr, N * this.conditionSize);
      if (this.conditioning.initState) this.initialStates(N, ptr);
      else rt.kernels.fill_f32(ptr, S * 2, 0);
    } catch (e) {
      rt.arena.free(ptr);
      rt.arena.free(cond);
      throw e;
    }
    const state: StreamInternals = {
      batch: N, steps: 0, output: new Float32Array(N * this.outputSize), owner: this, ptr, cond, S,
      shape: this.embedding ? [N, 1] : [N, 1, this.decoderInput], runState: { statePtr: ptr },
      snapshot: () => {
        const h = rt.arena.f32(ptr, S).slice();
        return d.mode === 'LSTM' ? { h, c: rt.arena.f32(ptr + S * 4, S).slice() } : { h };
      },
      dispose: () => {
        rt.arena.free(state.ptr);
        rt.arena.free(state.cond);
        state.ptr = 0;
        state.cond = 0;
      },
    };
    return state;
  }

  /**
   * Advance the streams by one decoder step: `x` is one token id per stream (`[batch]`) or
   * `[batch, Fx]` features. Returns `state.output` (`[batch, O]`, the same array every step).
   * Nothing is allocated per step.
   */
  step(x: NumericArray | TokenIds, state: Seq2SeqStream): Float32Array {
    this.live();
    const st = state as StreamInternals;
    if (!st || st.owner !== this || typeof st.ptr !== 'number') throw new ShapeError("step: expected a stream from this model's initState()");
    if (st.ptr === 0) throw new StateError('step: this stream was disposed');
    const N = st.batch;
    this.checkDecoderInput(x, st.shape, 1, N, 'step x', 'step x (token ids)');
    this.cache = undefined;
    const dIn = this.decoderInputRows(x, st.shape, 1, N, st.cond);
    const d = this.decoder;
    const out = d.runForward(dIn, 1, N, st.runState);
    const y = this.head.runForward(out, N);
    const k = this.rt.kernels;
    k.copy_f32(st.ptr, d.finalHPtr(), st.S);
    const c = d.finalCPtr();
    if (c) k.copy_f32(st.ptr + st.S * 4, c, st.S);
    st.output.set(this.cachedF32(0, y, N * this.outputSize));
    st.steps++;
    return st.output;
  }

  /**
   * Generate the decoder's sequences for each condition (or source): greedy (`temperature: 0`),
   * sampled (temperature, top-k, seeded) or by beam search (`beamWidth` > 1, the best of the
   * beam by length-normalised log-probability). Starts from the `bos` token and stops at `eos`
   * or after `maxLength` tokens. Runs in evaluation mode.
   *
   * @example
   * ```ts
   * const [first] = model.generate({ condition, conditionShape: [1, 64] }, { bos: 0, eos: 1, maxLength: 20, beamWidth: 4 });
   * console.log(first.text ?? first.tokens);
   * ```
   */
  generate(input: ConditionInput, options: GenerateOptions): Generated[] {
    return generate(this, input, options);
  }

  /**
   * Sample text for each condition (or source): {@link generate} with temperature/top-k
   * sampling, giving the texts (a model without a vocabulary gives its token ids joined by spaces).
   */
  sample(options: ConditionInput & Omit<GenerateOptions, 'beamWidth' | 'lengthPenalty'>): string[] {
    if (typeof options !== 'object' || options === null) throw new ConfigError(`sample: expected options { condition | source, bos, … }, got ${describe(options)}`);
    const cond: Record<string, unknown> = {}, rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) ((CONDITION_KEYS as readonly string[]).includes(k) ? cond : rest)[k] = v;
    return generate(this, cond as ConditionInput, rest as unknown as GenerateOptions).map((g) => g.text ?? g.tokens.join(' '));
  }

  // ——— internals: the trainer and generation drive these ———

  /**
   * @internal Beam search: stream r continues from stream parents[r] (its decoder states and
   * condition are copied; rows of every layer).
   */
  reorderStreams(state: Seq2SeqStream, parents: Int32Array): void {
    const st = state as StreamInternals, k = this.rt.kernels, d = this.decoder;
    const R = st.batch, H = d.hiddenSize, F = this.conditionSize;
    const idx = this.scratch(B_PARENTS, R * 4, 'beam parents');
    this.cachedI32(1, idx, R).set(parents);
    const blocks = (d.mode === 'LSTM' ? 2 : 1) * d.numLayers;
    const tmp = this.scratch(B_REORDER, Math.max(blocks * R * H, R * F) * 4, 'beam reorder');
    // a gather of rows is an embedding lookup with the parents as ids
    for (let b = 0; b < blocks; b++) k.embedding_fwd(tmp + b * R * H * 4, st.ptr + b * R * H * 4, idx, R, H);
    k.copy_f32(st.ptr, tmp, blocks * R * H);
    k.embedding_fwd(tmp, st.cond, idx, R, F);
    k.copy_f32(st.cond, tmp, R * F);
  }


  /** @internal Batch size of a condition input, from its shapes (checked). */
  conditionBatch(input: ConditionInput, what: string): number {
    if (this.encoder) {
      if (input.condition !== undefined || input.conditionShape !== undefined) {
        throw new ShapeError(`${what}: this model has an encoder; give the source sequences (source, sourceShape), not a condition`);
      }
      const shape = input.sourceShape;
      const want = this.sourceEmbedding ? '[N, Ts]' : `[N, Ts, ${this.encoder.inputSize}]`;
      if (input.source === undefined) throw new ShapeError(`${what}: this model has an encoder: give the source sequences ${want} (source, sourceShape)`);
      if (!Array.isArray(shape) || shape.length !== (this.sourceEmbedding ? 2 : 3) || !shape.every((v) => Number.isSafeInteger(v) && v >= 1) ||
        (!this.sourceEmbedding && shape[2] !== this.encoder.inputSize)) {
        throw new ShapeError(`${what} sourceShape: expected ${want}, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
      }
      return shape[0];
    }
    if (input.source !== undefined || input.sourceShape !== undefined || input.sourceLengths !== undefined) {
      throw new ShapeError(`${what}: this model has no encoder; give a condition [N, ${this.conditionSize}] (condition, conditionShape), not a source`);
    }
    const shape = input.conditionShape;
    if (input.condition === undefined) throw new ShapeError(`${what}: this model is conditioned: give condition [N, ${this.conditionSize}] with conditionShape`);
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isSafeInteger(v) && v >= 1) || shape[1] !== this.conditionSize) {
      throw new ShapeError(`${what} conditionShape: expected [N, ${this.conditionSize}] (conditionSize ${this.conditionSize}), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    return shape[0];
  }

  /** @internal Check a condition input's values for N sequences (nothing is written). */
  checkCondition(input: ConditionInput, N: number, what: string): void {
    if (!this.encoder) {
      const c = checkArray(`${what} condition`, input.condition, [N, this.conditionSize]);
      checkFinite32(`${what} condition`, c);
      return;
    }
    const shape = input.sourceShape!;
    checkInputSize(`${what} source`, shape);
    if (this.sourceEmbedding) this.sourceEmbedding.checkIds(input.source, N * shape[1], `${what} source (token ids)`, shape);
    else {
      checkArray(`${what} source`, input.source, shape);
      checkFinite32(`${what} source`, input.source as NumericArray);
    }
    if (input.sourceLengths !== undefined) checkLengths(`${what} sourceLengths`, input.sourceLengths, shape[1], N, 1);
    this.encoder.checkSize(shape[1], N);
  }

  /**
   * @internal Forward a batch (checked whole before anything is written). Returns the logits'
   * pointer, time-major [T, N, O], and its row count.
   */
  runBatch(batch: Seq2SeqBatch, what = 'forward', _opts: { carry?: boolean; keepState?: boolean } = {}): { ptr: number; rows: number } {
    this.live();
    for (const l of this.layers) l.live();
    if (typeof batch !== 'object' || batch === null || ArrayBuffer.isView(batch) || Array.isArray(batch)) {
      throw new ShapeError(`${what}: expected a batch { x, xShape, condition | source, … }, got ${describe(batch)}`);
    }
    const { N, T } = this.checkBatch(batch, what);
    const shape = batch.xShape;

    this.cache = undefined;
    const Ts = this.conditionVector(batch, N);
    const s0 = this.conditioning.initState ? this.scratch(B_STATE, this.decoderStateFloats(N) * 4, 'initial states') : 0;
    if (this.conditioning.initState) this.initialStates(N, s0);
    const dIn = this.decoderInputRows(batch.x, shape, T, N, this.condPtr);
    const mask = batch.lengths === undefined ? 0 : writeMask(this, B_MASK, batch.lengths, T, N);
    const out = this.decoder.runForward(dIn, T, N, { mask, statePtr: s0 || undefined });
    const y = this.head.runForward(out, T * N);
    this.maskValue = mask;
    this.stampLayers();
    this.cache = { T, N, Ts, fromForward: false };
    return { ptr: y, rows: T * N };
  }

  /** @internal A decoder starts from its condition in every batch: no states carried between windows. */
  readonly carriesState = false;

  /** @internal */
  checkData(data: TrainingBatch, name: string): void {
    this.checkBatch(data as Seq2SeqBatch, name);
  }

  /** @internal Check a whole batch (or data set) against the model, writing nothing. Returns its N and T. */
  checkBatch(batch: Seq2SeqBatch, what: string): { N: number; T: number } {
    checkKeys(what, batch, BATCH_KEYS);
    const N = this.conditionBatch(batch, what);
    const shape = batch.xShape;
    const want = this.embedding ? '[N, T]' : `[N, T, ${this.decoderInput}]`;
    if (!Array.isArray(shape) || shape.length !== (this.embedding ? 2 : 3) || !shape.every((v) => Number.isSafeInteger(v) && v >= 1) ||
      shape[0] !== N || (!this.embedding && shape[2] !== this.decoderInput)) {
      throw new ShapeError(`${what} xShape: expected ${want} with N = ${N} (the condition's), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    const T = shape[1];
    this.checkCondition(batch, N, what);
    this.checkDecoderInput(batch.x, shape, T, N, `${what} x`, `${what} x (token ids)`);
    if (batch.lengths !== undefined) checkLengths(`${what} lengths`, batch.lengths, T, N);
    this.decoder.checkSize(T, N);
    return { N, T };
  }

  /** @internal The [T, N] 0/1 mask of the last run (0 without lengths). */
  get maskPtr(): number {
    return this.cache ? this.maskValue : 0;
  }

  private maskValue = 0;
  private dCondPtr = 0;
  private dSourcePtr = 0;
  private dDecoderInputPtr = 0;

  /**
   * @internal Backward from ∂E/∂logits at ptr (time-major [T, N, O]): accumulates every
   * parameter's gradient. `inputGrad: false` skips the gradients of feature inputs nobody reads.
   */
  runBackward(ptr: number, opts: { inputGrad?: boolean } = {}): number {
    const c = this.cache;
    if (!c) throw new StateError('backward(): call forward() first; the weights must not be reloaded in between');
    this.checkLayersHold('backward()');
    const { T, N, Ts } = c;
    const k = this.rt.kernels, F = this.conditionSize, E = this.decoderInput;
    const inputs = opts.inputGrad !== false;
    const dh = this.head.runBackward(ptr);
    // the decoder's input gradient feeds the embedding, the condition (stepInput) and the caller
    const needIn = !!this.embedding || this.conditioning.stepInput || inputs;
    const dIn = this.decoder.runBackward(dh, { inputGrad: needIn });
    const dCond = this.scratch(B_DCOND, N * F * 4, 'condition gradient');
    k.fill_f32(dCond, N * F, 0);
    let dE = dIn;
    if (this.conditioning.stepInput) {
      dE = this.embedding || inputs ? this.scratch(B_DIN, T * N * E * 4, 'decoder input gradient') : 0;
      k.split_rows(dE, dCond, dIn, E, F, T * N, N);
    }
    if (this.embedding) this.embedding.runBackward(dE);
    this.dDecoderInputPtr = dE;
    if (this.conditioning.initState) this.bridgeBackward(N, dCond);
    this.dCondPtr = dCond;
    if (this.encoder) this.encoderBackward(Ts, N, dCond, inputs);
    return 0;
  }

  // ∂E/∂(initial states) → through the activation and the bridge → added into dCond [N, F]
  private bridgeBackward(N: number, dCond: number): void {
    const k = this.rt.kernels, d = this.decoder, G = d.mode === 'LSTM' ? 2 : 1;
    const S = d.numLayers * N * d.hiddenSize, n = G * S;
    const { dh0, dc0 } = d.initialStateGradPtrs();
    const stacked = this.scratch(B_DSTATE, n * 4, 'initial state gradient');
    k.copy_f32(stacked, dh0, S);
    if (G === 2) k.copy_f32(stacked + S * 4, dc0, S);
    // [G·Ld, N, Hd] → [N, G·Ld·Hd], the bridge's output layout
    const dz = this.scratch(B_DZ, n * 4, 'bridge gradient');
    k.swap_leading(dz, stacked, G * d.numLayers, N, d.hiddenSize);
    if (this.bridgeActivation === 'tanh') k.tanh_grad(dz, dz, this.zPtr, n);
    k.add_f32(dCond, this.bridge!.runBackward(dz), N * this.conditionSize);
  }

  // ∂E/∂c [N, D·He] is ∂E/∂(the encoder's last layer's final states): BPTT through the encoder
  private encoderBackward(Ts: number, N: number, dCond: number, inputs: boolean): void {
    const k = this.rt.kernels, e = this.encoder!;
    const D = e.numDirections, He = e.hiddenSize, L = e.numLayers;
    const dOut = this.scratch(B_ENC_DOUT, Ts * N * D * He * 4, 'encoder output gradient');
    k.fill_f32(dOut, Ts * N * D * He, 0);
    const S = L * D * N * He;
    const dhN = this.scratch(B_ENC_DHN, S * 4, 'encoder final state gradient');
    k.fill_f32(dhN, S, 0);
    k.swap_leading(dhN + (L - 1) * D * N * He * 4, dCond, N, D, He);
    const dx = e.runBackward(dOut, { dhNPtr: dhN, inputGrad: !!this.sourceEmbedding || inputs });
    if (this.sourceEmbedding) this.sourceEmbedding.runBackward(dx);
    this.dSourcePtr = dx;
  }

  // The condition vector c [N, F] at this.condPtr: the user's condition, or the encoder's last
  // layer's final states (forward direction, then reverse). Returns the source length Ts (or 0).
  private conditionVector(input: ConditionInput, N: number): number {
    const F = this.conditionSize, k = this.rt.kernels;
    this.condPtr = this.scratch(B_COND, N * F * 4, 'condition');
    if (!this.encoder) {
      this.rt.arena.f32(this.condPtr, N * F).set(input.condition as NumericArray);
      return 0;
    }
    const e = this.encoder, shape = input.sourceShape!, Ts = shape[1];
    let x: number;
    if (this.sourceEmbedding) {
      const ids = this.sourceEmbedding.stageIds(input.source as TokenIds, Ts * N, Ts > 1 ? batchMajorOrder(Ts, N) : undefined);
      x = this.sourceEmbedding.runForward(ids, Ts * N);
    } else {
      x = this.scratch(B_SOURCE, Ts * N * e.inputSize * 4, 'source');
      toTimeMajor(this, x, input.source as NumericArray, Ts, N, e.inputSize, true);
    }
    const mask = input.sourceLengths === undefined ? 0 : writeMask(this, B_SRC_MASK, input.sourceLengths, Ts, N);
    e.runForward(x, Ts, N, { mask });
    const D = e.numDirections, He = e.hiddenSize;
    k.swap_leading(this.condPtr, e.finalHPtr() + (e.numLayers - 1) * D * N * He * 4, D, N, He);
    return Ts;
  }

  // The decoder's initial states from the condition: z = act(bridge(c)), [N, G·Ld·Hd] →
  // h0 [Ld, N, Hd] then c0 (LSTM) at `dst`, the layout of a stream's state.
  private initialStates(N: number, dst: number): void {
    const k = this.rt.kernels, d = this.decoder, G = d.mode === 'LSTM' ? 2 : 1;
    const n = this.decoderStateFloats(N);
    let z = this.bridge!.runForward(this.condPtr, N);
    if (this.bridgeActivation === 'tanh') {
      const t = this.scratch(B_Z, n * 4, 'bridge output');
      k.activate(t, z, n, ACT.tanh);
      z = t;
    }
    this.zPtr = z;
    k.swap_leading(dst, z, N, G * d.numLayers, d.hiddenSize);
  }

  private decoderStateFloats(N: number): number {
    const d = this.decoder;
    return (d.mode === 'LSTM' ? 2 : 1) * d.numLayers * N * d.hiddenSize;
  }

  // the decoder's input x (ids or features) for T steps of N sequences: checked, nothing written
  // `idsWhat`: the name for token ids, given whole by the caller (a string built here per
  // streaming step would be garbage every step)
  private checkDecoderInput(x: unknown, shape: readonly number[], T: number, N: number, what: string, idsWhat: string): void {
    checkInputSize(what, shape);
    if (this.embedding) this.embedding.checkIds(x, T * N, idsWhat, shape);
    else {
      checkArray(what, x, shape);
      checkFinite32(what, x as NumericArray);
    }
  }

  // The decoder's input rows, time-major [T, N, E (+ F)]: embedded ids or features, with the
  // condition at `cond` beside every row when stepInput. Returns their pointer.
  private decoderInputRows(x: NumericArray | TokenIds, shape: readonly number[], T: number, N: number, cond: number): number {
    const E = this.decoderInput;
    let rows: number;
    if (this.embedding) {
      const ids = this.embedding.stageIds(x as TokenIds, T * N, T > 1 ? batchMajorOrder(T, N) : undefined);
      rows = this.embedding.runForward(ids, T * N);
    } else {
      rows = this.scratch(B_DEC_IN, T * N * E * 4, 'decoder input');
      toTimeMajor(this, rows, x as NumericArray, T, N, E, true);
    }
    if (!this.conditioning.stepInput) return rows;
    const F = this.conditionSize;
    const cat = this.scratch(B_CONCAT, T * N * (E + F) * 4, 'decoder input with the condition');
    this.rt.kernels.concat_rows(cat, rows, E, cond, F, T * N, N);
    return cat;
  }
}

// The parts fit together: sizes, kinds, at least one way of conditioning.
function checkParts(p: Seq2SeqParts, o: Seq2SeqOptions): { F: number; G: number; initState: boolean; stepInput: boolean; decoderInput: number } {
  const initState = o.initState ?? true, stepInput = o.stepInput ?? false;
  if (!initState && !stepInput) throw new ConfigError('Seq2Seq options: initState and stepInput are both false; the condition would reach nothing');
  const { sourceEmbedding: se, encoder: enc, embedding: emb, decoder: dec, head } = p;
  if (!(dec instanceof RecurrentLayer)) throw new ConfigError(`Seq2Seq decoder: expected an RNN, LSTM or GRU, got ${describe(dec)}`);
  if (!(head instanceof Linear)) throw new ConfigError(`Seq2Seq head: expected a Linear, got ${describe(head)}`);
  if (enc !== undefined && !(enc instanceof RecurrentLayer)) throw new ConfigError(`Seq2Seq encoder: expected an RNN, LSTM or GRU, got ${describe(enc)}`);
  if (se !== undefined && !(se instanceof Embedding)) throw new ConfigError(`Seq2Seq sourceEmbedding: expected an Embedding, got ${describe(se)}`);
  if (emb !== undefined && !(emb instanceof Embedding)) throw new ConfigError(`Seq2Seq embedding: expected an Embedding, got ${describe(emb)}`);
  if (se && !enc) throw new ConfigError('Seq2Seq sourceEmbedding: there is no encoder to feed');
  if (dec.bidirectional) throw new ConfigError(`Seq2Seq decoder: ${dec.describe()} is bidirectional; a decoder writes one step after another and must be unidirectional`);
  const all = [se, enc, emb, dec, head].filter((l) => l !== undefined);
  if (new Set(all).size !== all.length) throw new ConfigError('Seq2Seq: the same layer instance appears twice');
  let F: number;
  if (enc) {
    F = enc.numDirections * enc.hiddenSize;
    if (p.conditionSize !== undefined && p.conditionSize !== F) {
      throw new ConfigError(`Seq2Seq conditionSize: with an encoder the condition is its last layer's final states, ${enc.numDirections} × ${enc.hiddenSize} = ${F} wide; got ${describe(p.conditionSize)} (leave it out)`);
    }
    if (se && se.embeddingDim !== enc.inputSize) throw new ConfigError(`Seq2Seq encoder: inputSize ${enc.inputSize} does not match the sourceEmbedding's embeddingDim ${se.embeddingDim}`);
  } else {
    if (typeof p.conditionSize !== 'number' || !Number.isInteger(p.conditionSize) || p.conditionSize < 1) {
      throw new ConfigError(`Seq2Seq conditionSize: without an encoder, expected the condition's width (a positive integer), got ${describe(p.conditionSize)}`);
    }
    F = p.conditionSize;
  }
  const own = dec.inputSize - (stepInput ? F : 0);
  if (emb && own !== emb.embeddingDim) {
    throw new ConfigError(`Seq2Seq decoder: inputSize ${dec.inputSize} must be the embedding's embeddingDim ${emb.embeddingDim}${stepInput ? ` + the condition's ${F} (stepInput)` : ''} = ${emb.embeddingDim + (stepInput ? F : 0)}`);
  }
  if (!emb && own < 1) throw new ConfigError(`Seq2Seq decoder: inputSize ${dec.inputSize} leaves no room for its own input beside the condition's ${F} (stepInput)`);
  if (head.inFeatures !== dec.hiddenSize) throw new ConfigError(`Seq2Seq head: inFeatures ${head.inFeatures} does not match the decoder's hiddenSize ${dec.hiddenSize}`);
  if (o.vocabulary !== undefined && (!emb || [...o.vocabulary].length !== emb.numEmbeddings || head.outFeatures !== emb.numEmbeddings)) {
    throw new ConfigError(`Seq2Seq vocabulary: expected ${emb ? emb.numEmbeddings : 'one character per token of the embedding'} characters (the embedding's numEmbeddings, = the head's outFeatures), got ${[...o.vocabulary].length}`);
  }
  if (o.sourceVocabulary !== undefined && (!se || [...o.sourceVocabulary].length !== se.numEmbeddings)) {
    throw new ConfigError(`Seq2Seq sourceVocabulary: expected ${se ? se.numEmbeddings : 'a sourceEmbedding and its'} characters, got ${[...o.sourceVocabulary].length}`);
  }
  return { F, G: dec.mode === 'LSTM' ? 2 : 1, initState, stepInput, decoderInput: own };
}

// A Seq2Seq from its configuration: its layers by their fixed names; the bridge is made by the
// model itself from the sizes, and must match the file's.
function buildSeq2Seq(config: Record<string, unknown>): Seq2Seq {
  const { layers, type: _t, initState, stepInput, bridgeActivation, vocabulary, sourceVocabulary, conditionSize, ...rest } = config as Record<string, unknown>;
  if (Object.keys(rest).length) throw new FormatError(`Seq2Seq configuration: unknown entries ${Object.keys(rest).join(', ')}`);
  if (!Array.isArray(layers)) throw new FormatError('Seq2Seq configuration: "layers" must be a list');
  const byName = new Map<string, Record<string, unknown>>();
  for (const l of layers as Record<string, unknown>[]) {
    const name = (l as { name?: unknown })?.name;
    if (typeof name !== 'string' || !SEQ2SEQ_PARTS.includes(name) || byName.has(name)) {
      throw new FormatError(`Seq2Seq configuration: layer names must be distinct, among ${SEQ2SEQ_PARTS.join(', ')}; got ${JSON.stringify(name)}`);
    }
    byName.set(name, l);
  }
  const built: Record<string, Module> = {};
  try {
    for (const [name, l] of byName) {
      if (name === 'bridge') continue;
      const { name: _n, ...options } = l;
      built[name] = buildLayer(options);
    }
    const model = new Seq2Seq({
      sourceEmbedding: built.source_embedding as Embedding | undefined, encoder: built.encoder as RecurrentLayer | undefined,
      conditionSize: built.encoder ? undefined : conditionSize as number, embedding: built.embedding as Embedding | undefined,
      decoder: built.decoder as RecurrentLayer, head: built.head as Linear,
    }, { initState: initState as boolean, stepInput: stepInput as boolean, bridgeActivation: bridgeActivation as 'tanh', vocabulary: vocabulary as string, sourceVocabulary: sourceVocabulary as string, seed: 0 });
    const b = byName.get('bridge');
    const want = model.bridge?.config();
    if ((b === undefined) !== (want === undefined) || (b && want && (b.inFeatures !== want.inFeatures || b.outFeatures !== want.outFeatures || (b.bias ?? true) !== want.bias))) {
      model.dispose();
      throw new FormatError(`Seq2Seq configuration: the bridge ${JSON.stringify(b ?? null)} does not fit the model (expected ${JSON.stringify(want ?? null)})`);
    }
    return model;
  } catch (e) {
    for (const l of Object.values(built)) l.dispose();
    throw e;
  }
}

const SEQ2SEQ_PARTS = ['source_embedding', 'encoder', 'bridge', 'embedding', 'decoder', 'head'];


/**
 * @internal Let load() and save() know this model kind: done when this module loads, and again by
 * the entries that offer it (rnn-wasm/seq2seq, rnn-wasm/sketch), whose own top-level call is the
 * side effect package.json declares, so a bare `import 'rnn-wasm/seq2seq'` survives bundling.
 */
export function registerSeq2Seq(): void {
  registerModelKind('Seq2Seq', { build: buildSeq2Seq, is: (m) => m instanceof Seq2Seq });
}
registerSeq2Seq();
