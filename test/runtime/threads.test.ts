// Threads (the threaded builds: shared memory, a pool of worker_threads): every result is
// bit-identical for 1, 2 and 3 threads (with equal or skewed shares) and to the single-threaded build; the pool reports what it
// runs, grows, shrinks and ends on request, and never keeps a Node process alive.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { ConfigError, init, runtimeInfo, setThreads, terminateThreads } from '../../src/index.js';
import * as train from '../../src/train/index.js';
import * as seq from '../../src/seq2seq.js';
import { getRuntime } from '../../src/runtime/loader.js';
import { ROOT } from '../support/consumer.js';
import { runWorkload } from '../support/threads-workload.js';

const relaxed = process.env.RNN_WASM_SIMD === 'relaxed';
const FLAGS = relaxed ? ['--experimental-wasm-relaxed-simd'] : [];
const SUFFIX = relaxed ? '-relaxed' : '';
const run = promisify(execFile);

/** A script run by a fresh Node process (tsx for TypeScript), its stdout. Fails on a hang. */
async function node(args: string[], timeout = 120_000): Promise<string> {
  const { stdout } = await run(process.execPath, [...FLAGS, '--import', 'tsx', ...args], { cwd: ROOT, timeout });
  return stdout;
}

beforeAll(async () => {
  await init();
});

describe('threads', () => {
  it("runs on the threaded build, on every core (at most 8) by default, and says so", () => {
    const info = runtimeInfo();
    expect(info.build).toBe('threads');
    expect(info.source).toMatch(new RegExp(`/rnn-threads${SUFFIX}\\.wasm$`));
    expect(info.cores).toBeGreaterThanOrEqual(1);
    expect(info.threads).toBe(Math.min(info.cores, 8));
    expect(info.threadsNote).toBeUndefined();
  });

  it('gives the same bits on 1, 2 and 3 threads with every kernel split, and the same as the single-threaded build', async () => {
    const k = getRuntime().kernels;
    k.set_split_thresholds(4, 0); // split whatever can be split, however small
    try {
      const libs = { core, train, seq };
      const byThreads: Record<number, Record<string, string>> = {};
      for (const n of [1, 2, 3]) {
        expect(await setThreads(n)).toBe(n);
        const before = k.split_jobs();
        byThreads[n] = await runWorkload(libs);
        // not vacuous: the kernels did run on several threads (none can with one)
        if (n === 1) expect(k.split_jobs()).toBe(before);
        else expect(k.split_jobs() - before).toBeGreaterThan(500);
      }
      expect(Object.keys(byThreads[1])).toHaveLength(63);
      expect(byThreads[2]).toEqual(byThreads[1]);
      expect(byThreads[3]).toEqual(byThreads[1]);
      // shares follow each thread's measured speed: skewed shares must change nothing either
      for (const [t, speed] of [[0, 1], [1, 3], [2, 0.4]]) k.set_thread_speed(t, speed);
      expect(await runWorkload(libs)).toEqual(byThreads[1]);
      // the single-threaded build (what runtimes without threads load), in a fresh process
      const single = JSON.parse(await node(['test/support/threads-workload.ts', `build/rnn${SUFFIX}.wasm`, '1'])) as { info: core.RuntimeInfo; hashes: Record<string, string> };
      expect(single.info.build).toBe('single');
      expect(single.hashes).toEqual(byThreads[1]);
    } finally {
      k.set_split_thresholds(8, 1 << 21);
      await setThreads('auto');
    }
  }, 600_000);

  it('grows, shrinks and ends the pool on request; a smaller count leaves workers parked, an ended pool restarts', async () => {
    const cores = runtimeInfo().cores;
    expect(await setThreads(3)).toBe(3);
    expect(runtimeInfo().threads).toBe(3);
    expect(await setThreads(1)).toBe(1);
    expect(await setThreads('auto')).toBe(Math.min(cores, 8));
    await terminateThreads();
    expect(runtimeInfo().threads).toBe(1);
    await terminateThreads(); // idempotent
    // a model works on one thread, then on a restarted pool, with the same bits
    const model = new core.Sequential([new core.LSTM({ inputSize: 4, hiddenSize: 64, batchFirst: true, seed: 1 }), new core.Linear({ inFeatures: 64, outFeatures: 3, seed: 2 })]);
    const x = Float32Array.from({ length: 32 * 20 * 4 }, (_, i) => Math.sin(i));
    const one = model.predict(x, { shape: [32, 20, 4] });
    expect(await setThreads(2)).toBe(2);
    const k = getRuntime().kernels;
    const before = k.split_jobs();
    const two = model.predict(x, { shape: [32, 20, 4] });
    expect(k.split_jobs()).toBeGreaterThan(before);
    expect(two).toEqual(one);
    model.dispose();
    await setThreads('auto');
  }, 60_000);

  it('refuses a thread count that is not a positive integer (or auto), naming the argument', async () => {
    for (const bad of [0, -1, 1.5, 65, '2', null, NaN]) {
      await expect(setThreads(bad as number)).rejects.toThrow(ConfigError);
      await expect(setThreads(bad as number)).rejects.toThrow(/setThreads: expected 'auto' or an integer from 1 to 64/);
      await expect(init({ threads: bad as number })).rejects.toThrow(/init\(\{ threads \}\): expected 'auto' or an integer from 1 to 64/);
    }
    await expect(init({ thread: 2 } as never)).rejects.toThrow(/unknown option "thread" \(did you mean "threads"\?\)/);
    expect(runtimeInfo().threads).toBe(Math.min(runtimeInfo().cores, 8)); // unchanged
  });

  it('never keeps a Node process alive: a script that trains on threads and returns exits by itself', async () => {
    const script = path.join(ROOT, 'build/threads-exit.mjs');
    writeFileSync(script, `
      import { init, runtimeInfo, LSTM, Linear, Sequential } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};
      import { Trainer } from ${JSON.stringify(path.join(ROOT, 'src/train/index.ts'))};
      await init({ threads: 3 });
      const model = new Sequential([new LSTM({ inputSize: 3, hiddenSize: 64, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 64, outFeatures: 1, seed: 2 })]);
      const x = Float32Array.from({ length: 32 * 16 * 3 }, (_, i) => Math.cos(i));
      const { loss } = new Trainer(model, { loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 } }).trainBatch({ x, xShape: [32, 16, 3], y: new Float32Array(32 * 16), yShape: [32, 16, 1] });
      console.log(JSON.stringify({ threads: runtimeInfo().threads, loss }));
    `);
    const t = performance.now();
    const out = JSON.parse(await node([script], 60_000)) as { threads: number; loss: number };
    expect(out.threads).toBe(3);
    expect(Number.isFinite(out.loss)).toBe(true);
    console.log(`the threaded script ran and exited in ${(performance.now() - t).toFixed(0)} ms`);
  }, 90_000);
});
