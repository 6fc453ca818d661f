// webpack 5: nothing for rnn-wasm. Its asset modules emit both .wasm files the package refers to
// with new URL(…, import.meta.url) and rewrite the URLs (publicPath 'auto' finds them beside the bundle).
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './main.js',
  output: { path: fileURLToPath(new URL('./dist/', import.meta.url)), filename: 'main.js', clean: true },
};
