import { ConfigError, FormatError, NonFiniteError, StateError } from '../errors.js';
import { loadParts, saveWith } from '../io/model-file.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { checkDataset, datasetSize, gatherSamples, shuffledIndices, sliceTime, type SequenceDataset } from '../data/dataset.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { Sequential } from '../model/sequential.js';
import type { Seq2Seq } from '../model/seq2seq.js';
import { Composite } from '../model/composite.js';
import { gradientFlow, recurrentSpectralRadii, type GradientFlow } from '../diagnostics.js';
import { clipGradPerParameterNorm, clipGradValue, findNonFiniteGrad, gradNorm, scaleToNorm, type ClipPolicy } from './clip.js';
import { batchLoss, checkTargets, resolveLoss, type BatchLoss, type Loss, type LossSpec } from './losses.js';
import { makeOptimizer, Optimizer, type OptimizerSpec } from './optimizers.js';
import { checkSchedule, learningRate, type Schedule } from './schedules.js';

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** The loss: 'mse', 'crossEntropy' (integer targets; `{ type: 'crossEntropy', ignoreIndex }`) or 'bceWithLogits'. */
  loss: LossSpec;
  /** An optimizer, or its spec such as `{ type: 'adam', lr: 1e-3 }`. */
  optimizer: OptimizerSpec | Optimizer;
  /** Gradient clipping before each update: `{ maxNorm }`, `{ perParameterNorm }` or `{ value }`. Default none. */
  clip?: ClipPolicy;
  /** Learning-rate schedule over updates, from the optimizer's initial lr. Default constant. */
  schedule?: Schedule;
  /**
   * A NaN or ±Infinity loss or gradient: `'throw'` (default) raises a {@link NonFiniteError} naming
   * the parameter and the step, with the weights as they were before that step; `'skip'` drops
   * the update and counts it.
   */
  onNonFinite?: 'throw' | 'skip';
  /** Accumulate gradients over this many batches per update (the loss is averaged over them). Default 1. */
  accumulate?: number;
}

/** What one training batch reports. */
export interface BatchStats {
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  /** Updates so far. */
  step: number;
  /** Mean loss of the batch over its valid elements. */
  loss: number;
  /** Global L2 norm of the gradients before clipping (NaN between accumulation boundaries). */
  gradNorm: number;
  /** Whether clipping changed the gradients. */
  clipped: boolean;
  /** Learning rate of the update. */
  lr: number;
  /** Valid timesteps in the batch. */
  tokens: number;
  /** Valid timesteps per second over the epoch so far. */
  tokensPerSecond: number;
  /** True when the update was skipped (non-finite, onNonFinite 'skip'). */
  skipped: boolean;
}

/** What one epoch reports. */
export interface EpochStats {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Validation loss (mean over valid elements), when validation data was given. */
  valLoss?: number;
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  /** Fraction of the epoch's updates that clipping changed. */
  clipRatio: number;
  /** Updates skipped for non-finite values. */
  skipped: number;
  /** With `report.spectralRadius`: the spectral radius of every W_hh gate block. */
  spectralRadii?: { parameter: string; gate: string; radius: number }[];
  /** With `report.gradientFlow`: ‖∂E/∂h_k‖ per step on that batch (see diagnostics.gradientFlow). */
  gradientFlow?: GradientFlow;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Data to compute a validation loss on after every epoch. */
  validation?: SequenceDataset;
  /** Shuffle sample order every epoch (seeded). Default true, false with tbptt. */
  shuffle?: boolean;
  /** Seed of the shuffling. Default 0. */
  seed?: number;
  /**
   * Truncated BPTT: cut each sample's time axis into windows of this many steps, processed in
   * order with the hidden state carried across windows (its gradient is not), one update per
   * window. Samples are the rows of long streams (see `streams()`); batches are fixed groups of rows.
   */
  tbptt?: number;
  callbacks?: {
    onBatchEnd?(stats: BatchStats): void;
    onEpochEnd?(stats: EpochStats): void;
  };
  /** Stop when the validation loss has not improved by minDelta for `patience` epochs; restore the best weights (default). */
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  /** Stop (after the current update) when aborted; the model stays consistent. */
  signal?: AbortSignal;
  /** Stop after this many updates in total. */
  maxSteps?: number;
  /** Stop after this many seconds. */
  maxSeconds?: number;
  /** Yield to the event loop when this many ms passed since the last yield. Default 16. */
  yieldEveryMs?: number;
  /**
   * Continue from where the last fit stopped (or the restored checkpoint's position): the same
   * epoch, skipping the batches already done. With the same data and fit options the result is
   * bit-identical to an uninterrupted run. (Early stopping's patience restarts.)
   */
  resume?: boolean;
  /** Add diagnostics to every epoch's stats: W_hh spectral radii, and the gradient flow on a batch. */
  report?: { spectralRadius?: boolean; gradientFlow?: SequenceDataset };
}

/** What {@link Trainer.fit} returns. */
export interface History {
  epochs: EpochStats[];
  steps: number;
  stopped: 'completed' | 'aborted' | 'earlyStopping' | 'maxSteps' | 'maxSeconds';
  bestValLoss?: number;
}

/**
 * Trains a {@link Sequential} model: mini-batches (the loss is the mean over the batch's valid
 * timesteps), losses and gradients in wasm, clipping, non-finite detection, the optimizer
 * update in wasm, schedules, truncated BPTT, padding masks, validation, callbacks, early
 * stopping, and cancellation. `fit` is async and yields to the event loop between batches.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 2e-3 }, clip: { maxNorm: 1 } });
 * const history = await trainer.fit(train, { epochs: 5, batchSize: 32, validation: val,
 *   callbacks: { onEpochEnd: (s) => console.log(s.epoch, s.loss, s.valLoss) } });
 * ```
 */
export class Trainer<M extends Sequential | Seq2Seq = Sequential | Seq2Seq> {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly clip?: ClipPolicy;
  readonly schedule?: Schedule;
  readonly onNonFinite: 'throw' | 'skip';
  readonly accumulate: number;
  /** Updates skipped for non-finite values, in total. */
  skippedSteps = 0;
  /** Where fit is: the epoch under way (from 1) and the batches of it already done. */
  progress = { epoch: 1, batch: 0 };
  private readonly baseLr: number;
  private readonly lossSpec: LossSpec;
  private pending = 0; // batches accumulated since the last update

  private readonly options: TrainerOptions;

  constructor(readonly model: M, options: TrainerOptions) {
    if (!(model instanceof Composite)) throw new ConfigError(`Trainer: expected a Sequential or Seq2Seq model, got ${describe(model)}`);
    checkOptions('Trainer', options, TRAINER_RULES, ['loss', 'optimizer']);
    this.loss = resolveLoss(options.loss);
    this.lossSpec = options.loss;
    this.options = options;
    this.clip = checkClip(options.clip);
    this.schedule = checkSchedule(options.schedule);
    this.optimizer = options.optimizer instanceof Optimizer ? options.optimizer : makeOptimizer(model, options.optimizer);
    this.baseLr = this.optimizer.lr;
    this.onNonFinite = options.onNonFinite ?? 'throw';
    this.accumulate = options.accumulate ?? 1;
  }

  /**
   * Forward, loss and backward on one batch (batch-major, as a {@link SequenceDataset}), and the
   * update when `accumulate` batches have been seen. `carry`: start from the previous batch's
   * final states (truncated BPTT).
   */
  trainBatch(batch: SequenceDataset, carry = false): Omit<BatchStats, 'epoch' | 'batch' | 'tokensPerSecond'> {
    this.refuseWhileFitting('trainBatch');
    checkDataset(batch, 'trainBatch batch');
    checkTargets(this.model, this.loss, batch, 'trainBatch batch', carry === true);
    if (typeof carry !== 'boolean') throw new ConfigError(`trainBatch carry: expected true or false, got ${describe(carry)}`);
    return this.step(batch, carry);
  }

  // trainBatch without the checks (fit checked the data set once)
  private step(batch: SequenceDataset, carry: boolean): Omit<BatchStats, 'epoch' | 'batch' | 'tokensPerSecond'> {
    const model = this.model;
    const { loss, tokens, count } = this.lossAndBackward(batch, carry);
    if (count === 0) {
      // every target ignored or padded: no signal (a mean over nothing), no update, not a fault
      return { step: this.optimizer.stepCount, loss: NaN, gradNorm: NaN, clipped: false, lr: this.optimizer.lr, tokens, skipped: false };
    }
    this.pending++;
    let gradNormValue = NaN, clipped = false, skipped = false;
    const lr = learningRate(this.schedule, this.baseLr, this.optimizer.stepCount);
    if (this.pending >= this.accumulate) {
      this.pending = 0;
      const total = gradNorm(model);
      if (!Number.isFinite(total) || !Number.isFinite(loss)) {
        const at = findNonFiniteGrad(model);
        model.zeroGrad();
        if (this.onNonFinite === 'throw') {
          const what = at ? `the gradient of ${at.parameter} is ${at.value} at element ${at.index}` : `the loss is ${loss}`;
          throw new NonFiniteError(
            `training step ${this.optimizer.stepCount + 1}: ${what}; the weights are unchanged. ` +
              'Lower the learning rate, clip gradients (clip: { maxNorm: 1 }), or check the data for NaN/Infinity; ' +
              "onNonFinite: 'skip' drops such updates instead",
            at?.parameter ?? 'loss', at?.index ?? -1,
          );
        }
        this.skippedSteps++;
        skipped = true;
      } else {
        gradNormValue = total;
        clipped = this.applyClip(total);
        this.optimizer.lr = lr;
        this.optimizer.step();
        model.zeroGrad();
      }
    }
    return { step: this.optimizer.stepCount, loss, gradNorm: gradNormValue, clipped, lr, tokens, skipped };
  }

  /**
   * Everything needed to continue training exactly: the model (as {@link save}), the optimizer's
   * state, the trainer's settings and position, the dropout generators' states, the carried
   * hidden states of truncated BPTT and any gradients accumulated towards the next update —
   * one safetensors file. {@link Trainer.restore} rebuilds it; then `fit(data, { …, resume: true })`.
   */
  checkpoint(): Uint8Array {
    const extra: Record<string, { shape: number[]; data: Float32Array }> = {};
    this.optimizer.stateDict().buffers.forEach((bufs, i) => bufs.forEach((data, j) => { extra[`@optimizer.${i}.${j}`] = { shape: [data.length], data }; }));
    const layerState: Record<number, { rng: number; carryBatch?: number }> = {};
    this.model.layers.forEach((l, i) => {
      layerState[i] = { rng: l.rngState };
      if (l instanceof RecurrentLayer) {
        const c = l.carriedState;
        if (c) { layerState[i].carryBatch = c.batch; extra[`@carry.${i}`] = { shape: [c.data.length], data: c.data }; }
      }
    });
    if (this.pending > 0) for (const p of this.model.namedParameters()) extra[`@grad.${p.name}`] = { shape: [p.grad.length], data: p.grad.slice() };
    const { optimizer: _ignored, ...settings } = this.options;
    const state = {
      settings, optimizer: this.optimizer.spec(), stepCount: this.optimizer.stepCount, lr: this.optimizer.lr,
      pending: this.pending, skippedSteps: this.skippedSteps, progress: this.progress, layers: layerState,
      modelRng: this.model.rngState,
    };
    return saveWith(this.model, extra, { checkpoint: JSON.stringify(state) });
  }

  /** Rebuild a trainer (and its model) from {@link checkpoint}'s bytes. */
  static restore(bytes: Uint8Array | ArrayBuffer): Trainer {
    const { model, extras, metadata } = loadParts(bytes, {}, (n) => n.startsWith('@'));
    if (!(model instanceof Composite)) { model.dispose(); throw new FormatError('a checkpoint holds a Sequential or Seq2Seq model'); }
    try {
      if (metadata.checkpoint === undefined) throw new FormatError('not a checkpoint: no "checkpoint" entry in __metadata__ (a model file? use load())');
      const st = JSON.parse(metadata.checkpoint);
      const trainer = new Trainer(model, { ...st.settings, optimizer: st.optimizer });
      const buffers = [...extras.keys()].filter((k) => k.startsWith('@optimizer.')).sort(byIndices).reduce<Float32Array[][]>((acc, k) => {
        const [, i, j] = k.split('.').map(Number);
        (acc[i] ??= [])[j] = extras.get(k)!.data;
        return acc;
      }, []);
      trainer.optimizer.loadStateDict({ stepCount: st.stepCount, lr: st.lr, buffers });
      trainer.pending = st.pending;
      trainer.skippedSteps = st.skippedSteps;
      trainer.progress = st.progress;
      model.rngState = st.modelRng;
      model.train();
      model.layers.forEach((l, i) => {
        const ls = st.layers[i];
        l.rngState = ls.rng;
        if (l instanceof RecurrentLayer && ls.carryBatch !== undefined) l.carriedState = { batch: ls.carryBatch, data: extras.get(`@carry.${i}`)!.data };
      });
      if (st.pending > 0) {
        for (const p of model.namedParameters()) {
          const g = extras.get(`@grad.${p.name}`);
          if (!g || g.data.length !== p.grad.length) throw new FormatError(`checkpoint: missing or mis-sized accumulated gradient "@grad.${p.name}"`);
          p.grad.set(g.data);
        }
      }
      return trainer;
    } catch (e) {
      model.dispose();
      if (e instanceof SyntaxError) throw new FormatError(`checkpoint metadata is not valid JSON: ${e.message}`);
      throw e;
    }
  }

  /** Mean loss over the valid elements of `data`, in eval mode, without gradients. */
  evaluate(data: SequenceDataset, options: EvaluateOptions = {}): number {
    checkOptions('evaluate', options, EVALUATE_RULES);
    checkDataset(data, 'evaluate data');
    if (!this.model.carriesState && options.tbptt !== undefined) throw new ConfigError('evaluate tbptt: truncated BPTT is for Sequential models');
    checkTargets(this.model, this.loss, data, 'evaluate data');
    return this.evaluateChecked(data, options.batchSize ?? 64, options.tbptt);
  }

  // evaluate() for checked arguments. The states training carries across tbptt windows are put
  // back afterwards, so validating (or a callback's evaluate) in the middle of a stream is harmless.
  private evaluateChecked(data: SequenceDataset, batchSize: number, tbptt: number | undefined): number {
    const wasTraining = this.model.training;
    const carried = tbptt === undefined ? [] : this.model.layers.map((l) => (l instanceof RecurrentLayer ? l.carriedState : undefined));
    this.model.eval();
    let sum = 0, count = 0;
    try {
      for (const { batch, carry } of batches(data, batchSize, tbptt, undefined)) {
        const r = this.forwardLoss(batch, carry, false, tbptt !== undefined);
        sum += r.sum;
        count += r.count;
      }
    } finally {
      this.model.train(wasTraining);
      carried.forEach((c, i) => { (this.model.layers[i] as RecurrentLayer).carriedState = c; });
    }
    return count > 0 ? sum / count : NaN;
  }

  /** Train for some epochs. Resolves with the history when done, aborted or stopped early. */
  async fit(data: SequenceDataset, options: FitOptions = {}): Promise<History> {
    this.refuseWhileFitting('fit');
    checkFitOptions(options);
    checkDataset(data, 'fit data');
    checkTargets(this.model, this.loss, data, 'fit data');
    if (options.validation) {
      checkDataset(options.validation, 'fit validation');
      checkTargets(this.model, this.loss, options.validation, 'fit validation');
    }
    if (options.report?.gradientFlow) checkDataset(options.report.gradientFlow, 'fit report.gradientFlow');
    if (options.earlyStopping && !options.validation) throw new ConfigError('fit earlyStopping needs validation data (fit options.validation)');
    if (!(this.model instanceof Sequential)) {
      if (options.tbptt !== undefined) throw new ConfigError('fit tbptt: a Seq2Seq decoder starts from its condition in every batch; truncated BPTT is for Sequential models');
      if (options.report?.gradientFlow) throw new ConfigError('fit report.gradientFlow: measured on Sequential models (gradientFlow); a Seq2Seq model reports spectralRadius');
    }
    fitting.add(this.model);
    try {
      return await this.fitChecked(data, options);
    } finally {
      fitting.delete(this.model);
    }
  }

  // One fit at a time per model: two interleaved fits would each apply updates to the one set of
  // weights and optimizer state, and each report the other's.
  private refuseWhileFitting(what: string): void {
    if (fitting.has(this.model)) {
      throw new StateError(`${what}: a fit() is already running on this model; await it (or abort it with its signal) before starting another`);
    }
  }

  private async fitChecked(data: SequenceDataset, options: FitOptions): Promise<History> {
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    const tbptt = options.tbptt;
    const shuffle = options.shuffle ?? tbptt === undefined;
    const seed = options.seed ?? 0;
    const yieldMs = options.yieldEveryMs ?? 16;
    const es = options.earlyStopping;
    const history: History = { epochs: [], steps: 0, stopped: 'completed' };
    const t0 = now();
    let lastYield = now();
    let best = Infinity, bestWeights: Record<string, Float32Array> | undefined, sinceBest = 0;
    const startStep = this.optimizer.stepCount;
    const from = options.resume ? { ...this.progress } : { epoch: 1, batch: 0 };
    this.progress = { ...from };
    outer: for (let epoch = from.epoch; epoch <= epochs; epoch++) {
      this.model.train();
      const e0 = now();
      let lossSum = 0, nBatches = 0, tokens = 0, updates = 0, clippedCount = 0, skipped = 0;
      const order = shuffle ? shuffledIndices(datasetSize(data), seed + epoch) : undefined;
      let b = 0;
      const skip = epoch === from.epoch ? from.batch : 0;
      for (const { batch, carry } of batches(data, batchSize, tbptt, order)) {
        if (b < skip) { b++; continue; } // done before the checkpoint
        if (options.signal?.aborted) { history.stopped = 'aborted'; break outer; }
        const r = this.step(batch, carry);
        this.progress = { epoch, batch: b + 1 };
        if (!Number.isNaN(r.loss)) { lossSum += r.loss; nBatches++; }
        tokens += r.tokens;
        if (!Number.isNaN(r.gradNorm)) { updates++; if (r.clipped) clippedCount++; }
        if (r.skipped) skipped++;
        const seconds = (now() - e0) / 1000;
        options.callbacks?.onBatchEnd?.({ ...r, epoch, batch: b++, tokensPerSecond: tokens / Math.max(seconds, 1e-9) });
        history.steps = this.optimizer.stepCount - startStep;
        if (options.maxSteps !== undefined && history.steps >= options.maxSteps) { history.stopped = 'maxSteps'; break outer; }
        if (options.maxSeconds !== undefined && (now() - t0) / 1000 >= options.maxSeconds) { history.stopped = 'maxSeconds'; break outer; }
        if (now() - lastYield >= yieldMs) {
          await yieldToEventLoop();
          lastYield = now();
        }
      }
      const seconds = (now() - e0) / 1000;
      const stats: EpochStats = {
        epoch, loss: lossSum / Math.max(1, nBatches), steps: updates, seconds,
        tokensPerSecond: tokens / Math.max(seconds, 1e-9), clipRatio: updates ? clippedCount / updates : 0, skipped,
      };
      if (options.validation) stats.valLoss = this.evaluateChecked(options.validation, batchSize, tbptt);
      if (options.report?.spectralRadius) stats.spectralRadii = recurrentSpectralRadii(this.model);
      if (options.report?.gradientFlow) stats.gradientFlow = gradientFlow(this.model as Sequential, options.report.gradientFlow, { loss: this.lossSpec });
      history.epochs.push(stats);
      this.progress = { epoch: epoch + 1, batch: 0 };
      options.callbacks?.onEpochEnd?.(stats);
      if (es && stats.valLoss !== undefined) {
        if (stats.valLoss < best - (es.minDelta ?? 0)) {
          best = stats.valLoss;
          sinceBest = 0;
          if (es.restoreBest ?? true) bestWeights = this.model.stateDict();
        } else if (++sinceBest >= es.patience) {
          history.stopped = 'earlyStopping';
          break;
        }
      }
      await yieldToEventLoop();
      lastYield = now();
    }
    if (bestWeights && history.stopped === 'earlyStopping') this.model.loadStateDict(bestWeights);
    if (es) history.bestValLoss = best;
    history.steps = this.optimizer.stepCount - startStep;
    return history;
  }

  // forward + loss (+ backward); returns the batch's mean loss and valid tokens
  private lossAndBackward(batch: SequenceDataset, carry: boolean): { loss: number; tokens: number; count: number } {
    const r = this.forwardLoss(batch, carry, true);
    if (r.count > 0) this.model.runBackward(r.gradPtr, { inputGrad: false });
    return { loss: r.count > 0 ? r.sum / r.count : NaN, tokens: r.tokens, count: r.count };
  }

  private forwardLoss(batch: SequenceDataset, carry: boolean, withGrad: boolean, keepState = true): BatchLoss {
    return batchLoss(this.model, this.loss, batch, { carry, keepState, accumulate: withGrad ? this.accumulate : 1 });
  }

  private applyClip(total: number): boolean {
    const c = this.clip;
    if (!c) return false;
    if ('maxNorm' in c) {
      // the L2 norm is the one trainBatch already computed
      const n = c.normType === 'inf' ? gradNorm(this.model, 'inf') : total;
      scaleToNorm(this.model, c.maxNorm, n);
      return n > c.maxNorm;
    }
    if ('perParameterNorm' in c) {
      return Object.values(clipGradPerParameterNorm(this.model, c.perParameterNorm, c.normType ?? 2)).some((n) => n > c.perParameterNorm);
    }
    const before = gradNorm(this.model, 'inf');
    clipGradValue(this.model, c.value);
    return before > c.value;
  }
}

// Batches of a data set: shuffled (or in order) groups of samples; with tbptt, fixed groups of
// rows cut into consecutive time windows (carry = continue from the previous window).
function* batches(data: SequenceDataset, batchSize: number, tbptt: number | undefined, order: Int32Array | undefined): Generator<{ batch: SequenceDataset; carry: boolean }> {
  const N = datasetSize(data);
  const T = data.xShape[1];
  for (let start = 0; start < N; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, N - start) }, (_, i) => (order ? order[start + i] : start + i));
    const batch = gatherSamples(data, idx); // data was checked once by fit/evaluate
    if (tbptt === undefined || tbptt >= T) {
      yield { batch, carry: false };
      continue;
    }
    for (let t0 = 0; t0 < T; t0 += tbptt) yield { batch: sliceTime(batch, t0, Math.min(tbptt, T - t0)), carry: t0 > 0 };
  }
}

// models with a fit() under way
const fitting = new WeakSet<Sequential | Seq2Seq>();

const TRAINER_RULES = {
  loss: is.checkedLater, optimizer: is.checkedLater, clip: is.object, schedule: is.object,
  onNonFinite: is.oneOf('throw', 'skip'), accumulate: is.int(1),
};
const EVALUATE_RULES = { batchSize: is.int(1), tbptt: is.int(1) };
const FIT_RULES = {
  epochs: is.int(1), batchSize: is.int(1), validation: is.object, shuffle: is.bool, seed: is.int(0), tbptt: is.int(1),
  callbacks: is.object, earlyStopping: is.object, signal: is.checkedLater, maxSteps: is.int(1), maxSeconds: is.number(0, Infinity, { min: true }),
  yieldEveryMs: is.number(0), resume: is.bool, report: is.object,
};

/** Options of {@link Trainer.evaluate}. */
export interface EvaluateOptions {
  /** Samples per forward. Default 64. */
  batchSize?: number;
  /** Evaluate in truncated-BPTT windows of this many steps (hidden state carried). Default: whole sequences. */
  tbptt?: number;
}

function checkFitOptions(o: FitOptions): void {
  checkOptions('fit', o, FIT_RULES);
  if (o.signal !== undefined && !(typeof o.signal === 'object' && o.signal !== null && typeof (o.signal as AbortSignal).aborted === 'boolean')) {
    throw new ConfigError(`fit signal: expected an AbortSignal, got ${describe(o.signal)}`);
  }
  if (o.callbacks) checkOptions('fit callbacks', o.callbacks, { onBatchEnd: is.function, onEpochEnd: is.function });
  if (o.earlyStopping) {
    checkOptions('fit earlyStopping', o.earlyStopping, { patience: is.int(1), minDelta: is.number(0), restoreBest: is.bool }, ['patience']);
  }
  if (o.report) checkOptions('fit report', o.report, { spectralRadius: is.bool, gradientFlow: is.object });
}

function checkClip(c: ClipPolicy | undefined): ClipPolicy | undefined {
  if (c === undefined) return undefined;
  const norm = is.oneOf(2, 'inf');
  if ('maxNorm' in c) checkOptions('Trainer clip', c, { maxNorm: is.number(0, Infinity, { min: true }), normType: norm }, ['maxNorm']);
  else if ('perParameterNorm' in c) checkOptions('Trainer clip', c, { perParameterNorm: is.number(0, Infinity, { min: true }), normType: norm }, ['perParameterNorm']);
  else if ('value' in c) checkOptions('Trainer clip', c, { value: is.number(0, Infinity, { min: true }) }, ['value']);
  else throw new ConfigError(`Trainer clip: expected { maxNorm, normType? }, { perParameterNorm, normType? } or { value }, got ${describe(c)} with keys ${Object.keys(c).join(', ') || 'none'}`);
  return c;
}

function now(): number {
  return performance.now();
}

// A macrotask: lets timers, I/O and rendering run (setImmediate in Node, a MessageChannel in browsers).
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); r(); };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

function byIndices(a: string, b: string): number {
  const pa = a.split('.').slice(1).map(Number), pb = b.split('.').slice(1).map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1];
}
