// The demo's Web Worker: answers the page's TrainingWorker requests (train a model, report
// progress, send the trained weights back). It loads rnn.wasm from beside this bundle.
import { serveTraining } from 'rnn-wasm/worker';

serveTraining();
