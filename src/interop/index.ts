/**
 * `rnn-wasm/interop`: moving models between rnn-wasm and other frameworks — Keras / TensorFlow.js
 * models in, ONNX out. It shares the runtime of `rnn-wasm`: call its `init()` first.
 * @packageDocumentation
 */
export {};
