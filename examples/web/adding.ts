// The adding problem (Hochreiter & Schmidhuber 1997), as in examples/tasks/adding.ts: sequences of
// (value, marker) pairs with exactly two markers, one in each half; the target is the sum of the
// two marked values. Predicting the mean (1) scores MSE ≈ 0.167: a model must remember across
// the sequence, which is what the vanishing gradient makes hard.
import type { SequenceDataset } from 'rnn-wasm/train';

/** n sequences of length T: x [n, T, 2], y [n, 1]. Seeded. */
export function addingProblem(n: number, T: number, seed: number): SequenceDataset {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const x = new Float32Array(n * T * 2), y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) x[(i * T + t) * 2] = rand();
    const a = Math.floor(rand() * half), b = half + Math.floor(rand() * (T - half));
    x[(i * T + a) * 2 + 1] = 1;
    x[(i * T + b) * 2 + 1] = 1;
    y[i] = x[(i * T + a) * 2] + x[(i * T + b) * 2];
  }
  return { x, xShape: [n, T, 2], y, yShape: [n, 1] };
}
