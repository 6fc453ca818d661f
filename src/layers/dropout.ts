import { ConfigError, StateError } from '../errors.js';
import { Rng } from '../rng.js';
import { Module } from './module.js';
import { checkInt, checkKeys, describe } from './validate.js';

/**
 * Inverted dropout, as `torch.nn.Dropout`: in training mode each value is zeroed with
 * probability p and the rest scaled by 1/(1 − p); in eval mode it is the identity.
 * Used inside a {@link Sequential}; masks are reproducible from `seed`.
 */
export class Dropout extends Module {
  readonly p: number;
  readonly seed: number;
  private n = -1;
  private masked = false;

  constructor(p = 0.5, options: { seed?: number } = {}) {
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) {
      throw new ConfigError(`Dropout p: expected a probability in [0, 1), got ${describe(p)}`);
    }
    if (typeof options !== 'object' || options === null) throw new ConfigError(`Dropout options: expected { seed? }, got ${describe(options)}`);
    checkKeys('Dropout', options, ['seed']);
    const seed = options.seed === undefined ? Rng.randomSeed() : checkInt('Dropout seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    super(seed);
    this.p = p;
    this.seed = seed;
    this.allocateParameters([], this.describe());
  }

  config(): { type: 'Dropout'; p: number } {
    return { type: 'Dropout', p: this.p };
  }

  describe(): string {
    return `Dropout(p ${this.p})`;
  }

  protected invalidate(): void {
    this.n = -1;
  }

  /** @internal */
  override get canBackward(): boolean {
    return this.n >= 0;
  }

  /** @internal y = x ⊙ mask (training) or x itself (eval / p = 0). Returns y's pointer. */
  runForward(xPtr: number, n: number): number {
    this.n = n;
    this.forwardCount++;
    this.masked = this.training && this.p > 0;
    if (!this.masked) return xPtr;
    const k = this.rt.kernels;
    const mask = this.scratch(2, n * 4, 'mask');
    const y = this.scratch(3, n * 4, 'output');
    k.dropout_mask(mask, n, this.p, this.rng.nextU32());
    k.mul_f32(y, xPtr, mask, n, 0);
    return y;
  }

  /** @internal ∂E/∂x = ∂E/∂y ⊙ mask. Returns its pointer. */
  runBackward(dPtr: number): number {
    if (this.n < 0) throw new StateError('Dropout backward: no forward to go back through');
    if (!this.masked) return dPtr;
    const dx = this.scratch(4, this.n * 4, 'input gradient');
    this.rt.kernels.mul_f32(dx, dPtr, this.scratch(2, this.n * 4, 'mask'), this.n, 0);
    return dx;
  }
}
