// Timing harness: warm each item up, calibrate how many calls make one ≥ 100 ms repetition,
// then run the repetitions round-robin over all items, so slow drifts of a shared, noisy
// machine (other jobs, frequency changes) hit every item alike instead of one block.
import { performance } from 'node:perf_hooks';

export interface Item {
  /** Unique key, used to look results up. */
  readonly key: string;
  /** One call of the work being timed. */
  readonly run: () => void;
  /** Work units (flops or tokens) one call does. */
  readonly work: number;
  /** Calls per repetition, set by warmUp. */
  calls: number;
  /** Seconds per call, one entry per repetition. */
  readonly samples: number[];
}

export interface Stats {
  /** Median seconds per call. */
  median: number;
  /** Fastest repetition, seconds per call. */
  min: number;
  /** work / median seconds. */
  rate: number;
  /** work / min seconds. */
  bestRate: number;
  reps: number;
  calls: number;
}

export const WARMUP_MS = 300;
export const REP_MS = 100;

export function item(key: string, work: number, run: () => void): Item {
  return { key, run, work, calls: 1, samples: [] };
}

/**
 * Run `it` for at least WARMUP_MS and at least 3 calls. V8 starts wasm in its baseline tier
 * (Liftoff) and swaps in TurboFan code for later calls once a function is hot, so the first
 * calls are slow; the per-call time of the last warm-up calls sets the calls per repetition.
 */
export function warmUp(it: Item): void {
  const t0 = performance.now();
  let n = 0;
  let last = Infinity;
  while (n < 3 || performance.now() - t0 < WARMUP_MS) {
    const t = performance.now();
    it.run();
    last = Math.min(performance.now() - t, n >= 1 ? last : Infinity); // ignore the first (baseline-tier) call
    n++;
  }
  it.calls = Math.max(1, Math.ceil(REP_MS / Math.max(last, 1e-3)));
}

/** One repetition of every item in turn, `reps` times. */
export function runRounds(items: readonly Item[], reps: number): void {
  for (let r = 0; r < reps; r++) {
    for (const it of items) {
      const t0 = performance.now();
      for (let c = 0; c < it.calls; c++) it.run();
      it.samples.push((performance.now() - t0) / 1000 / it.calls);
    }
  }
}

export function stats(it: Item): Stats {
  const s = [...it.samples].sort((a, b) => a - b);
  if (s.length === 0) throw new Error(`bench: ${it.key} was never timed`);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], rate: it.work / median, bestRate: it.work / s[0], reps: s.length, calls: it.calls };
}
