// The machine's f32x4 peak, from the microkernel in bench/assembly/peak.ts (built by
// `npm run build:bench`): mul+add chains in build/peak.wasm, fused multiply-add chains in
// build/peak-relaxed.wasm, the ceiling of the plain and the relaxed kernels respectively.
import { readFile } from 'node:fs/promises';
import { item, type Item } from './timing.js';

export const CHAINS = [12, 16] as const;
/** Mul+add steps per chain per loop iteration (the unrolling in peak.ts). */
export const STEPS = 4;
// ~2.5 ms per call at ~40 GFLOP/s: short enough that warm-up makes many calls (so TurboFan
// code is in place), long enough that call overhead is noise.
export const ITERS = 1 << 18;

export async function peakItems(relaxed: boolean): Promise<Item[]> {
  const url = new URL(relaxed ? '../build/peak-relaxed.wasm' : '../build/peak.wasm', import.meta.url);
  let bytes: ArrayBuffer;
  try {
    const buf = await readFile(url);
    bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  } catch (e) {
    throw new Error(`bench: cannot read ${url.pathname} (${(e as Error).message}); run \`npm run build:bench\` first`);
  }
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const exports = instance.exports as Record<string, unknown>;
  return CHAINS.map((n) => {
    const f = exports[`peak${n}`] as (iters: number, seed: number, eps: number) => number;
    if (typeof f !== 'function') throw new Error(`bench: ${url.pathname} has no export peak${n}; rebuild it`);
    // eps = 1e-8 keeps every accumulator at its start value (see peak.ts); check the result so
    // a miscompiled or dead-code-eliminated kernel cannot pass silently.
    const expect = n * 4 * (1 + (n - 1) / 2);
    return item(`peak${n}`, ITERS * STEPS * n * 4 * 2, () => {
      const s = f(ITERS, 1, 1e-8);
      if (Math.abs(s - expect) > 1e-3 * expect) throw new Error(`bench: peak${n} returned ${s}, expected ${expect}`);
    });
  });
}
