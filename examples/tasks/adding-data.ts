// The adding problem's data (Hochreiter & Schmidhuber 1997): a sequence of (value, marker) pairs, values
// uniform in [0, 1], exactly two markers set — one in the first half, one in the second; the
// target is the sum of the two marked values. Always predicting 1 scores MSE ≈ 0.167, so a model
// must carry information across up to T steps: a test of the vanishing gradient.
// Imports nothing at run time, so the browser demo (examples/web/) bundles it too.
import type { SequenceDataset } from '../../src/train/index.js';

/** n sequences of length T, batch-major: x [n, T, 2], y [n, 1]. Seeded. */
export function addingProblem(n: number, T: number, seed: number): SequenceDataset {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const x = new Float32Array(n * T * 2), y = new Float32Array(n);
  const half = Math.max(1, Math.floor(T / 2));
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) x[(i * T + t) * 2] = rand();
    const a = Math.floor(rand() * half);
    const b = half + Math.floor(rand() * (T - half));
    x[(i * T + a) * 2 + 1] = 1;
    x[(i * T + b) * 2 + 1] = 1;
    y[i] = x[(i * T + a) * 2] + x[(i * T + b) * 2];
  }
  return { x, xShape: [n, T, 2], y, yShape: [n, 1] };
}
