// Threads. The threaded builds (rnn-threads*.wasm: --enable threads, shared imported memory) are
// instantiated once by the caller and once per worker, all on the same memory; globals stay
// per instance. A parallel kernel is SPMD: every thread taking part runs the same task with its
// index `tid` of `n`, works on a share that is its alone (batch rows, output tiles, columns) and
// meets the others at barriers between phases. No share is ever summed with another, so every
// number a kernel writes is computed by the same instructions in the same order whatever n is:
// results are bit-identical for any thread count, and to the single-threaded build.
//
// The single-threaded builds compile the same kernels with n = 1: run() calls the task directly,
// barrier() is nothing, and no atomic instruction is emitted.

import { runTask } from './tasks';

// A clock (ms, the host's performance.now()), imported by the threaded builds only: shares follow
// the threads' measured speeds (see CUT).
// @ts-ignore: decorator
@external("env", "now") declare function now(): f64;

// The job block, shared by all instances through memory. Words written by different threads sit
// on different cache lines.
const BLOCK: usize = memory.data(5 * 64, 64);
const JOB_GEN: usize = BLOCK; // bumped by the caller for each job; idle workers wait on it
const JOB_TASK: usize = BLOCK + 64; // the job: task id, threads taking part, exit flag
const JOB_N: usize = BLOCK + 68;
const JOB_EXIT: usize = BLOCK + 72;
const JOB_LEFT: usize = BLOCK + 128; // workers that have not finished the job
const BAR_COUNT: usize = BLOCK + 192; // threads arrived at the current barrier
const BAR_GEN: usize = BLOCK + 256; // barriers passed; waiters wait on it

/** The arguments of the running task (see tasks.ts), written by the caller before the job starts. */
export const ARGS: usize = memory.data(256, 64);

// Shares follow speed. Cores are rarely equal: efficiency and performance cores, a neighbour on a
// shared host, a browser's main thread that also renders. Equal shares would make every phase as
// slow as its slowest thread, so the caller sizes them by each thread's measured speed:
//   CUT   [n + 1] f64: thread t's shares start at fraction CUT[t] of every phase's work (written
//         by the caller before the job, read by all: every thread computes the same shares)
//   BUSY  per thread, f64 on its own line: ms spent on its shares this job (barrier waits excluded)
//   DONE  per thread, f64: the fraction of the job's main phase (a time loop's rows, a product's
//         rows) it did, as its shares came out after rounding to whole units
//   SPEED [MAX_THREADS] f64: the caller's running estimate of each thread's relative speed
// Where a row or a tile goes never changes what is computed for it, only which thread does it.
const MAX_THREADS: i32 = 64;
const CUT: usize = memory.data(8 * (MAX_THREADS + 1), 64);
const BUSY: usize = memory.data(64 * MAX_THREADS, 64);
const DONE: usize = BUSY + 8;
const SPEED: usize = memory.data(8 * MAX_THREADS, 64);
// This thread's clock for BUSY: when its current share began, and the time spent so far.
let shareBegan: f64 = 0;
let busy: f64 = 0;

// Jobs that ran on more than one thread (tests check that a kernel did split).
let splitJobs: i32 = 0;
export function split_jobs(): i32 {
  return splitJobs;
}

// Threads the caller may use, itself included (set_pool). Per instance: only the caller's counts.
let pool: i32 = 1;
// Whether this thread may sleep in memory.atomic.wait32: not on a browser's main thread, where
// it traps; there it spins.
let mayBlock: bool = true;
// How long a waiting thread spins before it sleeps. A training step is a few jobs with a little
// serial work between them (the loss, the optimizer, JavaScript), and waking a sleeping thread
// costs tens of microseconds (milliseconds now and then on a busy host): a worker that keeps
// spinning through those gaps starts the next job at once. Longer waits sleep.
const SPIN_MS: f64 = 1;

// The threads the caller may use (1 in the single-threaded builds).
export function set_pool(n: i32): void {
  pool = ASC_FEATURE_THREADS ? max(1, n) : 1;
}

export function pool_size(): i32 {
  return pool;
}

// 0 on a browser's main thread (spin instead of sleeping).
export function set_may_block(v: i32): void {
  mayBlock = v != 0;
}

// Run `task` on min(n, pool) threads, the caller as thread 0; returns when every thread is done.
export function run(task: i32, n: i32): void {
  n = min(n, pool);
  if (!ASC_FEATURE_THREADS || n <= 1) {
    runTask(task, 0, 1);
    return;
  }
  splitJobs++;
  cutBySpeed(n);
  store<i32>(JOB_TASK, task);
  store<i32>(JOB_N, n);
  atomic.store<i32>(JOB_LEFT, n - 1);
  atomic.add<i32>(JOB_GEN, 1); // sequentially consistent: publishes the job and its arguments
  atomic.notify(JOB_GEN, -1);
  runTimed(task, 0, n);
  let left = atomic.load<i32>(JOB_LEFT);
  if (left != 0) {
    const began = now();
    let spins = 0;
    while (left != 0) {
      if (mayBlock && (++spins & 1023) == 0 && now() - began > SPIN_MS) memory.atomic.wait32(JOB_LEFT, left, -1);
      left = atomic.load<i32>(JOB_LEFT);
    }
  }
  learnSpeeds(n);
}

// A thread's part of a job, its time on its shares kept in BUSY (barrier() stops and restarts it).
function runTimed(task: i32, tid: i32, n: i32): void {
  store<f64>(DONE + (<usize>tid << 6), -1);
  busy = 0;
  shareBegan = now();
  runTask(task, tid, n);
  store<f64>(BUSY + (<usize>tid << 6), busy + (now() - shareBegan));
}

// CUT from SPEED: shares in proportion to the threads' speeds.
function cutBySpeed(n: i32): void {
  let total: f64 = 0;
  for (let t = 0; t < n; t++) total += speedOf(t);
  let acc: f64 = 0;
  for (let t = 0; t < n; t++) {
    store<f64>(CUT + (<usize>t << 3), acc / total);
    acc += speedOf(t);
  }
  store<f64>(CUT + (<usize>n << 3), 1);
}

// @ts-ignore: decorator
@inline function speedOf(t: i32): f64 {
  const s = load<f64>(SPEED + (<usize>t << 3));
  return s > 0 ? s : 1;
}

// After a job: each thread's speed is the fraction of the main phase it did per ms; SPEED moves a
// quarter of the way to it (relative to the job's mean, so jobs of any size count alike). Jobs too
// short to time, or whose main phase did not say how it was shared, teach nothing.
function learnSpeeds(n: i32): void {
  let mean: f64 = 0;
  for (let t = 0; t < n; t++) {
    const done = load<f64>(DONE + (<usize>t << 6)), ms = load<f64>(BUSY + (<usize>t << 6));
    if (done <= 0 || ms < 0.05) return;
    mean += done / ms;
  }
  mean /= n;
  let total: f64 = 0;
  for (let t = 0; t < n; t++) {
    const rate = load<f64>(DONE + (<usize>t << 6)) / load<f64>(BUSY + (<usize>t << 6)) / mean;
    const s = 0.75 * speedOf(t) + 0.25 * min(4.0, max(0.25, rate));
    store<f64>(SPEED + (<usize>t << 3), s);
    total += s;
  }
  for (let t = 0; t < n; t++) store<f64>(SPEED + (<usize>t << 3), load<f64>(SPEED + (<usize>t << 3)) * n / total);
}

// Set thread t's speed estimate (tests: skewed shares must give the same bits).
export function set_thread_speed(t: i32, speed: f64): void {
  if (t >= 0 && t < MAX_THREADS) store<f64>(SPEED + (<usize>t << 3), speed);
}

// The main phase of a task says which fraction of it thread tid did (after rounding to units).
export function noteShare(tid: i32, n: i32, done: i32, count: i32): void {
  if (ASC_FEATURE_THREADS && n > 1 && count > 0) store<f64>(DONE + (<usize>tid << 6), <f64>done / <f64>count);
}

// All n threads of the job arrive here before any leaves.
export function barrier(n: i32): void {
  if (!ASC_FEATURE_THREADS || n <= 1) return;
  busy += now() - shareBegan;
  const gen = atomic.load<i32>(BAR_GEN);
  if (atomic.add<i32>(BAR_COUNT, 1) == n - 1) {
    atomic.store<i32>(BAR_COUNT, 0);
    atomic.store<i32>(BAR_GEN, gen + 1);
    atomic.notify(BAR_GEN, -1);
  } else {
    waitWhile(BAR_GEN, gen);
  }
  shareBegan = now();
}

// Wait until the word at ptr is no longer `seen`.
function waitWhile(ptr: usize, seen: i32): void {
  if (!ASC_FEATURE_THREADS || atomic.load<i32>(ptr) != seen) return;
  const began = now();
  let spins = 0;
  while (atomic.load<i32>(ptr) == seen) {
    if (mayBlock && (++spins & 1023) == 0 && now() - began > SPIN_MS) memory.atomic.wait32(ptr, seen, -1);
  }
}

// A worker's first call: where its thread-local scratch is (see scratch.ts's thread_setup), done
// by JS. Returns the job generation to start waiting from: jobs before it are not this worker's.
export function worker_generation(): i32 {
  return ASC_FEATURE_THREADS ? atomic.load<i32>(JOB_GEN) : 0;
}

// A worker's loop: take part in every job that includes thread `tid`, until pool_exit().
export function worker_loop(tid: i32, gen: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  while (true) {
    waitWhile(JOB_GEN, gen);
    gen = atomic.load<i32>(JOB_GEN);
    if (atomic.load<i32>(JOB_EXIT)) return;
    const n = load<i32>(JOB_N);
    if (tid < n) {
      runTimed(load<i32>(JOB_TASK), tid, n);
      if (atomic.sub<i32>(JOB_LEFT, 1) == 1) atomic.notify(JOB_LEFT, 1);
    }
  }
}

// End every worker's loop (they return from worker_loop); pool_reset() before starting new ones.
export function pool_exit(): void {
  if (!ASC_FEATURE_THREADS) return;
  atomic.store<i32>(JOB_EXIT, 1);
  atomic.add<i32>(JOB_GEN, 1);
  atomic.notify(JOB_GEN, -1);
  pool = 1;
}

export function pool_reset(): void {
  if (!ASC_FEATURE_THREADS) return;
  atomic.store<i32>(JOB_EXIT, 0);
}

// When a kernel is worth splitting: each thread must get at least `minRows` rows (of its batch or
// its product) and `minShare` multiply-adds, enough to outweigh waking it and the barriers. Tests
// lower both to split every kernel that can be split (set_split_thresholds).
let minRows: i32 = 8;
let minShare: i64 = 1 << 21;

export function set_split_thresholds(rows: i32, share: i32): void {
  minRows = max(4, rows);
  minShare = max<i64>(0, <i64>share);
}

// Threads worth using for `rows` rows and `work` multiply-adds in all (the pool caps it in run()).
export function threadsFor(rows: i32, work: i64): i32 {
  let n = rows / minRows;
  if (minShare > 0) n = <i32>min<i64>(<i64>n, work / minShare);
  return max(1, n);
}

// The first of `count` items (in whole units of `unit`) that thread tid of n takes, by the job's
// CUT: every share but the last starts and ends on a multiple of `unit`; shareStart(…, n, n) is count.
export function shareStart(count: i32, unit: i32, tid: i32, n: i32): i32 {
  if (!ASC_FEATURE_THREADS || n <= 1) return tid == 0 ? 0 : count;
  if (tid >= n) return count;
  const units = (count + unit - 1) / unit;
  return min(count, <i32>Math.round(<f64>units * load<f64>(CUT + (<usize>tid << 3))) * unit);
}
