// Cold start: a fresh process, from spawn to the first M inference result (B=32, T=64 one-hot
// in, logits out), as a user's script would do it: load the library, initialise it, build the
// model, run it once. Timed by this process (spawn → the child's "result" line), medians of
// COLD_RUNS processes per system, interleaved. The child also reports its own clock
// (performance.now(), from its time origin) to separate the runtime's start from the library.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './compare.js';
import { bundleTfjs, TFJS_BUNDLE, TFJS_WASM_DIR } from './peers/tfjs.js';
import { PYTHON, type Torch } from './peers/torch.js';

export const COLD_RUNS = 5;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.node.js', import.meta.url));

// One-hot input of M, built the same way in every child (its cost is part of everyone's time).
const X_JS = 'const x = new Float32Array(32 * 64 * 65); for (let i = 0; i < 32 * 64; i++) x[i * 65 + (i * 7) % 65] = 1;';

// (the marks after "result" split our time: imported, init() done, model built, predicted)
const OURS = `
const { init, Sequential, LSTM, Linear } = await import(${JSON.stringify(DIST)});
const t1 = performance.now();
await init();
const t2 = performance.now();
const model = new Sequential([new LSTM({ inputSize: 65, hiddenSize: 128, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 128, outFeatures: 65, seed: 2 })]);
${X_JS}
const t3 = performance.now();
const y = model.predict(x, { shape: [32, 64, 65] });
console.log('result', y[0], performance.now(), t1, t2, t3);`;

const TFJS = `
const m = require(${JSON.stringify(TFJS_BUNDLE)});
const { tf, tfl } = m;
m.setThreadsCount(1);
m.setWasmPaths(${JSON.stringify(TFJS_WASM_DIR)});
(async () => {
  await tf.setBackend('wasm');
  const model = tfl.sequential({ layers: [
    tfl.layers.lstm({ units: 128, returnSequences: true, inputShape: [64, 65], recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
    tfl.layers.dense({ units: 65 }),
  ] });
  ${X_JS}
  const y = await model.predict(tf.tensor3d(x, [32, 64, 65])).data();
  console.log('result', y[0], performance.now());
})();`;

// brain.js has no batch: the M batch is its 32 sequences, each a forward pass of T steps.
const BRAIN = `
const brain = require('brain.js');
const net = new brain.recurrent.LSTM({ inputSize: 65, inputRange: 65, hiddenLayers: [128], outputSize: 65 });
net.initialize();
const eq = net.model.equations;
while (eq.length < 64) net.bindEquation();
let y;
for (let b = 0; b < 32; b++) {
  y = eq[0].runIndex(0);
  for (let t = 1; t < 64; t++) y = eq[t].runIndex(1 + ((b * 64 + t) * 7) % 65);
}
console.log('result', y.weights[0], performance.now());`;

const TORCH = `
import torch
torch.set_num_threads(1)
rnn = torch.nn.LSTM(65, 128, batch_first=True)
head = torch.nn.Linear(128, 65)
x = torch.zeros(32 * 64, 65)
x[torch.arange(32 * 64), (torch.arange(32 * 64) * 7) % 65] = 1
with torch.inference_mode():
    y = head(rnn(x.reshape(32, 64, 65))[0])
print('result', float(y[0, 0, 0]), flush=True)`;

export interface ColdSystem { system: string; cmd: string; args: string[]; note: string; env?: Record<string, string> }
export interface ColdResult {
  system: string; medianMs: number; minMs: number; childMs?: number; runs: number; note: string;
  /** Medians of the child's marks, when it printed more than one (ours: imported, init, built). */
  marks?: number[];
}

export async function coldSystems(opts: { tfjs: boolean; brain: boolean; torch?: Torch }): Promise<{ systems: ColdSystem[]; notes: string[] }> {
  const node = process.execPath;
  const notes: string[] = [];
  const systems: ColdSystem[] = [
    { system: 'node (empty script)', cmd: node, args: ['-e', 'console.log("result", 0, performance.now())'], note: 'baseline: the runtime alone' },
  ];
  if (existsSync(DIST)) systems.push({ system: 'rnn-wasm', cmd: node, args: ['--input-type=module', '-e', OURS], note: 'import dist/index.node.js (the package entry under Node), init(), build, predict' });
  else notes.push('rnn-wasm: dist/index.node.js missing (run `npm run build`): not measured');
  if (opts.tfjs) {
    await bundleTfjs();
    systems.push({ system: 'TF.js wasm', cmd: node, args: ['-e', TFJS], note: 'require the esbuild bundle (core + layers + wasm), setBackend, build, predict + data()' });
  }
  if (opts.brain) systems.push({ system: 'brain.js', cmd: node, args: ['-e', BRAIN], note: 'require, initialize, 32 sequences × 64 steps (no batch)' });
  if (opts.torch) {
    systems.push({ system: 'python3 (empty)', cmd: PYTHON, args: ['-c', 'print("result", 0, flush=True)'], note: 'baseline: the interpreter alone' });
    systems.push({ system: opts.torch.system, cmd: PYTHON, args: ['-c', TORCH], note: 'import torch, build, forward under inference_mode', env: opts.torch.env });
  }
  return { systems, notes };
}

/** Spawn → first stdout line starting with "result"; the child's own clock if it printed one. */
function once(s: ColdSystem): Promise<{ ms: number; childMs?: number; marks: number[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(s.cmd, s.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...s.env } });
    let out = '', err = '', done = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('result'));
      if (line && !done && out.includes('\n', out.indexOf(line))) {
        done = true;
        const ms = performance.now() - t0;
        const [childMs, ...marks] = line.trim().split(/\s+/).slice(2).map(Number);
        const node = s.cmd === process.execPath;
        resolve({ ms, childMs: node && Number.isFinite(childMs) ? childMs : undefined, marks: node ? marks : [] });
      }
    });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('exit', (code) => { if (!done) reject(new Error(`bench: cold start of ${s.system} exited ${code} without a result: ${err.trim().split('\n').slice(-3).join(' / ')}`)); });
  });
}

export async function runCold(systems: readonly ColdSystem[], log: (s: string) => void): Promise<ColdResult[]> {
  const ms = systems.map(() => [] as number[]);
  const child = systems.map(() => [] as number[]);
  const marks = systems.map(() => [] as number[][]);
  for (const s of systems) await once(s); // first run of each: loads files into the page cache, not counted
  for (let r = 0; r < COLD_RUNS; r++) {
    for (let i = 0; i < systems.length; i++) {
      const x = await once(systems[i]);
      ms[i].push(x.ms);
      if (x.childMs !== undefined) child[i].push(x.childMs);
      if (x.marks.length) marks[i].push(x.marks);
    }
  }
  return systems.map((s, i) => {
    const r = {
      system: s.system, medianMs: median(ms[i]), minMs: Math.min(...ms[i]), childMs: child[i].length ? median(child[i]) : undefined, runs: ms[i].length, note: s.note,
      marks: marks[i].length ? marks[i][0].map((_, k) => median(marks[i].map((m) => m[k]))) : undefined,
    };
    log(`cold ${s.system}: ${r.medianMs.toFixed(0)} ms`);
    return r;
  });
}
