/**
 * The core of rnn-wasm, the same for every runtime: layers, models, save/load, errors.
 * Each runtime's entry (index.ts for Node, index.web.ts, index.workerd.ts) adds its own `init`.
 * @packageDocumentation
 */
export { isInitialized, runtimeInfo, setThreads, terminateThreads, hasRelaxedSimd, type InitOptions, type WasmSource, type RuntimeInfo } from './runtime/loader.js';
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
export { Sequential, type Layer, type SequentialOptions, type SequentialResult, type SequenceBatch, type StreamState } from './model/sequential.js';
export type { SampleOptions } from './model/sampling.js';
export { save, load, FORMAT_VERSION, type Saveable, type LoadOptions } from './io/model-file.js';
export { encodeSafetensors, decodeSafetensors, type Tensor, type Dtype, type DecodeLimits } from './io/safetensors.js';
export { CharTokenizer, unigramEntropy } from './data/tokenizer.js';
