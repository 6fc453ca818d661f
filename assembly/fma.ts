// a·b + c on four lanes. The relaxed-SIMD build (rnn-relaxed.wasm) uses f32x4.relaxed_madd,
// which engines compile to a fused multiply-add where the CPU has one (one rounding, twice the
// throughput of a separate mul and add); the plain build keeps mul then add. The choice is a
// compile-time constant, so each binary contains exactly one of the two.
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
