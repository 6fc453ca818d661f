import { OutOfMemoryError } from '../errors.js';

const PAGE = 65536;
const ALIGN = 64; // a cache line; also keeps every block f32x4-aligned
/** Largest wasm32 memory: 65,536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 65536 * PAGE;

interface Span { ptr: number; bytes: number }

/**
 * The one memory arena: a first-fit allocator with coalescing over the wasm module's
 * linear memory. Parameters, gradients and saved activations of every layer live here;
 * the kernels only ever see byte offsets into it.
 *
 * Views (`f32`) are made fresh on each call, so a `memory.grow` (which detaches the old
 * `ArrayBuffer`) can never leave the library reading a stale view.
 * @internal
 */
export class Arena {
  private free_: Span[] = []; // sorted by ptr, never adjacent (coalesced)
  private used = new Map<number, number>();
  private top: number;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = align(base);
  }

  /** Bytes currently handed out. */
  get allocatedBytes(): number {
    let n = 0;
    for (const b of this.used.values()) n += b;
    return n;
  }

  /** Size of the wasm memory in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserve `bytes` (rounded up to 64), growing memory if needed. Throws OutOfMemoryError. */
  alloc(bytes: number, what: string): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new OutOfMemoryError(`${what}: invalid allocation size ${bytes}`);
    }
    const size = Math.max(ALIGN, align(bytes));
    if (size > MAX_MEMORY_BYTES) {
      throw new OutOfMemoryError(
        `${what} needs ${mib(size)} but WebAssembly (32-bit) memory is at most 4096 MiB; use smaller shapes (batch × time × hidden)`,
      );
    }
    for (let i = 0; i < this.free_.length; i++) {
      const s = this.free_[i];
      if (s.bytes >= size) {
        const ptr = s.ptr;
        if (s.bytes === size) this.free_.splice(i, 1);
        else { s.ptr += size; s.bytes -= size; }
        this.used.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    this.ensure(ptr + size, what);
    this.top = ptr + size;
    this.used.set(ptr, size);
    return ptr;
  }

  /** Return a block. Freeing 0 is a no-op; freeing an unknown pointer throws (a library bug). */
  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`rnn-wasm internal error: free of unknown block ${ptr}`);
    this.used.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      // the block below the top may now be the last one: fold it in too
      const last = this.free_[this.free_.length - 1];
      if (last && last.ptr + last.bytes === this.top) {
        this.top = last.ptr;
        this.free_.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free_.length && this.free_[i].ptr < ptr) i++;
    this.free_.splice(i, 0, { ptr, bytes: size });
    const next = this.free_[i + 1];
    if (next && ptr + size === next.ptr) {
      this.free_[i].bytes += next.bytes;
      this.free_.splice(i + 1, 1);
    }
    const prev = this.free_[i - 1];
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += this.free_[i].bytes;
      this.free_.splice(i, 1);
    }
  }

  /** A fresh Float32Array view of `length` floats at `ptr`. Valid until memory next grows. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  private ensure(end: number, what: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new OutOfMemoryError(
        `${what}: could not grow WebAssembly memory from ${mib(have)} to ${mib(have + pages * PAGE)} ` +
          `(the engine refused: ${(cause as Error).message}); use smaller shapes or dispose() unused layers`,
        { cause },
      );
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
