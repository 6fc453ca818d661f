// Rollup 4: node-resolve to find 'rnn-wasm' in node_modules (its browser entry), and
// import-meta-assets to emit the two .wasm files the package refers to with
// new URL(…, import.meta.url) and rewrite those URLs; terser to minify, as production builds do.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';
import { fileURLToPath } from 'node:url';

export default {
  input: fileURLToPath(new URL('./main.js', import.meta.url)),
  plugins: [nodeResolve({ browser: true }), importMetaAssets(), terser()],
  output: { dir: fileURLToPath(new URL('./dist/', import.meta.url)), format: 'es' },
};
