/** A block of the arena a layer owns. @internal */
export interface Block { ptr: number; bytes: number }

/**
 * Named regions carved out of one arena block, each 64-byte aligned: the layout table of a
 * layer's activations for one (T, B). Offsets are computed here once, never by hand.
 * @internal
 */
export class Plan {
  base = 0;
  private offsets = new Map<string, number>();
  private end = 0;

  /** Add a region of `floats` f32 elements. */
  add(name: string, floats: number): this {
    this.offsets.set(name, this.end);
    this.end += Math.ceil((floats * 4) / 64) * 64;
    return this;
  }

  /** Total bytes. */
  get bytes(): number {
    return this.end;
  }

  /** Byte pointer of a region. */
  ptr(name: string): number {
    const o = this.offsets.get(name);
    if (o === undefined) throw new Error(`rnn-wasm internal error: no region "${name}" in this plan`);
    return this.base + o;
  }
}
