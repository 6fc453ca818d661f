// Cloudflare Worker: bundled as Wrangler does (the `workerd` export condition, .wasm imports
// kept as CompiledWasm modules) with the model file as a Data module (an ArrayBuffer).
import modelBytes from './model.safetensors';
import { handle } from './app.js';

export default {
  // env.SIMD (a plain-text binding, normally unset) pins the wasm build: the test runs a
  // second Worker on the plain build to compare bit for bit with Node's plain pass.
  fetch: (request, env) => handle(request, modelBytes, env.SIMD ? { simd: env.SIMD } : undefined),
};
