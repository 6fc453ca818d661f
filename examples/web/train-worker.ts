// The demo's Web Worker: answers the page's TrainingWorker requests (train a model, report
// progress, send the trained weights back). It loads rnn.wasm from beside this bundle. What it can
// train is what this script imports: Sequential models (rnn-wasm), and the pen models of the
// handwriting section — Seq2Seq files (rnn-wasm/seq2seq) with the mixtureDensity loss
// (rnn-wasm/sketch). The package has no side effects for bundlers to keep, so the two entries
// are named in an export: a bare `import 'rnn-wasm/sketch'` would be dropped from the bundle.
import { serveTraining } from 'rnn-wasm/worker';
import { Seq2Seq } from 'rnn-wasm/seq2seq';
import { mdnLoss } from 'rnn-wasm/sketch';

export const trains = { Seq2Seq, mdnLoss };

serveTraining();
