import { StateDictError, StateError } from '../errors.js';
import { Module, type NamedParameter, type ParameterBlock, type StateDictValue } from '../layers/module.js';
import { describe, type NumericArray } from '../layers/validate.js';
import type { TokenIds } from '../layers/embedding.js';

/** @internal A data-set batch as the trainer hands it to a model (see SequenceDataset). */
export interface TrainingBatch {
  x: NumericArray | TokenIds;
  xShape: readonly number[];
  lengths?: ArrayLike<number>;
  condition?: NumericArray;
  conditionShape?: readonly number[];
  source?: NumericArray | TokenIds;
  sourceShape?: readonly number[];
  sourceLengths?: ArrayLike<number>;
  y?: unknown;
  yShape?: unknown;
}

/**
 * What the models share: named layers whose parameters are the model's (PyTorch names
 * `<layer>.<parameter>`, as the attributes of a PyTorch module), train/eval mode for all of
 * them, state dicts checked whole before any is loaded, and the check that a backward follows
 * the model's own forward.
 */
export abstract class Composite extends Module {
  readonly layers: readonly Module[];
  readonly names: readonly string[];
  private stamps: number[] = [];

  protected constructor(layers: readonly Module[], names: readonly string[]) {
    super(0);
    this.layers = layers;
    this.names = names;
    this.allocateParameters([], new.target.name);
  }

  override get parameterCount(): number {
    return this.layers.reduce((n, l) => n + l.parameterCount, 0);
  }

  override train(mode = true): this {
    super.train(mode);
    for (const l of this.layers) l.train(mode);
    return this;
  }

  /** @internal */
  override parameterBlocks(): ParameterBlock[] {
    this.live();
    return this.layers.flatMap((l, i) => l.parameterBlocks(`${this.names[i]}.`));
  }

  override zeroGrad(): void {
    this.live();
    for (const l of this.layers) l.zeroGrad();
  }

  override namedParameters(): NamedParameter[] {
    this.live();
    return this.layers.flatMap((l, i) => l.namedParameters().map((p) => {
      const name = `${this.names[i]}.${p.name}`;
      return { name, shape: p.shape, get data() { return p.data; }, get grad() { return p.grad; } };
    }));
  }

  override stateDict(): Record<string, Float32Array> {
    this.live();
    const out: Record<string, Float32Array> = {};
    this.layers.forEach((l, i) => {
      for (const [k, v] of Object.entries(l.stateDict())) out[`${this.names[i]}.${k}`] = v;
    });
    return out;
  }

  override parameterShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    this.layers.forEach((l, i) => {
      for (const [k, v] of Object.entries(l.parameterShapes())) out[`${this.names[i]}.${k}`] = v;
    });
    return out;
  }

  override loadStateDict(dict: Record<string, StateDictValue>): void {
    this.live();
    if (typeof dict !== 'object' || dict === null) {
      throw new StateDictError(`loadStateDict: expected an object of name → Float32Array, got ${describe(dict)}`);
    }
    const problems: string[] = [];
    const staged = this.layers.map((l, i) => {
      const r = l.checkStateDict(dict, `${this.names[i]}.`, true);
      problems.push(...r.problems);
      return r.values;
    });
    const known = new Set(Object.keys(this.parameterShapes()));
    for (const name of Object.keys(dict)) {
      if (!known.has(name)) problems.push(`unexpected "${name}" (this model has no such parameter; it has ${[...known].slice(0, 4).join(', ')}${known.size > 4 ? ', …' : ''})`);
    }
    if (problems.length) {
      throw new StateDictError(`loadStateDict: ${problems.length} problem(s), nothing was loaded:\n  ${problems.join('\n  ')}`);
    }
    this.layers.forEach((l, i) => l.commitStateDict(staged[i]));
    this.invalidate();
  }

  override dispose(): void {
    for (const l of this.layers) l.dispose();
    super.dispose();
  }


  // ——— what the trainer drives (internal) ———

  /** Features of the output per step (or per sequence). */
  abstract readonly outputSize: number;
  /** Where the head runs: at every step, or only the last one. */
  abstract readonly output: 'sequence' | 'last';
  /** @internal Whether truncated BPTT applies: states carried from one window of a batch to the next. */
  abstract readonly carriesState: boolean;
  /** @internal The [T, B] 0/1 mask of the last run (0 without lengths). */
  abstract get maskPtr(): number;
  /** @internal A batch-major data-set batch forward, checked whole first; the output's pointer, time-major. */
  abstract runBatch(batch: TrainingBatch, what: string, opts?: { carry?: boolean; keepState?: boolean }): { ptr: number; rows: number };
  /** @internal Backward from ∂E/∂output (time-major) of the last run. */
  abstract runBackward(ptr: number, opts?: { inputGrad?: boolean }): number;
  /** @internal Throws unless a data set's inputs fit this model (x aside): writes nothing. */
  abstract checkData(data: TrainingBatch, name: string): void;

  /** @internal Remember every layer's forward count after a run (see checkLayersHold). */
  protected stampLayers(): void {
    for (let i = 0; i < this.layers.length; i++) this.stamps[i] = this.layers[i].forwardCount;
  }

  /**
   * @internal Before a backward writes anything: every layer still holds the activations of the
   * model's last run (none was reloaded, disposed or run on its own since).
   */
  protected checkLayersHold(what: string): void {
    this.layers.forEach((l, i) => {
      l.live();
      if (!l.canBackward || l.forwardCount !== this.stamps[i]) {
        throw new StateError(`${what}: layer ${i} (${this.names[i]}) was reloaded or run on its own since this model's forward; call forward() again`);
      }
    });
  }
}
