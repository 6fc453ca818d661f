import { DisposedError, StateDictError } from '../errors.js';
import { Rng } from '../rng.js';
import { getRuntime, type Runtime } from '../runtime/loader.js';
import type { Block } from './plan.js';
import { checkBool, describe, firstNonFinite32, fmtShape, isNumericArray, product, type NumericArray } from './validate.js';

/**
 * A parameter by its PyTorch name. `data` and `grad` are live views into WebAssembly memory,
 * made fresh at each access; do not keep one across calls that allocate (a later forward with
 * a bigger shape may grow memory, which detaches old views).
 */
export interface NamedParameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly grad: Float32Array;
}

/** A value accepted by `loadStateDict`: flat data, or data with its shape. */
export type StateDictValue = NumericArray | { data: NumericArray; shape: readonly number[] };

/** @internal A parameter's place in its module's flat block. */
export interface ParamInfo { name: string; shape: number[]; offset: number; size: number }

/** @internal A module's parameters and gradients: two flat float32 blocks, and the tensors in them. */
export interface ParameterBlock { params: number; grads: number; count: number; tensors: ParamInfo[] }

// Frees a module's memory if it is garbage-collected without dispose().
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ rt: Runtime; blocks: Block[] }>(({ rt, blocks }) => {
    for (const b of blocks) if (b.ptr) rt.arena.free(b.ptr);
  })
  : undefined;

// scratch() indices 2–15 belong to subclasses; this one to staging().
const STAGING_BLOCK = 16;

/**
 * What every layer shares: its parameters and their gradients as two flat float32 blocks in
 * the wasm arena (PyTorch names, a layout table computed once), train/eval mode, a seeded RNG,
 * and scratch blocks that grow with the shapes they are used for. `dispose()` frees it all.
 */
export abstract class Module {
  /** @internal */ readonly rt: Runtime;
  /** @internal */ protected readonly rng: Rng;
  private readonly infos: ParamInfo[] = [];
  private readonly byName = new Map<string, ParamInfo>();
  private count = 0;
  // [0] parameters, [1] gradients, then scratch blocks owned by subclasses
  private readonly blocks: Block[] = [];
  private isTraining = true;
  /** @internal Forwards run so far: a model checks that none of its layers ran one of its own before its backward. */
  forwardCount = 0;
  private disposed = false;
  private views: Float32Array[] = [];
  private intViews: Int32Array[] = [];

  protected constructor(seed: number) {
    this.rt = getRuntime();
    this.rng = new Rng(seed);
    finalizer?.register(this, { rt: this.rt, blocks: this.blocks }, this);
  }

  /** Declare the parameters (in PyTorch's order) and allocate them; call once from the constructor. */
  protected allocateParameters(specs: { name: string; shape: number[] }[], what: string): void {
    for (const { name, shape } of specs) {
      const info = { name, shape, offset: this.count, size: product(shape) };
      this.infos.push(info);
      this.byName.set(name, info);
      this.count += info.size;
    }
    const bytes = this.count * 4;
    const params = this.rt.arena.alloc(bytes, `${what} parameters`);
    let grads: number;
    try {
      grads = this.rt.arena.alloc(bytes, `${what} gradients`);
    } catch (e) {
      this.rt.arena.free(params);
      throw e;
    }
    this.blocks.push({ ptr: params, bytes }, { ptr: grads, bytes });
    this.rt.kernels.fill_f32(grads, this.count, 0);
  }

  /** Total number of scalar parameters. */
  get parameterCount(): number {
    return this.count;
  }

  /** True in training mode (dropout active), false after {@link eval}. */
  get training(): boolean {
    return this.isTraining;
  }

  /** Training mode (dropout is applied). Returns this. */
  train(mode = true): this {
    this.isTraining = checkBool('train(mode)', mode);
    return this;
  }

  /** Evaluation mode (no dropout). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Set every gradient to zero (gradients accumulate across backward calls, as in PyTorch). */
  zeroGrad(): void {
    this.live();
    if (this.count) this.rt.kernels.fill_f32(this.blocks[1].ptr, this.count, 0);
  }

  /** Parameters in PyTorch's order with live `data`/`grad` views. */
  namedParameters(): NamedParameter[] {
    this.live();
    return this.infos.map((p) => {
      const self = this;
      return {
        name: p.name,
        shape: p.shape.slice(),
        get data() { self.live(); return self.paramView(p.name); },
        get grad() { self.live(); return self.gradView(p.name); },
      };
    });
  }

  /** A copy of every parameter by PyTorch name. */
  stateDict(): Record<string, Float32Array> {
    this.live();
    const out: Record<string, Float32Array> = {};
    for (const p of this.infos) out[p.name] = this.paramView(p.name).slice();
    return out;
  }

  /** The shape of every parameter by name. */
  parameterShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const p of this.infos) out[p.name] = p.shape.slice();
    return out;
  }

  /**
   * Load parameters by PyTorch name. Every entry is checked first (no missing, extra or
   * mis-shaped entries, only finite numbers); on any problem a {@link StateDictError} lists
   * them all and the module is left unchanged.
   */
  loadStateDict(dict: Record<string, StateDictValue>): void {
    this.live();
    const staged = this.checkStateDict(dict, '');
    if (staged.problems.length) {
      throw new StateDictError(`loadStateDict: ${staged.problems.length} problem(s), nothing was loaded:\n  ${staged.problems.join('\n  ')}`);
    }
    this.commitStateDict(staged.values);
  }

  /**
   * @internal Validate without writing. Names in `dict` carry `prefix`. `ownKeysOnly`: do not
   * report the dict's other keys (a Sequential checks those once, for all its layers).
   */
  checkStateDict(dict: Record<string, StateDictValue>, prefix: string, ownKeysOnly = false): { problems: string[]; values: [ParamInfo, NumericArray][] } {
    if (typeof dict !== 'object' || dict === null) {
      return { problems: [`expected an object of name → Float32Array, got ${describe(dict)}`], values: [] };
    }
    const problems: string[] = [];
    const values: [ParamInfo, NumericArray][] = [];
    for (const p of this.infos) {
      const key = prefix + p.name;
      if (!(key in dict)) {
        problems.push(`missing "${key}" (expected shape ${fmtShape(p.shape)})`);
        continue;
      }
      const v = dict[key];
      const data = isNumericArray(v) ? v : (v as { data?: unknown })?.data;
      const shape = isNumericArray(v) ? undefined : (v as { shape?: unknown })?.shape;
      if (!isNumericArray(data)) {
        problems.push(`"${key}": expected a Float32Array of shape ${fmtShape(p.shape)}, got ${describe(v)}`);
      } else if (shape !== undefined && (!Array.isArray(shape) || fmtShape(shape) !== fmtShape(p.shape))) {
        problems.push(`"${key}": expected shape ${fmtShape(p.shape)}, got shape ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
      } else if (data.length !== p.size) {
        problems.push(`"${key}": expected shape ${fmtShape(p.shape)} (${p.size} values), got ${data.length} values`);
      } else {
        // checked as float32, which is what is stored: 1e39 in a Float64Array would become Infinity
        const bad = firstNonFinite32(data);
        if (bad >= 0) {
          const v = data[bad];
          problems.push(`"${key}": element ${bad} is ${Number.isFinite(v) ? `${v}, beyond the float32 range (±3.4e38)` : v}; weights must be finite`);
        } else values.push([p, data]);
      }
    }
    if (!ownKeysOnly) {
      for (const name of Object.keys(dict)) {
        if (!this.byName.has(name.slice(prefix.length)) || !name.startsWith(prefix)) {
          problems.push(`unexpected "${name}" (${this.describe()} has no such parameter)`);
        }
      }
    }
    return { problems, values };
  }

  /** @internal Write values already checked by checkStateDict. */
  commitStateDict(values: [ParamInfo, NumericArray][]): void {
    for (const [p, data] of values) this.paramView(p.name).set(data);
    this.invalidate();
  }

  /**
   * Release this module's WebAssembly memory for reuse. The module cannot be used afterwards.
   * Calling it twice is harmless.
   */
  dispose(): void {
    if (this.disposed) return;
    for (const b of this.blocks) {
      if (b.ptr) this.rt.arena.free(b.ptr);
      b.ptr = 0;
      b.bytes = 0;
    }
    finalizer?.unregister(this);
    this.disposed = true;
    this.invalidate();
  }

  /** `Symbol.dispose`, so `using layer = new LSTM(…)` releases memory at scope end. */
  [(Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose')](): void {
    this.dispose();
  }

  /** A one-line description for error messages, e.g. `LSTM(inputSize 3, hiddenSize 4, …)`. */
  abstract describe(): string;

  /** Forget cached activations (weights changed, or disposed). */
  protected abstract invalidate(): void;

  /** @internal True while the activations of a forward are kept, so a backward may follow. */
  get canBackward(): boolean {
    return false;
  }

  /** @internal The state of the module's RNG (dropout masks), for checkpoints. */
  get rngState(): number {
    return this.rng.state;
  }

  set rngState(value: number) {
    this.rng.state = value;
  }

  /** @internal Throws DisposedError after dispose(). */
  live(): void {
    if (this.disposed) throw new DisposedError(`this ${this.describe()} was disposed; create a new one`);
  }

  /** @internal Byte pointer of a parameter (0 for an unknown name: "no such tensor", e.g. no bias). */
  paramPtr(name: string): number {
    const p = this.byName.get(name);
    return p ? this.blocks[0].ptr + p.offset * 4 : 0;
  }

  /** @internal Byte pointer of a parameter's gradient (0 for an unknown name). */
  gradPtr(name: string): number {
    const p = this.byName.get(name);
    return p ? this.blocks[1].ptr + p.offset * 4 : 0;
  }

  /** @internal */
  paramView(name: string): Float32Array {
    const p = this.byName.get(name)!;
    return this.rt.arena.f32(this.blocks[0].ptr + p.offset * 4, p.size);
  }

  /** @internal */
  gradView(name: string): Float32Array {
    const p = this.byName.get(name)!;
    return this.rt.arena.f32(this.blocks[1].ptr + p.offset * 4, p.size);
  }

  /**
   * @internal The flat parameter and gradient blocks an optimizer walks: one per module (a
   * Sequential lists its layers'), with each tensor's name (prefixed) and place.
   */
  parameterBlocks(prefix = ''): ParameterBlock[] {
    this.live();
    if (this.count === 0) return [];
    return [{
      params: this.blocks[0].ptr, grads: this.blocks[1].ptr, count: this.count,
      tensors: this.infos.map((p) => ({ ...p, name: prefix + p.name })),
    }];
  }

  /**
   * @internal A Float32Array view of `n` floats at `ptr`, cached under `slot`: the same object
   * while memory has not grown and the region is the same, so hot paths allocate nothing.
   */
  cachedF32(slot: number, ptr: number, n: number): Float32Array {
    const v = this.views[slot];
    if (v && v.buffer === this.rt.kernels.memory.buffer && v.byteOffset === ptr && v.length === n) return v;
    return (this.views[slot] = this.rt.arena.f32(ptr, n));
  }

  /** @internal An Int32Array view, cached like {@link cachedF32}. */
  cachedI32(slot: number, ptr: number, n: number): Int32Array {
    const v = this.intViews[slot];
    if (v && v.buffer === this.rt.kernels.memory.buffer && v.byteOffset === ptr && v.length === n) return v;
    return (this.intViews[slot] = new Int32Array(this.rt.kernels.memory.buffer, ptr, n));
  }

  /**
   * @internal Draw every parameter from U(lo, hi) with the layer's RNG: lo + (hi − lo)·`rng.next()`
   * in order, drawn in wasm (in JS a fresh process would interpret ~10⁵ calls).
   */
  protected fillUniform(lo: number, hi: number): void {
    this.rng.state = this.rt.kernels.uniform_fill(this.blocks[0]?.ptr ?? 0, this.count, lo, hi, this.rng.state);
  }

  /** @internal All parameters as one flat view (layout order). */
  allParams(): Float32Array {
    return this.rt.arena.f32(this.blocks[0]?.ptr ?? 0, this.count);
  }

  /**
   * @internal A transient block for re-ordering the caller's arrays (layout.ts): valid until the
   * next call, grown like {@link scratch}.
   */
  staging(bytes: number): number {
    return this.scratch(STAGING_BLOCK, bytes, 'staging');
  }

  /**
   * @internal A scratch block (index 2 to 15) of at least `bytes`: re-allocated only when it must
   * grow, so memory is sized once per shape and reused. Returns its pointer. Growing does NOT
   * keep the old contents: a block whose data must persist between calls has to be asked for
   * at one size every time.
   */
  scratch(index: number, bytes: number, what: string): number {
    while (this.blocks.length <= index) this.blocks.push({ ptr: 0, bytes: 0 });
    const block = this.blocks[index];
    if (bytes > block.bytes) {
      const ptr = this.rt.arena.alloc(bytes, `${this.describe()} ${what}`);
      if (block.ptr) this.rt.arena.free(block.ptr);
      block.ptr = ptr;
      block.bytes = bytes;
    }
    return block.ptr;
  }
}
