// Harness for the comparison rows: every system of a row is warmed up, then timed in
// interleaved repetitions (ours, TF.js, brain.js, PyTorch, ours, …) so that the noise of a
// shared machine falls on all of them alike; medians are reported. Unlike timing.ts this one
// is asynchronous (TF.js training returns promises, PyTorch answers over a pipe) and budgets
// slow systems by time: a 6-second TF.js step gets fewer repetitions, never fewer than MIN_REPS.
import { performance } from 'node:perf_hooks';

export interface Job {
  /** System: 'rnn-wasm', 'TF.js wasm', 'brain.js', 'PyTorch', … */
  readonly system: string;
  /** Tokens (batch × timesteps) one call processes. */
  readonly tokens: number;
  /** Run `calls` calls back to back and return seconds per call (measured by the system's side). */
  readonly time: (calls: number) => Promise<number>;
  /** How the call is made, for the report. */
  readonly note?: string;
  /** Threads the system runs on (1 when not said). */
  readonly threads?: number;
  /**
   * Seconds per call measured just before by steps that warmed the job up (a ~40 s call whose
   * check steps were its warm-up): no warm-up calls are made, this sizes its repetitions.
   */
  readonly warmedUp?: () => number;
  /** At most this many repetitions (a slow peer, when the row's goal leaves a wide margin). */
  readonly maxReps?: number;
  /** Length of one repetition, ms (default REP_MS). */
  readonly repMs?: number;
}

export interface Result {
  readonly system: string;
  readonly tokens: number;
  /** Median seconds per call. */
  readonly median: number;
  /** Fastest repetition, seconds per call. */
  readonly min: number;
  /** tokens / median. */
  readonly tokPerSec: number;
  readonly reps: number;
  readonly calls: number;
  readonly note?: string;
  readonly threads?: number;
  /** Seconds per call, one per repetition, in the order taken. */
  readonly samples: readonly number[];
}

/** Per-call overrides of the repetition bounds (a row whose slow peer takes ~40 s a call). */
export interface CompareOptions {
  minReps?: number;
  maxReps?: number;
}

export const WARM_MS = 500;
/** A warm-up stops after this long even below WARM_CALLS (a slow peer's later calls are rep 1…). */
export const WARM_MAX_MS = 10_000;
export const WARM_CALLS = 3;
export const REP_MS = 200;
export const MIN_REPS = 3;
export const MAX_REPS = 7;
/** Timed repetitions of one job stop adding up after this (MIN_REPS are always run). */
export const JOB_BUDGET_MS = 4_000;

/** A job from a synchronous call (timed here, with performance.now()). */
export function syncJob(system: string, tokens: number, run: () => void, note?: string): Job {
  return {
    system, tokens, note,
    time: async (calls) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) run();
      return (performance.now() - t0) / 1000 / calls;
    },
  };
}

/** A job from an asynchronous call (awaited; the await is part of the time, as for a user). */
export function asyncJob(system: string, tokens: number, run: () => Promise<unknown>, note?: string): Job {
  return {
    system, tokens, note,
    time: async (calls) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await run();
      return (performance.now() - t0) / 1000 / calls;
    },
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warm every job up (V8 tiers up JS and wasm over the first calls; TF.js also builds its
 * graph and caches kernels), size its repetitions, then run the repetitions round-robin.
 */
export async function compare(jobs: readonly Job[], log: (s: string) => void = () => {}, options: CompareOptions = {}): Promise<Result[]> {
  const minReps = options.minReps ?? MIN_REPS, maxReps = options.maxReps ?? MAX_REPS;
  const plan = [];
  for (const job of jobs) {
    const t0 = performance.now();
    let n = 0, last = job.warmedUp?.() ?? Infinity;
    while (!job.warmedUp && (n < WARM_CALLS && (n < 1 || performance.now() - t0 < WARM_MAX_MS) || performance.now() - t0 < WARM_MS)) {
      last = await job.time(1);
      n++;
    }
    const calls = Math.max(1, Math.round((job.repMs ?? REP_MS) / 1000 / last));
    const reps = Math.min(job.maxReps ?? Infinity, Math.max(minReps, Math.min(maxReps, Math.floor(JOB_BUDGET_MS / 1000 / (last * calls)))));
    plan.push({ job, calls, reps, samples: [] as number[] });
    log(`  warm ${job.system}: ${n} calls, last ${(last * 1e3).toFixed(1)} ms → ${reps} reps × ${calls} calls`);
  }
  const rounds = Math.max(...plan.map((p) => p.reps));
  for (let r = 0; r < rounds; r++) {
    for (const p of plan) if (p.samples.length < p.reps) p.samples.push(await p.job.time(p.calls));
  }
  return plan.map(({ job, calls, samples }) => {
    const med = median(samples);
    return {
      system: job.system, tokens: job.tokens, median: med, min: Math.min(...samples),
      tokPerSec: job.tokens / med, reps: samples.length, calls, note: job.note, threads: job.threads ?? 1, samples,
    };
  });
}

export { median };
