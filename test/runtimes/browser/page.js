// The page of test/runtimes/browser.test.ts, bundled by esbuild (platform 'browser') from the packed
// package exactly as an application imports it. Plain JavaScript: the package's own .d.ts types
// and src/'s would be two different class declarations for tsc, and the page needs neither.
import { init, isInitialized, runtimeInfo, setThreads, WasmLoadError, Sequential, Embedding, LSTM, Dropout, GRU, Linear } from 'rnn-wasm';
import { Trainer, textDataset, splitDataset } from 'rnn-wasm/train';
import { trainAndPredict, trainAndPredictLarge } from './workload.ts';

const lib = { Sequential, Embedding, LSTM, Dropout, GRU, Linear };

/** The rnn.wasm build for a SIMD mode, as served beside this bundle. */
const wasmFor = (simd) => (simd === 'relaxed' ? './rnn-relaxed.wasm' : './rnn.wasm');

window.rnnTest = {
  /** init({ simd }) from the default location, then the shared workload. */
  async train(simd) {
    await init({ simd });
    return { info: runtimeInfo(), trace: await trainAndPredict(lib, { Trainer, textDataset, splitDataset }) };
  },

  /** On a cross-origin isolated page: the threaded build, the same run on 1 and on 2 threads. */
  async threads(simd) {
    await init({ simd });
    const info = runtimeInfo();
    const traces = [];
    for (const n of [1, 2]) {
      await setThreads(n);
      traces.push({ threads: runtimeInfo().threads, trace: await trainAndPredictLarge(lib, { Trainer, textDataset, splitDataset }) });
    }
    return { info, crossOriginIsolated: globalThis.crossOriginIsolated, traces };
  },

  /** A location that answers 404, then the right one: init() must fail clearly and stay retryable. */
  async missingThenRetry(simd) {
    let failure;
    try {
      await init({ simd, wasm: '/missing.wasm' });
    } catch (e) {
      failure = { isWasmLoadError: e instanceof WasmLoadError, name: e.name, message: e.message, initialized: isInitialized() };
    }
    await init({ simd, wasm: wasmFor(simd) });
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const { output } = lstm.forward([1, 2, 3, 4], { shape: [2, 2] });
    lstm.dispose();
    return { failure, info: runtimeInfo(), output };
  },
};
