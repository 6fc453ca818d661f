// A short tour of the layers without the Trainer:
// a 2-layer LSTM learns to output, at every step, the running mean of its input, with
// plain full-batch gradient descent written out by hand over forward/backward.
//   npx tsx examples/layers.ts
import { init, LSTM } from '../src/index.js';

await init();

const T = 20, B = 16, I = 1, H = 16;
const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 42 });

// inputs: uniform in [−1, 1]; target at step t: the mean of x_0..x_t (read off h's first unit)
let s = 7;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const x = Float32Array.from({ length: T * B * I }, rand);
const target = new Float32Array(T * B);
for (let b = 0; b < B; b++) {
  let sum = 0;
  for (let t = 0; t < T; t++) target[t * B + b] = (sum += x[t * B + b]) / (t + 1);
}

const lr = 2;
const t0 = performance.now();
for (let step = 0; step <= 300; step++) {
  const { output } = lstm.forward(x, { shape: [T, B, I] });
  // loss = mean over (t, b) of (h[t, b, 0] − target)²; its gradient only touches unit 0
  const dOut = new Float32Array(output.length);
  let loss = 0;
  for (let r = 0; r < T * B; r++) {
    const e = output[r * H] - target[r];
    loss += (e * e) / (T * B);
    dOut[r * H] = (2 * e) / (T * B);
  }
  lstm.zeroGrad();
  lstm.backward(dOut);
  for (const p of lstm.namedParameters()) {
    const w = p.data, g = p.grad;
    for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
  }
  if (step % 50 === 0) console.log(`step ${String(step).padStart(3)}  mse ${loss.toFixed(5)}`);
}
const ms = performance.now() - t0;
console.log(`301 forward+backward passes of a 2-layer LSTM (T=${T}, B=${B}, H=${H}) in ${ms.toFixed(0)} ms`);
console.log('parameters:', Object.entries(lstm.parameterShapes()).map(([k, v]) => `${k} [${v}]`).join(', '));
lstm.dispose();
