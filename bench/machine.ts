// The machine beside every row. This is a shared VM: its two vCPUs sometimes act like one core
// (two busy threads each get half the time), and sometimes one vCPU is ~1.5× slower than the
// other on cache-heavy work while register-only work runs at the same speed on both. One peak,
// measured once, does not describe such a machine: a peak taken under load once made a row
// reach "113% of peak". So every compare() set of the bench (a row's training or inference
// systems) also times, in the same round-robin, these references:
//   peak 1    the f32x4 peak kernel (bench/peak.ts, the better chain count) on the main thread
//   peak N    the same kernel on N worker_threads at once: they are released together through
//             Atomics on a SharedArrayBuffer and the time runs until the last one has done its
//             fixed amount of work, so peak N ÷ peak 1 is the parallel capacity of the machine
//             right then (ideally N) for work that stays in registers
//   GEMM 1/N  rnn-wasm's own Linear forward [2048×512]·[512×512]ᵀ (+ bias) at 1 and N threads
//             (setThreads), a product big enough to split perfectly: GEMM N ÷ GEMM 1 is what a
//             perfectly parallel product gets on this machine right now, caches and memory
//             included
// A row's "% of peak" and every peak-based target use that set's own peak (peak N for a system
// on N threads), and a row's thread scaling is shown beside the two scalings of the references.
import { Worker } from 'node:worker_threads';
import { Linear, setThreads } from '../src/index.js';
import { getRuntime } from '../src/runtime/loader.js';
import type { Job, Result } from './compare.js';
import { median } from './compare.js';
import { randoms } from './gemm.js';
import { ITERS, peakBytes, peakExpect, peakFlops, peakItems, type Chains } from './peak.js';

/** The GEMM reference: Linear(512 → 512) forward on 2048 rows. */
export const GEMM_REF = { M: 2048, K: 512, N: 512 } as const;
const GEMM_FLOPS = 2 * GEMM_REF.M * GEMM_REF.K * GEMM_REF.N;

/** Repetitions of the references are this long (ms): 4 of them in every set, and the bench's budget is ~15 min. */
const REF_REP_MS = 100;

/** System names of the reference jobs (never shown as systems of a row). */
export const refName = {
  peak: (k: number) => `machine: peak ${k}`,
  gemm: (k: number) => `machine: GEMM ${k}`,
} as const;
export const isRef = (system: string): boolean => system.startsWith('machine: ');

/** A job on k threads of rnn-wasm: `setThreads(k)` (checked) before its timed calls, outside the time. */
export function onThreads(job: Job, k: number): Job {
  return {
    ...job, threads: k,
    time: async (calls) => {
      const got = await setThreads(k);
      if (got !== k) throw new Error(`bench: setThreads(${k}) returned ${got}`);
      return job.time(calls);
    },
  };
}

/** The references measured in one compare() set. Rates are flop/s (medians over the set's repetitions). */
export interface MachineRef {
  /** Threads of the parallel references (N). */
  n: number;
  peak1: number;
  peakN?: number;
  gemm1: number;
  gemmN?: number;
  /** peakN ÷ peak1 and gemmN ÷ gemm1: the machine's scaling at that moment. */
  peakScaling?: number;
  gemmScaling?: number;
  /** Of the peak N job: each worker's own seconds per call (medians), slowest ÷ fastest. */
  workerSpread?: number;
}

export interface Machine {
  readonly n: number;
  readonly chains: Chains;
  /** The reference jobs, to put into a compare() set. */
  jobs(): Job[];
  /** Read the references out of a set's results. */
  read(results: readonly Result[]): MachineRef;
  close(): Promise<void>;
}

// Each worker: its own instance of the peak kernel; waits on GEN, runs CALLS calls, writes its
// own elapsed ms into TIMES[idx], counts itself into DONE (the last one wakes the main thread).
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { bytes, fn, iters, expect, ctl, times, idx, n } = workerData;
const f = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports[fn];
const c = new Int32Array(ctl), t = new Float64Array(times);
let gen = Atomics.load(c, 0);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(c, 0, gen);
  gen = Atomics.load(c, 0);
  if (Atomics.load(c, 2) === 1) break;
  const calls = Atomics.load(c, 1);
  const t0 = performance.now();
  let bad = 0;
  for (let i = 0; i < calls; i++) { const s = f(iters, 1, 1e-8); if (Math.abs(s - expect) > 1e-3 * expect) bad = s; }
  t[idx] = bad ? -1 : performance.now() - t0;
  if (Atomics.add(c, 3, 1) + 1 === n) Atomics.notify(c, 3);
}`;
const GEN = 0, CALLS = 1, EXIT = 2, DONE = 3;

/** Start N peak workers and build the GEMM reference; `chains`: the better chain count of this run's peak. */
export async function startMachine(n: number, relaxed: boolean, chains: Chains): Promise<Machine> {
  const peakItem = (await peakItems(relaxed)).find((it) => it.key === `peak${chains}`)!;
  const bytes = await peakBytes(relaxed);
  const ctl = new SharedArrayBuffer(4 * 4), times = new SharedArrayBuffer(8 * n);
  const c = new Int32Array(ctl), t = new Float64Array(times);
  const workers: Worker[] = [];
  if (n > 1) {
    await Promise.all(Array.from({ length: n }, (_, idx) => new Promise<void>((resolve, reject) => {
      const w = new Worker(WORKER, { eval: true, workerData: { bytes, fn: `peak${chains}`, iters: ITERS, expect: peakExpect(chains), ctl, times, idx, n } });
      w.once('message', () => { w.unref(); resolve(); }); // (unref'd only once ready: a pending start keeps Node alive)
      w.once('error', reject);
      workers.push(w);
    })));
  }
  const perWorker: number[][] = Array.from({ length: n }, () => []);
  const peakN: Job = {
    repMs: REF_REP_MS,
    system: refName.peak(n), tokens: n * peakFlops(chains), threads: n, note: `${n} worker_threads, each peak${chains} × calls, released together`,
    time: async (calls) => {
      Atomics.store(c, DONE, 0);
      Atomics.store(c, CALLS, calls);
      const t0 = performance.now();
      Atomics.add(c, GEN, 1);
      Atomics.notify(c, GEN);
      for (let d = Atomics.load(c, DONE); d < n; d = Atomics.load(c, DONE)) Atomics.wait(c, DONE, d);
      const sec = (performance.now() - t0) / 1000 / calls;
      for (let i = 0; i < n; i++) {
        if (t[i] < 0) throw new Error(`bench: the peak kernel on worker ${i} returned a wrong sum`);
        perWorker[i].push(t[i] / 1000 / calls);
      }
      return sec;
    },
  };
  const peak1: Job = {
    repMs: REF_REP_MS,
    system: refName.peak(1), tokens: peakItem.work, threads: 1, note: `peak${chains} on the main thread`,
    time: async (calls) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) peakItem.run();
      return (performance.now() - t0) / 1000 / calls;
    },
  };

  // GEMM: the layer's kernel straight on wasm memory (runForward), so no copy of the 4 MB
  // input or output is in the time (a serial part that would blur the scaling)
  const { M, K, N } = GEMM_REF;
  const linear = new Linear({ inFeatures: K, outFeatures: N, seed: 7 });
  const arena = getRuntime().arena;
  const xPtr = arena.alloc(M * K * 4, 'bench GEMM reference input');
  arena.f32(xPtr, M * K).set(randoms(M * K, 5));
  const gemmCall = (calls: number) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) linear.runForward(xPtr, M);
    return (performance.now() - t0) / 1000 / calls;
  };
  const gemm = (k: number): Job => onThreads({
    repMs: REF_REP_MS,
    system: refName.gemm(k), tokens: GEMM_FLOPS, note: `Linear(${K}→${N}) forward on ${M} rows, ${k} thread${k > 1 ? 's' : ''}`,
    time: async (calls) => gemmCall(calls),
  }, k);

  return {
    n, chains,
    jobs: () => {
      for (const w of perWorker) w.length = 0;
      return n > 1 ? [peak1, peakN, gemm(1), gemm(n)] : [peak1, gemm(1)];
    },
    read(results) {
      const rate = (s: string) => results.find((r) => r.system === s)?.tokPerSec;
      const p1 = rate(refName.peak(1))!, g1 = rate(refName.gemm(1))!;
      const pN = n > 1 ? rate(refName.peak(n)) : undefined, gN = n > 1 ? rate(refName.gemm(n)) : undefined;
      const w = perWorker.filter((x) => x.length).map((x) => median(x));
      return {
        n, peak1: p1, gemm1: g1, peakN: pN, gemmN: gN,
        peakScaling: pN && pN / p1, gemmScaling: gN && gN / g1,
        workerSpread: w.length > 1 ? Math.max(...w) / Math.min(...w) : undefined,
      };
    },
    async close() {
      if (workers.length) {
        Atomics.store(c, EXIT, 1);
        Atomics.add(c, GEN, 1);
        Atomics.notify(c, GEN);
        await Promise.all(workers.map((w) => w.terminate()));
      }
      linear.dispose();
      arena.free(xPtr);
    },
  };
}

/** Split a set's results into the systems and the machine's references. */
export function splitRefs(machine: Machine, results: Result[]): { systems: Result[]; machine: MachineRef } {
  return { systems: results.filter((r) => !isRef(r.system)), machine: machine.read(results) };
}

/** The peak a result on k threads is measured against: that set's peak 1 or peak N. */
export const peakFor = (m: MachineRef, threads = 1): number => (threads > 1 && m.peakN ? m.peakN : m.peak1);
