import { ConfigError, ShapeError, StateDictError, StateError } from '../errors.js';
import { save } from '../io/model-file.js';
import { checkInputSize } from '../runtime/limits.js';
import { sampleTokens, type SampleOptions } from './sampling.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding, type TokenIds } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Composite, type TrainingBatch } from './composite.js';
import { batchMajorOrder, fromTimeMajor, toTimeMajor } from '../layers/layout.js';
import { RecurrentLayer, writeMask, type ForwardState } from '../layers/recurrent.js';
import { checkArray, checkFinite32, checkKeys, checkLengths, describe, fmtShape, type NumericArray } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';

/** A layer a {@link Sequential} can hold. */
export type Layer = Embedding | RecurrentLayer | Dropout | Linear;

/** Options of {@link Sequential}. */
export interface SequentialOptions {
  /**
   * Module names, the prefixes of the parameter names (`rnn.weight_ih_l0`, `head.weight`).
   * Default by kind: `embedding`, `rnn`, `dropout`, `head` (then `rnn1`, `rnn2`, … for repeats),
   * which are the attribute names `tools/torch_export.py` gives the PyTorch module.
   */
  names?: string[];
  /**
   * `'sequence'` (default): the layers after the last recurrent layer run at every timestep
   * (many-to-many). `'last'`: only on the last timestep's output (many-to-one).
   */
  output?: 'sequence' | 'last';
  /** The characters of a character-level model, in token-id order (saved with the model). */
  vocabulary?: string;
}

/** What {@link Sequential.forward} returns. */
export interface SequentialResult {
  /** `[T, B, O]` (`[B, T, O]` with batchFirst) for output 'sequence'; `[B, O]` for 'last'. */
  output: Float32Array;
  outputShape: number[];
}

/**
 * The state of a stream ({@link Sequential.step}): every recurrent layer's hidden (and cell)
 * state for a batch of streams, kept in WebAssembly memory, and the last step's output.
 * Free it with `dispose()` when done (it is also freed when garbage-collected).
 */
export interface StreamState {
  /** Streams advanced together. */
  readonly batch: number;
  /** Steps taken. */
  readonly steps: number;
  /** The last step's output `[batch, O]`: the same array every step (copy it to keep it). */
  readonly output: Float32Array;
  /** Copies of the states: per recurrent layer, `h` (and `c`), `[numLayers, batch, H]`. */
  snapshot(): { h: Float32Array; c?: Float32Array }[];
  /** Back to zero states. */
  reset(): void;
  dispose(): void;
}

interface StreamInternals extends StreamState {
  steps: number;
  ptrs: number[]; // per recurrent layer: h then c, [S] each
  sizes: number[];
  owner: Sequential;
  // made once, reused by every step: nothing is allocated per step
  recurrent: RecurrentLayer[];
  shape: number[];
  runOptions: { states: number[] };
}

/** A batch of sequences in the layout of a data set: batch-major `[N, T, F]` features or `[N, T]` ids. */
export interface SequenceBatch {
  x: NumericArray | TokenIds;
  /** `[N, T, F]` for features, `[N, T]` for token ids, whatever the model's batchFirst. */
  xShape: readonly number[];
  /** Valid steps of each sequence (right padding). */
  lengths?: ArrayLike<number>;
  /** Targets, when the batch is a {@link SequenceDataset}: ignored by predict. */
  y?: unknown;
  yShape?: unknown;
}

// What a forward leaves for backward. `fromForward`: made by forward() itself (not a streaming
// step or a trainer batch), which backward() requires; `stamps`: each layer's forwardCount just
// after, so a layer run on its own in between is detected.
interface Cache { T: number; B: number; batched: boolean; batchMajor: boolean; lengths?: Int32Array; mask: number; fromForward: boolean; fused: boolean }
const FORWARD_KEYS = ['shape', 'lengths'] as const;
const BATCH_KEYS = ['x', 'xShape', 'lengths', 'y', 'yShape'] as const;

/**
 * A model: an optional {@link Embedding} (token-id input), recurrent layers, optional
 * {@link Dropout}s, and optional {@link Linear} layers after the last recurrent one (the head,
 * applied at every timestep or at the last one). Parameters are named as a PyTorch module
 * with those attributes would name them, so `state_dict()`s move both ways unchanged.
 *
 * Inside, data stays in wasm memory from the input to the output: one copy in, one out.
 *
 * @example
 * ```ts
 * const model = new Sequential([
 *   new Embedding({ numEmbeddings: 65, embeddingDim: 32, seed: 1 }),
 *   new LSTM({ inputSize: 32, hiddenSize: 128, batchFirst: true, seed: 2 }),
 *   new Linear({ inFeatures: 128, outFeatures: 65, seed: 3 }),
 * ]);
 * const { output } = model.forward(ids, { shape: [B, T] });   // logits [B, T, 65]
 * ```
 */
export class Sequential extends Composite {
  declare readonly layers: readonly Layer[];
  readonly output: 'sequence' | 'last';
  readonly vocabulary?: string;
  /** Input and output are batch-major (from the recurrent layers' batchFirst). */
  readonly batchFirst: boolean;
  /** Features per input step, or undefined when the input is token ids. */
  readonly inputSize?: number;
  /** Features of the output. */
  readonly outputSize: number;
  private readonly lastRecurrent: number;
  private cache?: Cache;
  private cacheObject?: Cache;
  private readonly runState: ForwardState = { mask: 0 };
  private readonly result = { ptr: 0, rows: 0 };

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new ConfigError(`Sequential: expected a non-empty array of layers, got ${describe(layers)}`);
    }
    checkOptions('Sequential', options, SEQUENTIAL_RULES);
    const { names, output = 'sequence', vocabulary } = options;
    if (output !== 'sequence' && output !== 'last') {
      throw new ConfigError(`Sequential output: expected 'sequence' or 'last', got ${JSON.stringify(output)}`);
    }
    const list = layers.slice(), nameList = names ? names.slice() : defaultNames(layers);
    const { inputSize, outputSize, lastRecurrent, batchFirst } = checkStructure(list, nameList);
    if (vocabulary !== undefined) {
      const first = layers[0];
      if (typeof vocabulary !== 'string' || !(first instanceof Embedding) || [...vocabulary].length !== first.numEmbeddings) {
        throw new ConfigError(
          `Sequential vocabulary: expected a string of exactly numEmbeddings characters for the first layer's Embedding, got ${describe(vocabulary)}` +
            (first instanceof Embedding ? ` of ${[...String(vocabulary)].length} characters for numEmbeddings ${first.numEmbeddings}` : ' (the model has no Embedding)'),
        );
      }
    }
    super(list, nameList);
    this.output = output;
    this.vocabulary = vocabulary;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.lastRecurrent = lastRecurrent;
    this.batchFirst = batchFirst;
  }

  /** The configuration that rebuilds this model (see docs/FORMAT.md). */
  config(): { type: 'Sequential'; layers: Record<string, unknown>[]; output: 'sequence' | 'last'; vocabulary?: string } {
    const c: ReturnType<Sequential['config']> = {
      type: 'Sequential',
      layers: this.layers.map((l, i) => ({ name: this.names[i], ...l.config() })),
      output: this.output,
    };
    if (this.vocabulary !== undefined) c.vocabulary = this.vocabulary;
    return c;
  }

  /** The model as a safetensors file (PyTorch names, configuration in the metadata); see {@link load}. */
  save(): Uint8Array {
    this.live();
    return save(this);
  }

  describe(): string {
    return `Sequential(${this.layers.map((l, i) => `${this.names[i]}: ${l.describe()}`).join(', ')})`;
  }

  protected invalidate(): void {
    this.cache = undefined;
  }

  /**
   * Run the model. `x`: token ids (Int32Array) `[T, B]` / `[B, T]` when the first layer is
   * an Embedding, else features `[T, B, I]` / `[B, T, I]` (batch-major with batchFirst); a
   * shape one dimension fewer is one unbatched sequence. `lengths` (B integers) marks
   * right-padded sequences: padded steps do not change the state, and output 'last' takes
   * each sequence's last valid step. Activations are kept for {@link backward}. Returns fresh
   * arrays. A rejected call changes nothing (the last forward's activations stay usable).
   */
  forward(x: NumericArray | TokenIds, options: { shape: readonly number[]; lengths?: ArrayLike<number> }): SequentialResult {
    this.live();
    if (typeof options !== 'object' || options === null) {
      throw new ShapeError(`forward(x, options): options must be an object with a "shape", e.g. { shape: ${this.layoutText()} }, got ${describe(options)}`);
    }
    checkKeys('forward', options, FORWARD_KEYS);
    const { T, B, batched } = this.parseShape(options.shape);
    return this.forwardIn(x, options.shape, T, B, batched, this.batchFirst && batched, options.lengths);
  }

  /**
   * The model's output in evaluation mode (no dropout); the training mode is restored
   * afterwards. Two forms:
   * - `predict(batch)`: a batch in the layout of a data set, `{ x, xShape: [N, T, F] | [N, T], lengths? }`
   *   (a {@link SequenceDataset} works as it is), whatever the model's batchFirst. The output is
   *   batch-major too: `[N, T, O]`, or `[N, O]` for output 'last'.
   * - `predict(x, { shape, lengths })`: as {@link forward}, `shape` in the model's own layout
   *   (`[T, B, …]` unless batchFirst).
   *
   * @example
   * ```ts
   * const logits = model.predict(valSet);                          // [N, T, O], batch-major
   * const same = model.predict(valSet.x, { shape: valSet.xShape }); // only for a batchFirst model
   * ```
   */
  predict(batch: SequenceBatch): Float32Array;
  predict(x: NumericArray | TokenIds, options: { shape: readonly number[]; lengths?: ArrayLike<number> }): Float32Array;
  predict(x: NumericArray | TokenIds | SequenceBatch, options?: { shape: readonly number[]; lengths?: ArrayLike<number> }): Float32Array {
    this.live();
    let run: () => SequentialResult;
    if (options === undefined && isBatch(x)) {
      checkKeys('predict(batch)', x, BATCH_KEYS);
      const { T, B } = this.parseBatchShape(x.xShape);
      run = () => this.forwardIn(x.x, x.xShape, T, B, true, true, x.lengths);
    } else {
      run = () => this.forward(x as NumericArray | TokenIds, options!);
    }
    const was = this.training;
    this.eval();
    try {
      const r = run();
      this.cache!.fromForward = true;
      return r.output;
    } finally {
      this.train(was);
    }
  }

  // forward() for a checked shape; `batchMajor`: x (and the output) are [B, T, …]
  private forwardIn(x: NumericArray | TokenIds, shape: readonly number[], T: number, B: number, batched: boolean, batchMajor: boolean, lengths?: ArrayLike<number>): SequentialResult {
    const { ptr, rows } = this.run(x, shape, T, B, batchMajor, { lengths });
    const c = this.cache!;
    c.batched = batched;
    c.batchMajor = batchMajor;
    c.fromForward = true;
    const O = this.outputSize;
    const output = new Float32Array(rows * O);
    if (this.output === 'last') output.set(this.rt.arena.f32(ptr, B * O));
    else fromTimeMajor(this, output, ptr, T, B, O, batchMajor);
    return { output, outputShape: this.outputShape(T, B, batched, batchMajor) };
  }

  /**
   * A fresh stream state (zeros) for {@link step}: `batch` independent streams advanced together.
   */
  initState(batch = 1): StreamState {
    this.live();
    if (!Number.isInteger(batch) || batch < 1) throw new ShapeError(`initState batch: expected a positive integer, got ${describe(batch)}`);
    const recurrent = this.layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer);
    const bad = recurrent.find((l) => l.bidirectional);
    if (bad) throw new ConfigError(`streaming needs unidirectional recurrent layers: ${bad.describe()} reads the future`);
    const perStream = recurrent.reduce((n, l) => n + l.numLayers * l.hiddenSize * (l.mode === 'LSTM' ? 2 : 1), 0);
    checkInputSize('initState batch', [batch, Math.max(perStream, this.inputSize ?? 1)]);
    const rt = this.rt;
    const sizes = recurrent.map((l) => l.numLayers * batch * l.hiddenSize);
    const ptrs: number[] = [];
    try {
      recurrent.forEach((l, i) => ptrs.push(rt.arena.alloc(sizes[i] * 4 * (l.mode === 'LSTM' ? 2 : 1), 'stream state')));
    } catch (e) {
      for (const p of ptrs) rt.arena.free(p);
      throw e;
    }
    const state: StreamInternals = {
      batch, steps: 0, output: new Float32Array(batch * this.outputSize), ptrs, sizes, owner: this,
      recurrent, shape: this.inputSize === undefined ? [batch, 1] : [batch, 1, this.inputSize], runOptions: { states: ptrs },
      snapshot: () => recurrent.map((l, i) => {
        const h = rt.arena.f32(ptrs[i], sizes[i]).slice();
        return l.mode === 'LSTM' ? { h, c: rt.arena.f32(ptrs[i] + sizes[i] * 4, sizes[i]).slice() } : { h };
      }),
      reset: () => {
        recurrent.forEach((l, i) => rt.kernels.fill_f32(ptrs[i], sizes[i] * (l.mode === 'LSTM' ? 2 : 1), 0));
        state.steps = 0;
      },
      dispose: () => {
        for (const p of ptrs) if (p) rt.arena.free(p);
        ptrs.fill(0);
      },
    };
    state.reset();
    return state;
  }

  /**
   * Advance streams by one timestep. `x`: one token id per stream (`[batch]`) for a token
   * model, else `[batch, I]` features. Updates `state` in place and returns `state.output`
   * (`[batch, O]`, the same array every step). Nothing is allocated per step; the states stay
   * in wasm memory. Uses the current mode: call `eval()` first for inference.
   *
   * @example
   * ```ts
   * model.eval();
   * const s = model.initState();
   * for (const id of ids) { const logits = model.step([id], s); … }
   * s.dispose();
   * ```
   */
  step(x: NumericArray | TokenIds, state: StreamState): Float32Array {
    this.live();
    const st = state as StreamInternals;
    if (!st || st.owner !== this || !Array.isArray(st.ptrs)) throw new ShapeError('step: expected a state from this model\'s initState()');
    for (let i = 0; i < st.ptrs.length; i++) if (st.ptrs[i] === 0) throw new StateError('step: this stream state was disposed');
    const B = st.batch;
    const ptr = this.run(x, st.shape, 1, B, true, st.runOptions).ptr;
    // the new states back into the stream
    const k = this.rt.kernels;
    for (let i = 0; i < st.recurrent.length; i++) {
      const layer = st.recurrent[i], to = st.ptrs[i], n = st.sizes[i];
      k.copy_f32(to, layer.finalHPtr(), n);
      const c = layer.finalCPtr();
      if (c) k.copy_f32(to + n * 4, c, n);
    }
    st.output.set(this.cachedF32(0, ptr, B * this.outputSize));
    st.steps++;
    return st.output;
  }

  /**
   * Generate tokens from a character (token) model: feed `prime`, then repeatedly sample the
   * next token from softmax(logits / temperature), optionally among the `topK` most likely,
   * with a seeded generator. Returns text when the model has a vocabulary, else token ids.
   *
   * @example
   * ```ts
   * const text = model.sample({ prime: 'ROMEO:', length: 200, temperature: 0.8, topK: 20, seed: 1 });
   * ```
   */
  sample(options: SampleOptions = {}): string {
    return sampleTokens(this, options);
  }

  /**
   * Backpropagation through the model for the last {@link forward}: accumulates (+=) every
   * parameter's gradient from ∂E/∂output (shaped like forward's output). Returns ∂E/∂x for
   * feature inputs (token inputs have none).
   */
  backward(dOutput: NumericArray): { dInput?: Float32Array } {
    this.live();
    const c = this.backwardCache('backward()');
    if (!c.fromForward) {
      throw new StateError('backward(): the last run was a streaming step, a sample or a training batch, not forward(); call forward() first');
    }
    const { T, B, batched } = c;
    const bf = c.batchMajor;
    const O = this.outputSize;
    const d = checkArray('backward dOutput', dOutput, this.outputShape(T, B, batched, bf));
    checkFinite32('backward dOutput', d);
    const ptr = this.scratch(3, (this.output === 'last' ? B : T * B) * O * 4, 'output gradient');
    if (this.output === 'last') this.rt.arena.f32(ptr, B * O).set(d);
    else toTimeMajor(this, ptr, d, T, B, O, bf);
    const dx = this.runBackward(ptr);
    if (this.inputSize === undefined) return {};
    const I = this.inputSize;
    const dInput = new Float32Array(T * B * I);
    fromTimeMajor(this, dInput, dx, T, B, I, bf);
    return { dInput };
  }

  /** @internal True while a backward may follow the last run. */
  override get canBackward(): boolean {
    return this.cache !== undefined;
  }

  // The cache of the last run, checked whole before a backward writes anything.
  private backwardCache(what: string): Cache {
    const c = this.cache;
    if (!c) throw new StateError(`${what}: call forward() first; the weights must not be reloaded in between`);
    this.checkLayersHold(what);
    return c;
  }

  /**
   * @internal Forward from the caller's arrays. `batchMajor`: x is [B, T, …] (else [T, B, …]).
   * `carry`: start from the previous forward's final states (truncated BPTT). Returns the
   * output pointer (time-major [T, B, O], or [B, O] for 'last') and its row count.
   */
  run(x: NumericArray | TokenIds, shape: readonly number[], T: number, B: number, batchMajor: boolean, opts: RunOptions = NO_RUN_OPTIONS): { ptr: number; rows: number } {
    this.live();
    for (let i = 0; i < this.layers.length; i++) this.layers[i].live();
    // everything is checked before anything is written: a rejected call leaves the last run's
    // activations, the carried states and the streams as they were
    checkInputSize('forward x', shape);
    const first = this.layers[0];
    if (first instanceof Embedding) {
      first.checkIds(x, T * B, 'forward x (token ids)', shape);
    } else {
      checkArray('forward x', x, shape);
      checkFinite32('forward x', x as NumericArray);
    }
    if (opts.lengths !== undefined) checkLengths('forward lengths', opts.lengths, T, B, this.output === 'last' ? 1 : 0);
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i];
      if (l instanceof RecurrentLayer) l.checkSize(T, B);
    }

    this.cache = undefined;
    let ptr: number;
    let F: number;
    if (first instanceof Embedding) {
      // time-major staging: row (t, b) takes the caller's element (b, t) when batch-major
      // (the same order when T = 1)
      ptr = first.stageIds(x as TokenIds, T * B, batchMajor && T > 1 ? batchMajorOrder(T, B) : undefined);
      F = 0;
    } else {
      const I = this.inputSize!;
      ptr = this.scratch(2, T * B * I * 4, 'input');
      toTimeMajor(this, ptr, x as NumericArray, T, B, I, batchMajor);
      F = I;
    }
    const mask = opts.lengths === undefined ? 0 : writeMask(this, 6, opts.lengths, T, B);
    const lengths = opts.lengths === undefined ? undefined : Int32Array.from(opts.lengths);
    let rows = T * B;
    let r = 0;
    const rs = this.runState;
    // an Embedding right before a recurrent layer hands it the ids (RecurrentLayer.runForward's
    // tokens) when that is cheaper than making every token's vector
    const fused = first instanceof Embedding && this.layers[1] instanceof RecurrentLayer && first.fusesFor(rows);
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      if (layer instanceof Embedding) {
        if (fused) layer.ranFused(rows);
        else ptr = layer.runForward(ptr, rows);
        F = layer.embeddingDim;
      } else if (layer instanceof RecurrentLayer) {
        rs.mask = mask; rs.carry = opts.carry; rs.keepState = opts.keepState; rs.statePtr = opts.states?.[r++];
        rs.tokens = fused && i === 1 ? first : undefined;
        ptr = layer.runForward(ptr, T, B, rs);
        F = layer.numDirections * layer.hiddenSize;
        if (i === this.lastRecurrent && this.output === 'last') {
          ptr = this.gatherLast(ptr, T, B, F, lengths);
          rows = B;
        }
      } else if (layer instanceof Dropout) {
        ptr = layer.runForward(ptr, rows * F);
      } else {
        ptr = layer.runForward(ptr, rows);
        F = layer.outFeatures;
      }
    }
    // one cache and one result object, refilled (a streaming step allocates nothing)
    const c = (this.cacheObject ??= { T, B, batched: true, batchMajor, lengths, mask, fromForward: false, fused });
    c.T = T; c.B = B; c.batched = true; c.batchMajor = batchMajor; c.lengths = lengths; c.mask = mask; c.fromForward = false; c.fused = fused;
    this.stampLayers();
    this.cache = c;
    this.result.ptr = ptr;
    this.result.rows = rows;
    return this.result;
  }

  /** @internal */
  readonly carriesState = true;

  /** @internal A Sequential reads x only. */
  checkData(data: TrainingBatch, name: string): void {
    if (data.condition !== undefined || data.source !== undefined) {
      throw new ShapeError(`${name}: has a ${data.condition !== undefined ? 'condition' : 'source'}, but a Sequential model reads only x; a conditioned model is a Seq2Seq (rnn-wasm/seq2seq)`);
    }
  }

  /** @internal A data-set batch (batch-major) through {@link run}, for the trainer. */
  runBatch(batch: TrainingBatch, _what: string, opts: { carry?: boolean; keepState?: boolean } = {}): { ptr: number; rows: number } {
    const [B, T] = batch.xShape;
    return this.run(batch.x, batch.xShape, T, B, true, { lengths: batch.lengths, carry: opts.carry, keepState: opts.keepState });
  }

  /** @internal The [T, B] 0/1 mask of the last run (0 when no lengths were given). */
  get maskPtr(): number {
    return this.cache?.mask ?? 0;
  }

  /** @internal Backward from ∂E/∂output at ptr (time-major, as run returned). Returns ∂E/∂x's pointer (features) or 0. */
  runBackward(ptr: number, opts: { norms?: Map<number, number>; inputGrad?: boolean } = {}): number {
    const c = this.backwardCache('backward()');
    const { T, B } = c;
    let F = this.outputSize;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (layer instanceof Linear) {
        ptr = layer.runBackward(ptr);
        F = layer.inFeatures;
      } else if (layer instanceof Dropout) {
        ptr = layer.runBackward(ptr);
      } else if (layer instanceof RecurrentLayer) {
        if (i === this.lastRecurrent && this.output === 'last') ptr = this.scatterLast(ptr, T, B, F, c.lengths);
        // ∂E/∂x of feature inputs costs a GEMM as large as the input projection: skipped when
        // nobody reads it (training); an Embedding below always needs it, unless the ids went
        // straight in (then this layer accumulates the Embedding's gradient itself)
        ptr = layer.runBackward(ptr, { normsPtr: opts.norms?.get(i), inputGrad: i > 0 || opts.inputGrad !== false });
        F = layer.inputSize;
        if (i === 1 && c.fused) return 0;
      } else {
        layer.runBackward(ptr);
        return 0;
      }
    }
    return ptr;
  }

  // The output of each sequence's last valid step (t = length − 1, or T − 1) → [B, F].
  private gatherLast(out: number, T: number, B: number, F: number, lengths?: Int32Array): number {
    if (!lengths) return out + (T - 1) * B * F * 4;
    const dst = this.scratch(5, B * F * 4, 'last outputs');
    for (let b = 0; b < B; b++) this.rt.kernels.copy_f32(dst + b * F * 4, out + ((lengths[b] - 1) * B + b) * F * 4, F);
    return dst;
  }

  // ∂E/∂(last outputs) [B, F] → ∂E/∂(output sequence) [T, B, F], zero elsewhere.
  private scatterLast(d: number, T: number, B: number, F: number, lengths?: Int32Array): number {
    const k = this.rt.kernels;
    const full = this.scratch(4, T * B * F * 4, 'sequence gradient');
    k.fill_f32(full, T * B * F, 0);
    for (let b = 0; b < B; b++) {
      const t = lengths ? lengths[b] - 1 : T - 1;
      k.copy_f32(full + (t * B + b) * F * 4, d + b * F * 4, F);
    }
    return full;
  }

  // what forward returns: [B, O] for 'last' (or [O] unbatched); else [T, O] unbatched, [B, T, O]
  // batch-major, [T, B, O]
  private outputShape(T: number, B: number, batched: boolean, batchMajor: boolean): number[] {
    const O = this.outputSize;
    if (this.output === 'last') return batched ? [B, O] : [O];
    return !batched ? [T, O] : batchMajor ? [B, T, O] : [T, B, O];
  }

  // a data set's [N, T, F] / [N, T]
  private parseBatchShape(shape: unknown): { T: number; B: number } {
    const token = this.layers[0] instanceof Embedding;
    const want = token ? '[N, T]' : `[N, T, ${this.inputSize}]`;
    const ok = Array.isArray(shape) && shape.length === (token ? 2 : 3) && shape.every((d) => Number.isSafeInteger(d) && d >= 1) &&
      (token || shape[2] === this.inputSize);
    if (!ok) throw new ShapeError(`predict(batch) xShape: expected ${want} (batch-major, as a data set), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    return { T: shape[1], B: shape[0] };
  }

  // the shape forward expects, for messages
  private layoutText(): string {
    const token = this.layers[0] instanceof Embedding;
    return token ? (this.batchFirst ? '[B, T]' : '[T, B]') : this.batchFirst ? `[B, T, ${this.inputSize}]` : `[T, B, ${this.inputSize}]`;
  }

  private parseShape(shape: unknown): { T: number; B: number; batched: boolean } {
    const token = this.layers[0] instanceof Embedding;
    const rank = token ? 2 : 3;
    const want = token ? (this.batchFirst ? '[B, T]' : '[T, B]') : this.batchFirst ? `[B, T, ${this.inputSize}]` : `[T, B, ${this.inputSize}]`;
    const ok = Array.isArray(shape) && (shape.length === rank || shape.length === rank - 1) &&
      shape.every((s) => Number.isSafeInteger(s) && s >= 1) && (token || shape[shape.length - 1] === this.inputSize);
    if (!ok) {
      throw new ShapeError(`forward: options.shape must be ${want} (or one dimension fewer for a single sequence), got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    const s = shape as number[];
    if (s.length === rank - 1) return { T: s[0], B: 1, batched: false };
    return this.batchFirst ? { T: s[1], B: s[0], batched: true } : { T: s[0], B: s[1], batched: true };
  }
}

interface RunOptions { lengths?: ArrayLike<number>; carry?: boolean; keepState?: boolean; states?: number[] }
const NO_RUN_OPTIONS: RunOptions = Object.freeze({});

const SEQUENTIAL_RULES = { names: is.checkedLater, output: is.checkedLater, vocabulary: is.checkedLater };

function isBatch(v: unknown): v is SequenceBatch {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'xShape' in v;
}

function defaultNames(layers: Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const base = l instanceof Embedding ? 'embedding' : l instanceof RecurrentLayer ? 'rnn' : l instanceof Dropout ? 'dropout' : 'head';
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    return n === 0 ? base : `${base}${n}`;
  });
}

function checkStructure(layers: readonly Layer[], names: readonly string[]) {
  if (names.length !== layers.length) {
    throw new ConfigError(`Sequential names: expected ${layers.length} names (one per layer), got ${names.length}`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) || seen.has(n)) {
      throw new ConfigError(`Sequential names: each must be a unique identifier (letters, digits, _), got ${JSON.stringify(n)}`);
    }
    seen.add(n);
  }
  if (new Set(layers).size !== layers.length) throw new ConfigError('Sequential: the same layer instance appears twice');
  let F: number | undefined;
  let inputSize: number | undefined;
  let lastRecurrent = -1;
  let batchFirst: boolean | undefined;
  layers.forEach((l, i) => {
    const where = `Sequential layer ${i} (${names[i]}: ${l?.describe?.() ?? describe(l)})`;
    if (l instanceof Embedding) {
      if (i !== 0) throw new ConfigError(`${where}: an Embedding can only be the first layer`);
      F = l.embeddingDim;
    } else if (l instanceof RecurrentLayer) {
      if (F === undefined) inputSize = F = l.inputSize;
      if (l.inputSize !== F) throw new ConfigError(`${where}: inputSize ${l.inputSize} does not match the ${F} features the layer before produces`);
      if (batchFirst !== undefined && l.batchFirst !== batchFirst) throw new ConfigError(`${where}: all recurrent layers must agree on batchFirst`);
      batchFirst = l.batchFirst;
      F = l.numDirections * l.hiddenSize;
      lastRecurrent = i;
    } else if (l instanceof Linear) {
      if (lastRecurrent < 0) throw new ConfigError(`${where}: Linear layers go after the recurrent layers (the head)`);
      if (l.inFeatures !== F) throw new ConfigError(`${where}: inFeatures ${l.inFeatures} does not match the ${F} features the layer before produces`);
      F = l.outFeatures;
    } else if (l instanceof Dropout) {
      if (i === 0) throw new ConfigError(`${where}: Dropout cannot be the first layer (put it after an Embedding or recurrent layer)`);
    } else {
      throw new ConfigError(`${where}: not a layer of this library (Embedding, RNN, LSTM, GRU, Dropout or Linear)`);
    }
  });
  layers.forEach((l, i) => {
    if (l instanceof Linear && i < lastRecurrent) throw new ConfigError(`Sequential layer ${i} (${names[i]}): Linear layers go after the recurrent layers`);
  });
  if (lastRecurrent < 0) throw new ConfigError('Sequential: needs at least one recurrent layer (RNN, LSTM or GRU)');
  return { inputSize, outputSize: F!, lastRecurrent, batchFirst: batchFirst! };
}
