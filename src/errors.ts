/**
 * Errors thrown by rnn-wasm. Every error is an instance of {@link RnnWasmError}, so
 * `catch (e) { if (e instanceof RnnWasmError) … }` separates ours from everything else.
 * @packageDocumentation
 */

/** Base class of every error this library throws. */
export class RnnWasmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A constructor option is missing, of the wrong type or out of range. */
export class ConfigError extends RnnWasmError {}

/** An argument has the wrong length, shape or type. Names the argument, the expected and the given shape. */
export class ShapeError extends RnnWasmError {}

/** A value is NaN or ±Infinity where finite numbers are required. */
export class NonFiniteError extends RnnWasmError {
  constructor(message: string, readonly argument: string, readonly index: number) {
    super(message);
  }
}

/** A state dict has missing, unexpected or mis-shaped entries. */
export class StateDictError extends RnnWasmError {}

/** The WebAssembly module could not be found, compiled or instantiated. */
export class WasmLoadError extends RnnWasmError {}

/** A layer was used before `await init()`. */
export class NotInitializedError extends RnnWasmError {}

/** A layer was used after `dispose()`. */
export class DisposedError extends RnnWasmError {}

/** `backward` was called without a matching `forward`. */
export class StateError extends RnnWasmError {}

/** WebAssembly memory could not grow to what a call needs (or the size overflows 32-bit memory). */
export class OutOfMemoryError extends RnnWasmError {}

/** A model file (safetensors) is malformed, hostile, from a newer version, or does not fit its configuration. */
export class FormatError extends RnnWasmError {}
