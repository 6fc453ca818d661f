// What the bench loads of TensorFlow.js, bundled by esbuild (bench/peers/tfjs.ts) from the
// packages' ES modules, as a browser app's bundler does. Not the packages' Node builds
// ("main"): tfjs-core's registers no chained ops, which tfjs-layers needs (`flatten()` in its
// default orthogonal initializer) and which only the `@tensorflow/tfjs` umbrella package
// adds. The gradients come with tfjs-layers' ES build; importing them here too is a no-op.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';

export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';
export { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
