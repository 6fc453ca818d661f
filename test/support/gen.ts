// A seeded generator for property tests (xorshift32): reproducible cases, so a failing case's seed
// in the assertion message replays it.
export class Gen {
  constructor(private s: number) {
    if (!this.s) this.s = 1;
  }
  u32(): number { let s = this.s; s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; this.s = s; return s; }
  int(lo: number, hi: number): number { return lo + (this.u32() % (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[this.u32() % xs.length]; }
  chance(p: number): boolean { return this.u32() / 2 ** 32 < p; }
  /** n values in (−1, 1) as float32. */
  floats(n: number): Float32Array { return Float32Array.from({ length: n }, () => this.u32() / 2 ** 31 - 1); }
}
