/**
 * rnn-wasm: recurrent neural networks (Elman RNN, LSTM, GRU) with WebAssembly SIMD kernels
 * and PyTorch's layer API.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();
 * const lstm = new LSTM({ inputSize: 13, hiddenSize: 32, seed: 1 });
 * ```
 * @packageDocumentation
 */
export { init, isInitialized, runtimeInfo, hasRelaxedSimd, type InitOptions, type WasmSource, type RuntimeInfo } from './runtime/loader.js';
export { setLimits, getLimits, type Limits } from './runtime/limits.js';
export { RNN, type RNNOptions } from './layers/rnn.js';
export { LSTM, type LSTMForwardResult, type LSTMBackwardResult } from './layers/lstm.js';
export { GRU } from './layers/gru.js';
export {
  RecurrentLayer, type Mode, type RecurrentOptions, type ForwardOptions, type ForwardResult,
  type BackwardOptions, type BackwardResult, type NamedParameter, type StateDictValue,
} from './layers/recurrent.js';
export type { NumericArray } from './layers/validate.js';
export {
  RnnWasmError, ConfigError, ShapeError, NonFiniteError, StateDictError, WasmLoadError,
  NotInitializedError, DisposedError, StateError, OutOfMemoryError, FormatError,
} from './errors.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Embedding, type EmbeddingOptions, type TokenIds } from './layers/embedding.js';
export { Dropout } from './layers/dropout.js';
export { Module } from './layers/module.js';
export { Sequential, type Layer, type SequentialOptions, type SequentialResult, type StreamState } from './model/sequential.js';
export type { SampleOptions } from './model/sampling.js';
export { save, load, FORMAT_VERSION, type Saveable, type LoadOptions } from './io/model-file.js';
export { saveFile, loadFile } from './io/node.js';
export { encodeSafetensors, decodeSafetensors, type Tensor, type Dtype, type DecodeLimits } from './io/safetensors.js';
export {
  checkDataset, datasetSize, targetsPerStep, takeSamples, splitDataset, shuffledIndices, sliceTime,
  type SequenceDataset,
} from './data/dataset.js';
export { CharTokenizer, unigramEntropy } from './data/tokenizer.js';
export {
  slidingWindows, textDataset, streams, padSequences, scaleSeries, type Series, type SlidingWindowOptions,
  type TextDatasetOptions, type StreamsOptions, type PadOptions, type PaddedSequences, type ScaleOptions,
  type SeriesScale, type ScaledSeries,
} from './data/windows.js';
export { readText, readCsvColumn, type CsvColumn } from './data/files.js';
export { SGD, Adam, AdamW, RMSprop, Adagrad, Optimizer, makeOptimizer, type OptimizerSpec, type SGDOptions, type AdamOptions, type RMSpropOptions, type AdagradOptions } from './train/optimizers.js';
export { clipGradNorm, clipGradPerParameterNorm, clipGradValue, gradNorm, findNonFiniteGrad, type ClipPolicy, type NonFiniteAt } from './train/clip.js';
export { learningRate, type Schedule } from './train/schedules.js';
export { lossAndGrad, type LossSpec } from './train/losses.js';
export { Trainer, type TrainerOptions, type FitOptions, type BatchStats, type EpochStats, type History } from './train/trainer.js';
export { gradientFlow, spectralRadius, recurrentSpectralRadii, type GradientFlow, type LayerFlow } from './diagnostics.js';
