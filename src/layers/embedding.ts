import { ShapeError, StateError } from '../errors.js';
import { Rng } from '../rng.js';
import { Module } from './module.js';
import { checkInputSize } from '../runtime/limits.js';
import { checkFinite32, checkInt, checkKeys, describe, fmtShape, isNumericArray, product, show } from './validate.js';

/** Options of {@link Embedding}; names as `torch.nn.Embedding`. */
export interface EmbeddingOptions {
  /** Size of the vocabulary: token ids are 0 … numEmbeddings − 1. */
  numEmbeddings: number;
  /** Length of each vector. */
  embeddingDim: number;
  /** Seed of the initialisation. Default: random. */
  seed?: number;
}

/** Token ids: an Int32Array, or any array of non-negative integers. */
export type TokenIds = Int32Array | Uint32Array | Uint16Array | Uint8Array | ArrayLike<number>;

/**
 * A lookup table of vectors, one row per token id, as `torch.nn.Embedding` (weight
 * `[numEmbeddings, embeddingDim]`, initialised N(0, 1) as PyTorch does).
 *
 * @example
 * ```ts
 * const emb = new Embedding({ numEmbeddings: 65, embeddingDim: 16, seed: 1 });
 * const { output } = emb.forward(new Int32Array([3, 1, 4]), { shape: [3] });   // [3, 16]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly seed: number;
  private n = -1;

  constructor(options: EmbeddingOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ShapeError(`Embedding: expected { numEmbeddings, embeddingDim }, got ${describe(options)}`);
    }
    checkKeys('Embedding', options, ['numEmbeddings', 'embeddingDim', 'seed']);
    const seed = options.seed === undefined ? Rng.randomSeed() : checkInt('Embedding seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    super(seed);
    this.seed = seed;
    this.numEmbeddings = checkInt('Embedding numEmbeddings', options.numEmbeddings, 1, 1 << 24);
    this.embeddingDim = checkInt('Embedding embeddingDim', options.embeddingDim, 1, 1 << 20);
    this.allocateParameters([{ name: 'weight', shape: [this.numEmbeddings, this.embeddingDim] }], this.describe());
    this.resetParameters();
  }

  /** Re-draw the table from N(0, 1), as PyTorch. */
  resetParameters(): void {
    this.live();
    this.rng.normal(this.allParams());
    this.invalidate();
  }

  config(): { type: 'Embedding'; numEmbeddings: number; embeddingDim: number } {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }

  describe(): string {
    return `Embedding(numEmbeddings ${this.numEmbeddings}, embeddingDim ${this.embeddingDim})`;
  }

  protected invalidate(): void {
    this.n = -1;
  }

  /** @internal */
  override get canBackward(): boolean {
    return this.n >= 0;
  }

  /** The vectors of `ids` (any shape): output `[...shape, embeddingDim]`. */
  forward(ids: TokenIds, options: { shape: readonly number[] }): { output: Float32Array; outputShape: number[] } {
    this.live();
    if (typeof options === 'object' && options !== null) checkKeys('Embedding forward', options, ['shape']);
    const shape = options?.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 1)) {
      throw new ShapeError(`Embedding forward: options.shape must be positive integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    checkInputSize('Embedding forward ids', shape);
    const n = product(shape);
    this.checkIds(ids, n, 'Embedding forward ids', shape);
    const ptr = this.stageIds(ids, n);
    const out = this.runForward(ptr, n);
    return { output: this.rt.arena.f32(out, n * this.embeddingDim).slice(), outputShape: [...shape, this.embeddingDim] };
  }

  /** Accumulates ∂E/∂weight from ∂E/∂output of the last forward. */
  backward(dOutput: ArrayLike<number>): void {
    this.live();
    if (this.n < 0) throw new StateError('Embedding backward(): call forward() first');
    if (!isNumericArray(dOutput) || dOutput.length !== this.n * this.embeddingDim) {
      throw new ShapeError(`Embedding backward dOutput: expected ${this.n * this.embeddingDim} values ([${this.n}, ${this.embeddingDim}]), got ${describe(dOutput)}`);
    }
    checkFinite32('Embedding backward dOutput', dOutput);
    const d = this.scratch(5, dOutput.length * 4, 'output gradient');
    this.rt.arena.f32(d, dOutput.length).set(dOutput);
    this.runBackward(d);
  }

  /** @internal Throws ShapeError unless `ids` holds n integers in [0, numEmbeddings). Writes nothing. */
  checkIds(ids: unknown, n: number, what: string, shape: readonly number[]): void {
    if (!isNumericArray(ids)) {
      throw new ShapeError(`${what}: expected an Int32Array (or number[]) of shape ${fmtShape(shape)}, got ${describe(ids)}`);
    }
    if (ids.length !== n) throw new ShapeError(`${what}: expected shape ${fmtShape(shape)} (${n} ids), got ${ids.length} ids`);
    const V = this.numEmbeddings;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new ShapeError(`${what}: element ${i} is ${show(id)}; token ids must be integers in [0, ${V - 1}] (numEmbeddings ${V})`);
      }
    }
  }

  /**
   * @internal Copy ids checked by {@link checkIds} to wasm as i32. `layout` optionally permutes
   * them (index i of the result takes ids[layout(i)]).
   */
  stageIds(ids: TokenIds, n: number, layout?: (i: number) => number): number {
    const ptr = this.scratch(4, n * 4, 'token ids');
    const dst = this.cachedI32(0, ptr, n);
    if (layout) for (let i = 0; i < n; i++) dst[i] = ids[layout(i)];
    else for (let i = 0; i < n; i++) dst[i] = ids[i];
    return ptr;
  }

  /** @internal out[n, D] from ids staged by stageIds. */
  runForward(idsPtr: number, n: number): number {
    const out = this.scratch(3, n * this.embeddingDim * 4, 'output');
    this.rt.kernels.embedding_fwd(out, this.paramPtr('weight'), idsPtr, n, this.embeddingDim);
    this.n = n;
    this.forwardCount++;
    return out;
  }

  /**
   * @internal The n ids staged by stageIds went straight into the recurrent layer after this one
   * (RecurrentLayer.runForward's `tokens`), which accumulates this table's gradient itself: this
   * counts as this layer's forward (so a backward may follow), with no output of its own.
   */
  ranFused(n: number): void {
    this.n = n;
    this.forwardCount++;
  }

  /**
   * @internal Whether feeding ids to the next recurrent layer directly (see ranFused) is cheaper
   * than making the [rows, D] vectors: it projects the V rows of the table instead of one per token.
   */
  fusesFor(rows: number): boolean {
    return this.numEmbeddings <= rows;
  }

  /** @internal Accumulate dW from ∂E/∂output [n, D] in wasm memory. */
  runBackward(dPtr: number): void {
    this.rt.kernels.embedding_bwd(this.gradPtr('weight'), dPtr, this.scratch(4, this.n * 4, 'token ids'), this.n, this.embeddingDim);
  }
}
