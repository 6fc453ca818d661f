/**
 * rnn-wasm for browsers, Web Workers and other fetch-based runtimes: the API of `index.ts`,
 * with an `init()` that fetches the wasm from beside this module.
 * @packageDocumentation
 */
export * from './core.js';
export { init } from './runtime/init-web.js';
