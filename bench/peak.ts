// The machine's f32x4 peak, from the microkernel in bench/assembly/peak.ts (built by
// `npm run build:bench`): mul+add chains in build/peak.wasm, fused multiply-add chains in
// build/peak-relaxed.wasm, the ceiling of the plain and the relaxed kernels respectively.
// bench/machine.ts runs the same kernel on N worker threads at once (the parallel peak).
import { readFile } from 'node:fs/promises';
import { item, type Item } from './timing.js';

export const CHAINS = [12, 16] as const;
export type Chains = (typeof CHAINS)[number];
/** Mul+add steps per chain per loop iteration (the unrolling in peak.ts). */
export const STEPS = 4;
// ~2.5 ms per call at ~40 GFLOP/s: short enough that warm-up makes many calls (so TurboFan
// code is in place), long enough that call overhead is noise.
export const ITERS = 1 << 18;

/** Flops of one call of the n-chain kernel. */
export const peakFlops = (n: number): number => ITERS * STEPS * n * 4 * 2;
/**
 * What the n-chain kernel returns: eps = 1e-8 keeps every accumulator at its start value (see
 * peak.ts), so the sum of the chains is known; checking it means a miscompiled or
 * dead-code-eliminated kernel cannot pass silently.
 */
export const peakExpect = (n: number): number => n * 4 * (1 + (n - 1) / 2);

/** The bytes of build/peak.wasm (or build/peak-relaxed.wasm). */
export async function peakBytes(relaxed: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(relaxed ? '../build/peak-relaxed.wasm' : '../build/peak.wasm', import.meta.url);
  try {
    const buf = await readFile(url);
    return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new Error(`bench: cannot read ${url.pathname} (${(e as Error).message}); run \`npm run build:bench\` first`);
  }
}

export async function peakItems(relaxed: boolean): Promise<Item[]> {
  const bytes = await peakBytes(relaxed);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const exports = instance.exports as Record<string, unknown>;
  return CHAINS.map((n) => {
    const f = exports[`peak${n}`] as (iters: number, seed: number, eps: number) => number;
    if (typeof f !== 'function') throw new Error(`bench: build/peak*.wasm has no export peak${n}; rebuild it (npm run build:bench)`);
    const expect = peakExpect(n);
    return item(`peak${n}`, peakFlops(n), () => {
      const s = f(ITERS, 1, 1e-8);
      if (Math.abs(s - expect) > 1e-3 * expect) throw new Error(`bench: peak${n} returned ${s}, expected ${expect}`);
    });
  });
}
