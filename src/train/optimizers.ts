import { ConfigError } from '../errors.js';
import type { Module, ParameterBlock } from '../layers/module.js';
import { checkKeys, describe } from '../layers/validate.js';
import type { Runtime } from '../runtime/loader.js';

/** The optimizers, by name, with their options (torch.optim's, in camelCase). */
export type OptimizerSpec =
  | ({ type: 'sgd' } & SGDOptions)
  | ({ type: 'adam' } & AdamOptions)
  | ({ type: 'adamw' } & AdamOptions)
  | ({ type: 'rmsprop' } & RMSpropOptions)
  | ({ type: 'adagrad' } & AdagradOptions);

export interface SGDOptions { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }
export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean }
export interface RMSpropOptions { lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }
export interface AdagradOptions { lr?: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number }

/**
 * Updates a model's parameters from their gradients, in wasm, over each module's flat
 * parameter block. Semantics and defaults are torch.optim's (1.13). The learning rate can be
 * changed between steps (`optimizer.lr = …`; schedules do).
 *
 * @example
 * ```ts
 * const opt = new Adam(model, { lr: 1e-3 });
 * model.zeroGrad(); model.forward(…); model.backward(…); opt.step();
 * ```
 */
export abstract class Optimizer {
  /** Learning rate of the next step. */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  /** @internal */ protected readonly rt: Runtime;
  /** @internal */ protected readonly blocks: ParameterBlock[];
  private state: number[][] = []; // per block: pointers of its state buffers
  private disposed = false;

  protected constructor(readonly model: Module, lr: number, private readonly buffers: number, name: string) {
    if (!model || typeof (model as Module).parameterBlocks !== 'function') {
      throw new ConfigError(`${name}: expected a model or layer of this library, got ${describe(model)}`);
    }
    checkNumber(`${name} lr`, lr, 0, Infinity);
    this.lr = lr;
    this.rt = model.rt;
    this.blocks = model.parameterBlocks();
  }

  /** One update from the current gradients. */
  step(): void {
    if (this.disposed) throw new ConfigError('this optimizer was disposed');
    checkNumber('lr', this.lr, 0, Infinity);
    if (this.state.length === 0) this.allocate();
    this.stepCount++;
    this.blocks.forEach((b, i) => this.update(b, this.state[i], this.stepCount));
  }

  /** A copy of the optimizer state (step count and buffers), for checkpoints. */
  stateDict(): { stepCount: number; lr: number; buffers: Float32Array[][] } {
    return {
      stepCount: this.stepCount,
      lr: this.lr,
      buffers: this.state.map((bufs, i) => bufs.map((p) => this.rt.arena.f32(p, this.blocks[i].count).slice())),
    };
  }

  /** Restore a state from {@link stateDict} (same model layout). */
  loadStateDict(s: { stepCount: number; lr: number; buffers: Float32Array[][] }): void {
    if (s.buffers.length && (s.buffers.length !== this.blocks.length || s.buffers.some((b, i) => b.length !== this.buffers || b.some((x) => x.length !== this.blocks[i].count)))) {
      throw new ConfigError('optimizer loadStateDict: the state does not match this model\'s parameter layout');
    }
    if (this.state.length === 0 && s.buffers.length) this.allocate();
    s.buffers.forEach((bufs, i) => bufs.forEach((data, j) => this.rt.arena.f32(this.state[i][j], data.length).set(data)));
    this.stepCount = s.stepCount;
    this.lr = s.lr;
  }

  /** Free the state buffers. */
  dispose(): void {
    for (const bufs of this.state) for (const p of bufs) this.rt.arena.free(p);
    this.state = [];
    this.disposed = true;
  }

  /** The spec that rebuilds this optimizer (type and options; the lr is the initial one). */
  abstract spec(): OptimizerSpec;

  /** @internal One step over one parameter block with its state buffers. */
  protected abstract update(block: ParameterBlock, state: number[], t: number): void;

  /** Value the state buffers start at (Adagrad's initial accumulator). */
  protected initialState(_buffer: number): number {
    return 0;
  }

  private allocate(): void {
    try {
      for (const b of this.blocks) {
        const bufs: number[] = [];
        this.state.push(bufs);
        for (let j = 0; j < this.buffers; j++) {
          const p = this.rt.arena.alloc(b.count * 4, 'optimizer state');
          bufs.push(p);
          this.rt.kernels.fill_f32(p, b.count, this.initialState(j));
        }
      }
    } catch (e) {
      this.dispose();
      this.disposed = false;
      throw e;
    }
  }
}

/** Stochastic gradient descent with optional momentum (Nesterov) and weight decay (torch.optim.SGD). */
export class SGD extends Optimizer {
  readonly momentum: number; readonly dampening: number; readonly nesterov: boolean; readonly weightDecay: number;
  constructor(model: Module, options: SGDOptions) {
    checkOptions('SGD', options, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    super(model, options.lr, 1, 'SGD');
    this.momentum = checkNumber('SGD momentum', options.momentum ?? 0, 0, Infinity);
    this.dampening = checkNumber('SGD dampening', options.dampening ?? 0, 0, 1);
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = checkNumber('SGD weightDecay', options.weightDecay ?? 0, 0, Infinity);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ConfigError('SGD: Nesterov momentum requires a momentum > 0 and dampening 0 (as torch.optim.SGD)');
    }
  }
  readonly initialLr: number = this.lr;
  spec(): OptimizerSpec {
    return { type: 'sgd', lr: this.initialLr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
  /** @internal */
  protected update(b: ParameterBlock, s: number[], t: number): void {
    this.rt.kernels.sgd_step(b.params, b.grads, s[0], b.count, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov ? 1 : 0, t === 1 ? 1 : 0);
  }
}

/** Adam (torch.optim.Adam; weightDecay is L2 added to the gradient). */
export class Adam extends Optimizer {
  readonly betas: [number, number]; readonly eps: number; readonly weightDecay: number; readonly amsgrad: boolean;
  protected readonly decoupled: boolean = false;
  constructor(model: Module, options: AdamOptions = {}, name = 'Adam') {
    checkOptions(name, options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad']);
    super(model, options.lr ?? 1e-3, options.amsgrad ? 3 : 2, name);
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new ConfigError(`${name} betas: expected [beta1, beta2], got ${describe(betas)}`);
    this.betas = [checkNumber(`${name} betas[0]`, betas[0], 0, 1, true), checkNumber(`${name} betas[1]`, betas[1], 0, 1, true)];
    this.eps = checkNumber(`${name} eps`, options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = checkNumber(`${name} weightDecay`, options.weightDecay ?? (name === 'AdamW' ? 1e-2 : 0), 0, Infinity);
    this.amsgrad = options.amsgrad ?? false;
  }
  readonly initialLr: number = this.lr;
  spec(): OptimizerSpec {
    return { type: this.decoupled ? 'adamw' : 'adam', lr: this.initialLr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay, amsgrad: this.amsgrad };
  }
  /** @internal */
  protected update(b: ParameterBlock, s: number[], t: number): void {
    const [b1, b2] = this.betas;
    const stepSize = this.lr / (1 - b1 ** t);
    const bc2sqrt = Math.sqrt(1 - b2 ** t);
    this.rt.kernels.adam_step(b.params, b.grads, s[0], s[1], this.amsgrad ? s[2] : 0, b.count, this.lr, b1, b2, this.eps,
      this.weightDecay, this.decoupled ? 1 : 0, stepSize, bc2sqrt);
  }
}

/** AdamW: Adam with decoupled weight decay (torch.optim.AdamW; default weightDecay 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(model: Module, options: AdamOptions = {}) {
    super(model, options, 'AdamW');
  }
}

/** RMSprop (torch.optim.RMSprop), optionally centered and with momentum. */
export class RMSprop extends Optimizer {
  readonly alpha: number; readonly eps: number; readonly weightDecay: number; readonly momentum: number; readonly centered: boolean;
  constructor(model: Module, options: RMSpropOptions = {}) {
    checkOptions('RMSprop', options, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered']);
    super(model, options.lr ?? 1e-2, 3, 'RMSprop');
    this.alpha = checkNumber('RMSprop alpha', options.alpha ?? 0.99, 0, 1);
    this.eps = checkNumber('RMSprop eps', options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = checkNumber('RMSprop weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.momentum = checkNumber('RMSprop momentum', options.momentum ?? 0, 0, Infinity);
    this.centered = options.centered ?? false;
  }
  readonly initialLr: number = this.lr;
  spec(): OptimizerSpec {
    return { type: 'rmsprop', lr: this.initialLr, alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }
  /** @internal */
  protected update(b: ParameterBlock, s: number[]): void {
    this.rt.kernels.rmsprop_step(b.params, b.grads, s[0], this.centered ? s[1] : 0, s[2], b.count, this.lr, this.alpha, this.eps, this.weightDecay, this.momentum);
  }
}

/** Adagrad (torch.optim.Adagrad). */
export class Adagrad extends Optimizer {
  readonly lrDecay: number; readonly weightDecay: number; readonly initialAccumulatorValue: number; readonly eps: number;
  constructor(model: Module, options: AdagradOptions = {}) {
    checkOptions('Adagrad', options, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']);
    super(model, options.lr ?? 1e-2, 1, 'Adagrad');
    this.lrDecay = checkNumber('Adagrad lrDecay', options.lrDecay ?? 0, 0, Infinity);
    this.weightDecay = checkNumber('Adagrad weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.initialAccumulatorValue = checkNumber('Adagrad initialAccumulatorValue', options.initialAccumulatorValue ?? 0, 0, Infinity);
    this.eps = checkNumber('Adagrad eps', options.eps ?? 1e-10, 0, Infinity);
  }
  protected override initialState(): number {
    return this.initialAccumulatorValue;
  }
  readonly initialLr: number = this.lr;
  spec(): OptimizerSpec {
    return { type: 'adagrad', lr: this.initialLr, lrDecay: this.lrDecay, weightDecay: this.weightDecay, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.eps };
  }
  /** @internal */
  protected update(b: ParameterBlock, s: number[], t: number): void {
    const clr = this.lr / (1 + (t - 1) * this.lrDecay);
    this.rt.kernels.adagrad_step(b.params, b.grads, s[0], b.count, clr, this.weightDecay, this.eps);
  }
}

/** Build an optimizer from a spec such as `{ type: 'adam', lr: 1e-3 }`. */
export function makeOptimizer(model: Module, spec: OptimizerSpec): Optimizer {
  const { type, ...o } = spec ?? ({} as OptimizerSpec);
  switch (type) {
    case 'sgd': return new SGD(model, o as SGDOptions);
    case 'adam': return new Adam(model, o);
    case 'adamw': return new AdamW(model, o);
    case 'rmsprop': return new RMSprop(model, o);
    case 'adagrad': return new Adagrad(model, o);
    default: throw new ConfigError(`optimizer: expected { type: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad', … }, got ${describe(type)}`);
  }
}

function checkNumber(name: string, v: unknown, lo: number, hi: number, openHigh = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < lo || v > hi || (openHigh && v === hi)) {
    throw new ConfigError(`${name}: expected a number in [${lo}, ${hi}${openHigh ? ')' : ']'}, got ${describe(v)}`);
  }
  return v;
}

function checkOptions(what: string, options: object, known: string[]): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${what}: expected an options object, got ${describe(options)}`);
  checkKeys(what, options, known);
}
