/**
 * `rnn-wasm/interop`: moving models between rnn-wasm and other frameworks — Keras / TensorFlow.js
 * models in, ONNX out. It shares the runtime of `rnn-wasm`: call its `init()` first.
 * @packageDocumentation
 */
export {};
export { importKeras, KERAS_LAYER_CLASSES, type KerasImport, type KerasWeights, type WeightShard } from './keras.js';
export { exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './onnx.js';
