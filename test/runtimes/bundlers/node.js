// The same application in Node, on the packed package and the wasm bytes given: the test runs
// `node --experimental-wasm-relaxed-simd node.js <file.wasm>` so that either build loads whatever
// flags the test process itself has, and reads the JSON this prints.
import { readFileSync } from 'node:fs';
import { init, runtimeInfo } from 'rnn-wasm';
import { trainAndPredict } from './app.js';

const [file, simd] = process.argv.slice(2);
await init({ wasm: readFileSync(file), simd });
process.stdout.write(JSON.stringify({ info: runtimeInfo(), ...(await trainAndPredict()) }));
