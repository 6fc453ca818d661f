/**
 * rnn-wasm for Cloudflare Workers (workerd): the API of `index.ts`, with an `init()` that
 * instantiates the precompiled modules Wrangler hands over for the package's `.wasm` imports.
 * @packageDocumentation
 */
export * from './core.js';
export { init } from './runtime/init-workerd.js';
