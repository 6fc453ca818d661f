// What a user ships to a browser: the library's JS, bundled and minified by esbuild
// (tools/size.ts: --bundle --minify --format=esm --platform=browser), plus its wasm, each also
// gzipped (level 9), as a server would send them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSize, gz, minifiedBundle } from '../tools/size.js';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface SizeResult {
  system: string;
  what: string;
  jsMin: number;
  jsGz: number;
  wasm: number;
  wasmGz: number;
  note?: string;
}

// A TF.js app as small as TF.js allows: only what the comparison's model needs, so the
// bundler can drop everything else it can prove unused (tfjs registers its kernels, layers
// and gradients as side effects, which stay: tfjs-layers' ES build imports all of tfjs-core's
// gradients itself, so inference and training ship the same bytes).
const TFJS_APP = `
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { setBackend, tensor3d, train, losses } from '@tensorflow/tfjs-core';
import { sequential, layers } from '@tensorflow/tfjs-layers';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
export { setBackend, tensor3d, train, losses, sequential, layers, setWasmPaths, setThreadsCount };`;

export async function runSize(opts: { tfjs: boolean; brain: boolean }): Promise<{ results: SizeResult[]; notes: string[] }> {
  const results: SizeResult[] = [];
  const notes: string[] = [];
  const ourWasm = readFileSync(path.join(ROOT, 'dist/rnn.wasm'));
  const core = await bundleSize(['index.web.js']);
  results.push({ system: 'rnn-wasm', what: "`rnn-wasm` (its browser build: layers, models, save/load, inference) + dist/rnn.wasm", jsMin: core.min, jsGz: core.gz, wasm: ourWasm.length, wasmGz: gz(ourWasm) });
  const all = await bundleSize(['index.web.js', 'train.js']);
  results.push({ system: 'rnn-wasm', what: '`rnn-wasm` + `rnn-wasm/train` (training, data, diagnostics) + dist/rnn.wasm', jsMin: all.min, jsGz: all.gz, wasm: ourWasm.length, wasmGz: gz(ourWasm) });
  try {
    const relaxed = readFileSync(path.join(ROOT, 'dist/rnn-relaxed.wasm'));
    notes.push(`rnn-wasm: init() loads one of two builds; a site that also serves the relaxed-SIMD one (fused multiply-add, where supported) hosts dist/rnn-relaxed.wasm too: ${relaxed.length.toLocaleString('en-US')} B (${gz(relaxed).toLocaleString('en-US')} B gzipped). The table counts dist/rnn.wasm, the one every SIMD runtime can load.`);
  } catch { /* no relaxed build */ }

  if (opts.tfjs) {
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    const simd = readFileSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'));
    const all = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => readFileSync(path.join(dir, f)));
    const b = await minifiedBundle(TFJS_APP, ROOT);
    results.push({
      system: 'TF.js wasm',
      what: 'an app importing tfjs-core + tfjs-layers (with its gradients) + tfjs-backend-wasm, only the symbols used + tfjs-backend-wasm-simd.wasm',
      jsMin: b.length, jsGz: gz(b), wasm: simd.length, wasmGz: gz(simd),
    });
    const total = all.reduce((s, b) => s + b.length, 0);
    notes.push(`TF.js picks one of three .wasm files at run time (plain, SIMD, threaded SIMD); a site serving every browser hosts all three: ${total.toLocaleString('en-US')} B (${all.reduce((s, b) => s + gz(b), 0).toLocaleString('en-US')} B gzipped). The table counts the SIMD one only.`);
  }
  if (opts.brain) {
    const file = require.resolve('brain.js/browser.min.js');
    const b = readFileSync(file);
    results.push({ system: 'brain.js', what: 'browser.min.js (its own browser bundle, all of brain.js)', jsMin: b.length, jsGz: gz(b), wasm: 0, wasmGz: 0 });
  }
  return { results, notes };
}
