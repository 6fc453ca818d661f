/**
 * `rnn-wasm/train`: training (Trainer, optimizers, losses, clipping, schedules), data sets and
 * batching, and gradient diagnostics. It shares the runtime of `rnn-wasm`: call its `init()` first.
 *
 * @example
 * ```ts
 * import { init, Sequential, LSTM, Linear } from 'rnn-wasm';
 * import { Trainer } from 'rnn-wasm/train';
 * await init();
 * ```
 * @packageDocumentation
 */
export {
  checkDataset, datasetSize, targetsPerStep, takeSamples, splitDataset, shuffledIndices, sliceTime,
  type SequenceDataset,
} from '../data/dataset.js';
export {
  slidingWindows, textDataset, streams, padSequences, scaleSeries, type Series, type SlidingWindowOptions,
  type TextDatasetOptions, type StreamsOptions, type PadOptions, type PaddedSequences, type ScaleOptions,
  type SeriesScale, type ScaledSeries,
} from '../data/windows.js';
export { SGD, Adam, AdamW, RMSprop, Adagrad, Optimizer, makeOptimizer, type OptimizerSpec, type SGDOptions, type AdamOptions, type RMSpropOptions, type AdagradOptions } from './optimizers.js';
export { clipGradNorm, clipGradPerParameterNorm, clipGradValue, gradNorm, findNonFiniteGrad, type ClipPolicy, type NonFiniteAt } from './clip.js';
export { learningRate, type Schedule } from './schedules.js';
export { lossAndGrad, type LossSpec, type Loss } from './losses.js';
export { seq2seqDataset, type Seq2SeqDatasetOptions } from '../data/pairs.js';
export { Trainer, type TrainerOptions, type FitOptions, type EvaluateOptions, type BatchStats, type EpochStats, type History } from './trainer.js';
export { gradientFlow, spectralRadius, recurrentSpectralRadii, type GradientFlow, type LayerFlow } from '../diagnostics.js';
