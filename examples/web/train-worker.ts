// The demo's Web Worker: answers the page's TrainingWorker requests (train a model, report
// progress, send the trained weights back). It loads rnn.wasm from beside this bundle. What it can
// train is what this script imports: Sequential models (rnn-wasm), and the pen models of the
// handwriting section — Seq2Seq models (rnn-wasm/seq2seq) with the mixtureDensity loss
// (rnn-wasm/sketch). Importing the two entries is all it takes: their registration is the side
// effect package.json declares, which bundlers keep.
import { serveTraining } from 'rnn-wasm/worker';
import 'rnn-wasm/seq2seq';
import 'rnn-wasm/sketch';

serveTraining();
