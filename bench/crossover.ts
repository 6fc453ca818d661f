// Where threads start to pay: an LSTM layer's forward + backward (T = 32, I = 32) on one thread
// against the same call forced to split on every thread, for widths H and batches B around the
// split rule (a kernel splits when each thread gets ≥ 8 batch rows and ≥ 2 million multiply-adds
// of its forward: assembly/parallel.ts threadsFor). Each cell is timed in interleaved repetitions
// (1 thread, all threads, …); medians. The rule's own choice for the cell is printed beside it.
import { LSTM, setThreads } from '../src/index.js';
import { getRuntime } from '../src/runtime/loader.js';
import { median } from './compare.js';
import { randoms } from './gemm.js';

export const CROSS = { T: 32, I: 32, Hs: [16, 32, 64, 128], Bs: [8, 16, 32] } as const;
/** The split rule's thresholds (assembly/parallel.ts): rows a thread, multiply-adds a thread. */
export const SPLIT_RULE = { minRows: 8, minShare: 1 << 21 } as const;

export interface CrossCell { H: number; B: number; oneUs: number; allUs: number; splits: boolean; maddsPerThread: number }

/** Whether the split rule splits this layer's forward on n threads. */
function ruleSplits(T: number, B: number, I: number, H: number, n: number): boolean {
  const work = T * B * 4 * H * (I + H);
  return Math.min(n, Math.floor(B / SPLIT_RULE.minRows), Math.floor(work / SPLIT_RULE.minShare)) >= 2;
}

export async function runCrossover(N: number, log: (s: string) => void): Promise<CrossCell[]> {
  const { T, I } = CROSS;
  const k = getRuntime().kernels;
  const out: CrossCell[] = [];
  try {
    k.set_split_thresholds(4, 0); // every kernel that can split does: the "all threads" column
    for (const H of CROSS.Hs) {
      for (const B of CROSS.Bs) {
        const layer = new LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
        const x = randoms(T * B * I, H + B), dOut = randoms(T * B * H, 7).map((v) => 0.01 * v);
        const call = () => { layer.forward(x, { shape: [T, B, I] }); layer.backward(dOut); };
        for (let i = 0; i < 3; i++) call();
        const t0 = performance.now();
        call();
        const calls = Math.max(1, Math.round(30 / Math.max(0.05, performance.now() - t0)));
        const ms: Record<number, number[]> = { 1: [], [N]: [] };
        for (let rep = 0; rep < 9; rep++) {
          for (const n of [1, N]) {
            if ((await setThreads(n)) !== n) throw new Error(`bench: setThreads(${n}) did not take`);
            const t = performance.now();
            for (let c = 0; c < calls; c++) call();
            ms[n].push((performance.now() - t) / calls);
          }
        }
        layer.dispose();
        const cell = { H, B, oneUs: median(ms[1]) * 1000, allUs: median(ms[N]) * 1000, splits: ruleSplits(T, B, I, H, N), maddsPerThread: T * B * 4 * H * (I + H) / N };
        log(`crossover H${H} B${B}: ${cell.oneUs.toFixed(0)} / ${cell.allUs.toFixed(0)} µs (×${(cell.oneUs / cell.allUs).toFixed(2)}), the rule ${cell.splits ? 'splits' : 'keeps one thread'}`);
        out.push(cell);
      }
    }
  } finally {
    k.set_split_thresholds(SPLIT_RULE.minRows, SPLIT_RULE.minShare);
    await setThreads(N);
  }
  return out;
}
