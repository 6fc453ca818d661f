/**
 * `rnn-wasm/node`: files on disk, for Node (model files, text and CSV data). Browsers and
 * edge runtimes use `save()`/`load()` on bytes and `fetch` instead.
 * @packageDocumentation
 */
export { saveFile, loadFile } from './io/node.js';
export { readText, readCsvColumn, type CsvColumn } from './data/files.js';
