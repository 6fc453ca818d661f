/**
 * The parity metric of DESIGN.md §5, per tensor:
 *   max_i |ours_i − ref_i| / (|ref_i| + max(1e-3, 0.1 · rms(ref)))
 * A gate-order or layout bug gives > 1e-2; float32 arithmetic gives ~1e-5.
 */
export function parityError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (ours.length !== ref.length) throw new Error(`length mismatch: ours ${ours.length}, reference ${ref.length}`);
  let ss = 0;
  for (let i = 0; i < ref.length; i++) ss += ref[i] * ref[i];
  const floor = Math.max(1e-3, 0.1 * Math.sqrt(ss / Math.max(1, ref.length)));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(ours[i] - ref[i]) / (Math.abs(ref[i]) + floor);
    if (!(e <= worst)) worst = e; // NaN propagates as the worst
  }
  return worst;
}

export const PARITY_TOLERANCE = 1e-4;
