// Worst-case absolute error of the wasm tanh and sigmoid against float64, over every
// finite float32 input (or every `stride`-th bit pattern when a stride is given).
//   npx tsx tools/activation-accuracy.ts          exhaustive, ~2 minutes
//   npx tsx tools/activation-accuracy.ts 997      every 997th pattern, seconds
import { init } from '../src/index.js';
import { getRuntime } from '../src/runtime/loader.js';
import { ACT } from '../src/runtime/kernels.js';

export interface Accuracy { tanh: Worst; sigmoid: Worst; count: number }
interface Worst { err: number; at: number }

/** Sweep float32 bit patterns with the given stride, both signs, skipping NaN patterns. */
export async function measure(stride = 1): Promise<Accuracy> {
  await init();
  const { kernels: k, arena } = getRuntime();
  const CHUNK = 1 << 20;
  const src = arena.alloc(CHUNK * 4, 'accuracy in');
  const dst = arena.alloc(CHUNK * 4, 'accuracy out');
  const bits = new Uint32Array(CHUNK);
  const xs = new Float32Array(bits.buffer);
  const worst = { tanh: { err: 0, at: 0 }, sigmoid: { err: 0, at: 0 } };
  let count = 0;
  const LAST = 0x7f800000; // +Infinity; patterns above are NaN
  for (const sign of [0, 0x80000000]) {
    for (let start = 0; start <= LAST; start += CHUNK * stride) {
      let n = 0;
      for (let b = start; n < CHUNK && b <= LAST; b += stride) bits[n++] = (b | sign) >>> 0;
      count += n;
      arena.f32(src, n).set(xs.subarray(0, n));
      for (const name of ['tanh', 'sigmoid'] as const) {
        k.activate(dst, src, n, ACT[name]);
        const out = arena.f32(dst, n);
        const w = worst[name];
        for (let i = 0; i < n; i++) {
          const x = xs[i];
          const ref = name === 'tanh' ? Math.tanh(x) : 1 / (1 + Math.exp(-x));
          const e = Math.abs(out[i] - ref);
          if (!(e <= w.err)) { w.err = e; w.at = x; }
        }
      }
    }
  }
  arena.free(src);
  arena.free(dst);
  return { ...worst, count };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stride = Number(process.argv[2] ?? 1);
  const t0 = performance.now();
  const r = await measure(stride);
  console.log(`inputs checked: ${r.count.toLocaleString('en')} (stride ${stride}, both signs, ±0 … ±Infinity)`);
  console.log(`tanh    worst |error| ${r.tanh.err.toExponential(3)} at x = ${r.tanh.at}`);
  console.log(`sigmoid worst |error| ${r.sigmoid.err.toExponential(3)} at x = ${r.sigmoid.at}`);
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
