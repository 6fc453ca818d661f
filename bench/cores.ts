// The cores one by one: the M training step on one thread, in a child process pinned to each
// logical CPU in turn (Linux taskset), interleaved over rounds; medians. Cores of a shared VM are
// rarely equal (a neighbour, interrupts, a sibling hyperthread), and 2 threads ÷ 1 thread can
// reach at most (sum of the cores' speeds) ÷ (the speed of the core the 1-thread run got): this
// part measures that ceiling beside the scaling targets instead of leaving it to guesswork.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './compare.js';

export const CORES = { rounds: 3, warmup: 5, steps: 15 } as const;

export interface CoresResult {
  /** ms per M training step on one thread, pinned to CPU i (median over rounds). */
  ms: number[];
  /** What was run, or why nothing was. */
  note: string;
  notRun?: string;
}

const CHILD = fileURLToPath(new URL('./cores-child.ts', import.meta.url));

/** Pin a child to each of the first `n` CPUs in turn, `CORES.rounds` times. */
export function runCores(n: number, log: (s: string) => void): CoresResult {
  const note = `the M row's training step (bench/ours.ts: LSTM 65→128→65 one-hot, softmax CE, T = 64, B = 32, Trainer.trainBatch, SGD) on one thread (init({ threads: 1 })), ${CORES.warmup} warm-up steps then the median of ${CORES.steps}, ` +
    `in a child process pinned with \`taskset -c <cpu>\`; the CPUs in turn, ${CORES.rounds} rounds, the median per CPU`;
  if (process.platform !== 'linux') return { ms: [], note, notRun: `not Linux (${process.platform}): no taskset` };
  if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) return { ms: [], note, notRun: 'taskset (util-linux) is not available or may not pin here' };
  const ms: number[][] = Array.from({ length: n }, () => []);
  for (let round = 0; round < CORES.rounds; round++) {
    for (let cpu = 0; cpu < n; cpu++) {
      const r = spawnSync('taskset', ['-c', String(cpu), process.execPath, ...process.execArgv, CHILD, String(CORES.warmup), String(CORES.steps)], { encoding: 'utf8', timeout: 120_000 });
      const line = r.stdout.trim().split('\n').at(-1) ?? '';
      const v = Number(line);
      if (r.status !== 0 || !(v > 0)) return { ms: [], note, notRun: `the pinned child on CPU ${cpu} failed: ${(r.stderr || line).trim().slice(0, 300)}` };
      ms[cpu].push(v);
      log(`cores: CPU ${cpu}, round ${round + 1}: ${v.toFixed(1)} ms per step`);
    }
  }
  return { ms: ms.map(median), note };
}

/** What a perfect split over all the cores gets, ÷ the fastest core alone and ÷ the slowest. */
export function coresCeiling(ms: readonly number[]): { ofFastest: number; ofSlowest: number } {
  const fastest = Math.min(...ms), slowest = Math.max(...ms);
  const total = ms.reduce((s, m) => s + 1 / m, 0);
  return { ofFastest: total * fastest, ofSlowest: total * slowest };
}
