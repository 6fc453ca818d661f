// Moving sequences between the caller's layout and the time-major [T, B, F] the kernels use.
// Batch-first callers give [B, T, F]; everything else is already time-major.

/** @internal caller layout → time-major [T, B, F] (dst is typically a view of wasm memory). */
export function toTimeMajor(dst: Float32Array, src: ArrayLike<number>, T: number, B: number, F: number, batchFirst: boolean): void {
  if (!batchFirst) {
    dst.set(src);
    return;
  }
  const typed = ArrayBuffer.isView(src) ? (src as Float32Array) : undefined;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const s = (b * T + t) * F, d = (t * B + b) * F;
      if (typed) dst.set(typed.subarray(s, s + F), d);
      else for (let f = 0; f < F; f++) dst[d + f] = src[s + f];
    }
  }
}

/** @internal time-major [T, B, F] → the caller's layout. */
export function fromTimeMajor(dst: Float32Array, src: Float32Array, T: number, B: number, F: number, batchFirst: boolean): void {
  if (!batchFirst) {
    dst.set(src);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) dst.set(src.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
  }
}

/** @internal The caller's (batch-first) index of element i of a time-major [T, B, F] buffer: for messages. */
export function batchFirstIndex(i: number, T: number, B: number, F: number): number {
  const row = Math.floor(i / F), t = Math.floor(row / B), b = row % B;
  return (b * T + t) * F + (i % F);
}
