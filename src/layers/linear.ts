import { ShapeError, StateError } from '../errors.js';
import { Rng } from '../rng.js';
import { Module } from './module.js';
import { checkInputSize } from '../runtime/limits.js';
import { checkArray, checkBool, checkFinite32, checkInt, checkKeys, describe, fmtShape, type NumericArray } from './validate.js';

/** Options of {@link Linear}; names as `torch.nn.Linear`. */
export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Add the bias b. Default true. */
  bias?: boolean;
  /** Seed of the initialisation. Default: random. */
  seed?: number;
}

/**
 * y = x Wᵀ + b over the last dimension, as `torch.nn.Linear` (weight `[out, in]`, PyTorch's
 * initialisation U(−1/√in, 1/√in)). In a model it is the per-timestep head.
 *
 * @example
 * ```ts
 * const head = new Linear({ inFeatures: 128, outFeatures: 65, seed: 1 });
 * const { output } = head.forward(h, { shape: [T * B, 128] });   // [T·B, 65]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  readonly seed: number;
  private rows = -1; // rows of the cached forward, −1 when none
  private xPtr = 0;

  constructor(options: LinearOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ShapeError(`Linear: expected { inFeatures, outFeatures }, got ${describe(options)}`);
    }
    checkKeys('Linear', options, ['inFeatures', 'outFeatures', 'bias', 'seed']);
    const seed = options.seed === undefined ? Rng.randomSeed() : checkInt('Linear seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    super(seed);
    this.seed = seed;
    this.inFeatures = checkInt('Linear inFeatures', options.inFeatures, 1, 1 << 24);
    this.outFeatures = checkInt('Linear outFeatures', options.outFeatures, 1, 1 << 24);
    this.bias = checkBool('Linear bias', options.bias ?? true);
    const specs = [{ name: 'weight', shape: [this.outFeatures, this.inFeatures] }];
    if (this.bias) specs.push({ name: 'bias', shape: [this.outFeatures] });
    this.allocateParameters(specs, this.describe());
    this.resetParameters();
  }

  /** Re-draw weight and bias from U(−1/√in, 1/√in), as PyTorch. */
  resetParameters(): void {
    this.live();
    const k = 1 / Math.sqrt(this.inFeatures);
    this.fillUniform(-k, k);
    this.invalidate();
  }

  /** The options that rebuild this layer (without the seed). */
  config(): { type: 'Linear'; inFeatures: number; outFeatures: number; bias: boolean } {
    return { type: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias };
  }

  describe(): string {
    return `Linear(inFeatures ${this.inFeatures}, outFeatures ${this.outFeatures}, bias ${this.bias})`;
  }

  protected invalidate(): void {
    this.rows = -1;
  }

  /** @internal */
  override get canBackward(): boolean {
    return this.rows >= 0;
  }

  /**
   * y = x Wᵀ + b for every row of x. `shape` is x's shape; its last dimension must be inFeatures.
   * Returns fresh arrays; the input is kept for {@link backward}.
   */
  forward(x: NumericArray, options: { shape: readonly number[] }): { output: Float32Array; outputShape: number[] } {
    this.live();
    if (typeof options === 'object' && options !== null) checkKeys('Linear forward', options, ['shape']);
    const shape = options?.shape;
    if (!Array.isArray(shape) || shape.length < 1 || !shape.every((s) => Number.isSafeInteger(s) && s >= 1) || shape[shape.length - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear forward: options.shape must be [..., ${this.inFeatures}] with positive integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    checkInputSize('Linear forward x', shape);
    const xs = checkArray('Linear forward x', x, shape);
    checkFinite32('Linear forward x', xs);
    const M = xs.length / this.inFeatures;
    const xPtr = this.scratch(4, xs.length * 4, 'input');
    this.rt.arena.f32(xPtr, xs.length).set(xs);
    const y = this.runForward(xPtr, M);
    return { output: this.rt.arena.f32(y, M * this.outFeatures).slice(), outputShape: [...shape.slice(0, -1), this.outFeatures] };
  }

  /** Accumulates ∂E/∂W, ∂E/∂b from ∂E/∂y of the last forward; returns ∂E/∂x. */
  backward(dOutput: NumericArray): { dInput: Float32Array } {
    this.live();
    if (this.rows < 0) throw new StateError('Linear backward(): call forward() first');
    const d = checkArray('Linear backward dOutput', dOutput, [this.rows, this.outFeatures]);
    checkFinite32('Linear backward dOutput', d);
    const dPtr = this.scratch(5, d.length * 4, 'output gradient');
    this.rt.arena.f32(dPtr, d.length).set(d);
    const dx = this.runBackward(dPtr);
    return { dInput: this.rt.arena.f32(dx, this.rows * this.inFeatures).slice() };
  }

  /** @internal y[M, out] = x[M, in] Wᵀ + b from wasm memory (x must stay until runBackward). */
  runForward(xPtr: number, M: number): number {
    const y = this.scratch(3, M * this.outFeatures * 4, 'output');
    this.rt.kernels.linear_fwd(y, xPtr, this.paramPtr('weight'), this.paramPtr('bias'), M, this.outFeatures, this.inFeatures, this.workspace(M));
    this.rows = M;
    this.xPtr = xPtr;
    this.forwardCount++;
    return y;
  }

  // packing space for the products of M rows (forward; dW and dX together)
  private workspace(M: number): number {
    return this.scratch(2, this.rt.kernels.linear_ws(M, this.outFeatures, this.inFeatures) * 4, 'workspace');
  }

  /** @internal From ∂E/∂y [M, out] in wasm memory: accumulate dW, db; return the pointer of ∂E/∂x. */
  runBackward(dPtr: number): number {
    const M = this.rows;
    const dx = this.scratch(6, M * this.inFeatures * 4, 'input gradient');
    this.rt.kernels.linear_bwd(this.gradPtr('weight'), this.bias ? this.gradPtr('bias') : 0, dx, dPtr, this.xPtr, this.paramPtr('weight'),
      M, this.outFeatures, this.inFeatures, this.workspace(M));
    return dx;
  }
}
