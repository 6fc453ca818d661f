// The page's entry: init() with no options, so what finds the wasm is the bundler's handling of
// the package's import.meta.url reference to it; then the result, as JSON, into #result (or the
// error into #error, so that a failure shows at once).
import { init, runtimeInfo } from 'rnn-wasm';
import { trainAndPredict } from './app.js';

async function main() {
  await init();
  const result = await trainAndPredict();
  document.getElementById('result').textContent = JSON.stringify({ info: runtimeInfo(), ...result });
}

main().catch((e) => {
  document.getElementById('error').textContent = String(e?.stack ?? e);
  throw e;
});
