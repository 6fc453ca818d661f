/**
 * A small seedable PRNG (mulberry32: 32-bit state, full period 2^32), so that weight
 * initialisation and dropout masks are reproducible from a `seed`.
 * @internal
 */
export class Rng {
  // in a typed array: a uint32 beyond 2³⁰ in an object field would be a new heap number per draw
  private readonly s = new Uint32Array(1);

  constructor(seed: number) {
    this.s[0] = seed >>> 0;
  }

  /** The generator's state (for checkpoints). */
  get state(): number {
    return this.s[0];
  }

  set state(value: number) {
    this.s[0] = value >>> 0;
  }

  /** A random seed when the user gave none. */
  static randomSeed(): number {
    return Math.floor(Math.random() * 2 ** 32) >>> 0;
  }

  /** Next uint32. */
  nextU32(): number {
    let t = (this.s[0] = (this.s[0] + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  // U(lo, hi) fills run in wasm (uniform_fill), on this same sequence: lo + (hi − lo)·next().

  /** Fill `out` with N(0, 1) (Box–Muller). */
  normal(out: Float32Array): void {
    for (let i = 0; i < out.length; i += 2) {
      const u = 1 - this.next(), v = this.next();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
  }
}
