// @ts-nocheck: AssemblyScript, not TypeScript (compiled by asc; the root tsconfig includes bench/)
//
// f32x4 peak of this machine as V8 runs wasm SIMD: plain SIMD has no FMA (V8 emits a vmulps
// and a vaddps per step); the relaxed build's relaxed_madd is one vfmadd. N independent chains
// acc = acc + a·b, every operand in a register. Flops per call: iters × 4 steps × N chains ×
// 4 lanes × 2.
//
// Choices, each checked against the x64 code V8 generates (node --print-wasm-code):
// - a = the chain's own accumulator (acc += acc·b). With loop-invariant a and b every chain
//   would compute the same product, which Binaryen (local CSE, LICM) and TurboFan fold into
//   one mul, leaving only adds. acc·b differs per chain and per step, so every mul executes.
//   Chains stay independent of each other.
// - 4 steps per loop iteration: V8 puts an interrupt (stack) check and the loop counter in
//   every iteration; unrolling amortises them (about +5% over one step).
// - b is loaded from memory once: a splat of the eps parameter gets scheduled inside the loop
//   by TurboFan (a vbroadcastss on a vector port every iteration).
// - 12 chains fill 14 of x64's 15 allocatable xmm registers (12 + b + a temporary); 16 chains
//   spill a few accumulators per iteration. Both are run and the faster one is the peak.
// - eps (≈ 1e-8, passed in so nothing folds): acc·eps is below half an ulp of acc ≥ 1, so
//   acc stays at its start value: no overflow, no denormals (slow), for any iteration count.
//   The sum of the chains is returned, so the loop is live, and checked by the caller.

const B: usize = memory.data(16, 16);

// One step of a chain, acc + acc·b: a mul and an add, or in the relaxed-SIMD build (built to
// build/peak-relaxed.wasm with --enable relaxed-simd) one fused multiply-add, which V8 emits as
// vfmadd where the CPU has FMA. The relaxed peak is the ceiling of rnn-relaxed.wasm's kernels.
// @ts-ignore: decorator
@inline function step(c: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(c, b, c);
  return f32x4.add(c, f32x4.mul(c, b));
}

// 12 chains × 4 steps per iteration.
export function peak12(iters: i32, seed: f32, eps: f32): f32 {
  v128.store(B, f32x4.splat(eps));
  const b = v128.load(B); // a load, not the splat itself: see the header
  let c0 = f32x4.splat(seed + 0.0);
  let c1 = f32x4.splat(seed + 1.0);
  let c2 = f32x4.splat(seed + 2.0);
  let c3 = f32x4.splat(seed + 3.0);
  let c4 = f32x4.splat(seed + 4.0);
  let c5 = f32x4.splat(seed + 5.0);
  let c6 = f32x4.splat(seed + 6.0);
  let c7 = f32x4.splat(seed + 7.0);
  let c8 = f32x4.splat(seed + 8.0);
  let c9 = f32x4.splat(seed + 9.0);
  let c10 = f32x4.splat(seed + 10.0);
  let c11 = f32x4.splat(seed + 11.0);
  for (let n = 0; n < iters; n++) {
    // step 1 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    // step 2 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    // step 3 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    // step 4 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7))), f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// 16 chains × 4 steps per iteration.
export function peak16(iters: i32, seed: f32, eps: f32): f32 {
  v128.store(B, f32x4.splat(eps));
  const b = v128.load(B); // a load, not the splat itself: see the header
  let c0 = f32x4.splat(seed + 0.0);
  let c1 = f32x4.splat(seed + 1.0);
  let c2 = f32x4.splat(seed + 2.0);
  let c3 = f32x4.splat(seed + 3.0);
  let c4 = f32x4.splat(seed + 4.0);
  let c5 = f32x4.splat(seed + 5.0);
  let c6 = f32x4.splat(seed + 6.0);
  let c7 = f32x4.splat(seed + 7.0);
  let c8 = f32x4.splat(seed + 8.0);
  let c9 = f32x4.splat(seed + 9.0);
  let c10 = f32x4.splat(seed + 10.0);
  let c11 = f32x4.splat(seed + 11.0);
  let c12 = f32x4.splat(seed + 12.0);
  let c13 = f32x4.splat(seed + 13.0);
  let c14 = f32x4.splat(seed + 14.0);
  let c15 = f32x4.splat(seed + 15.0);
  for (let n = 0; n < iters; n++) {
    // step 1 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    c12 = step(c12, b);
    c13 = step(c13, b);
    c14 = step(c14, b);
    c15 = step(c15, b);
    // step 2 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    c12 = step(c12, b);
    c13 = step(c13, b);
    c14 = step(c14, b);
    c15 = step(c15, b);
    // step 3 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    c12 = step(c12, b);
    c13 = step(c13, b);
    c14 = step(c14, b);
    c15 = step(c15, b);
    // step 4 of 4
    c0 = step(c0, b);
    c1 = step(c1, b);
    c2 = step(c2, b);
    c3 = step(c3, b);
    c4 = step(c4, b);
    c5 = step(c5, b);
    c6 = step(c6, b);
    c7 = step(c7, b);
    c8 = step(c8, b);
    c9 = step(c9, b);
    c10 = step(c10, b);
    c11 = step(c11, b);
    c12 = step(c12, b);
    c13 = step(c13, b);
    c14 = step(c14, b);
    c15 = step(c15, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7))), f32x4.add(f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c12, c13), f32x4.add(c14, c15))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
