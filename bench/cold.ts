// Cold start: a fresh process, from spawn to the first M inference result (B=32, T=64 one-hot
// in, logits out), as a user's program would do it: a script file that loads the library,
// initialises it, builds the model and runs it once. Timed by this process (spawn → the child's
// "result" line), medians of COLD_RUNS processes per system, interleaved. Each system is also
// set against an empty script of the same module kind (CommonJS or ES module), the runtime's own
// start-up, which no library can shorten. The child reports its own clock too (performance.now(),
// from its time origin) to separate the runtime's start from the library.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './compare.js';
import { bundleTfjs, TFJS_BUNDLE, TFJS_WASM_DIR } from './peers/tfjs.js';
import { PYTHON, type Torch } from './peers/torch.js';

export const COLD_RUNS = 5;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.node.js', import.meta.url));
const DIST_CJS = fileURLToPath(new URL('../dist/cjs/rnn-wasm.js', import.meta.url));
const SCRIPTS = fileURLToPath(new URL('../build/bench/cold/', import.meta.url));

// One-hot input of M, built the same way in every child (its cost is part of everyone's time).
const X_JS = 'const x = new Float32Array(32 * 64 * 65); for (let i = 0; i < 32 * 64; i++) x[i * 65 + (i * 7) % 65] = 1;';

// (the marks after "result" split our time: script started, imported, init() done, model built)
const OURS_BODY = `
await init();
const t2 = performance.now();
const model = new Sequential([new LSTM({ inputSize: 65, hiddenSize: 128, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 128, outFeatures: 65, seed: 2 })]);
${X_JS}
const t3 = performance.now();
const y = model.predict(x, { shape: [32, 64, 65] });
console.log('result', y[0], performance.now(), t0, t1, t2, t3);`;
// (a dynamic import, so that t0 is taken before the package loads: static imports run first)
const OURS_ESM = `const t0 = performance.now();
const { init, Sequential, LSTM, Linear } = await import(${JSON.stringify(DIST)});
const t1 = performance.now();${OURS_BODY}`;
const OURS_CJS = `const t0 = performance.now();
const { init, Sequential, LSTM, Linear } = require(${JSON.stringify(DIST_CJS)});
const t1 = performance.now();
(async () => {${OURS_BODY}
})();`;
const EMPTY = "console.log('result', 0, performance.now());";

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

/** A child process; `script` is written to build/bench/cold/<file> and run, `baseline` names its empty counterpart. */
export interface ColdSystem {
  system: string; cmd: string; args: string[]; note: string; env?: Record<string, string>;
  script?: { file: string; text: string }; baseline?: string;
}
export interface ColdResult {
  system: string; medianMs: number; minMs: number; childMs?: number; runs: number; note: string;
  /** The empty script of the same kind, and this system's median minus its median. */
  baseline?: string; aboveBaselineMs?: number;
  /** Medians of the child's marks, when it printed more than one (ours: script start, imported, init, built). */
  marks?: number[];
}

const EMPTY_CJS = 'node (empty CommonJS script)';
const EMPTY_ESM = 'node (empty ES module)';

function script(system: Omit<ColdSystem, 'cmd' | 'args'>, file: string, text: string): ColdSystem {
  return { ...system, cmd: process.execPath, args: [`${SCRIPTS}${file}`], script: { file, text } };
}

export async function coldSystems(opts: { tfjs: boolean; brain: boolean; torch?: Torch }): Promise<{ systems: ColdSystem[]; notes: string[] }> {
  const notes: string[] = [];
  const systems: ColdSystem[] = [
    script({ system: EMPTY_CJS, note: 'baseline: the runtime alone (a .cjs file printing one line)' }, 'empty.cjs', EMPTY),
    script({ system: EMPTY_ESM, note: 'baseline: the runtime alone, with its ES module loader (a .mjs file)' }, 'empty.mjs', EMPTY),
  ];
  if (existsSync(DIST)) {
    systems.push(script({ system: 'rnn-wasm', baseline: EMPTY_ESM, note: 'a .mjs file: import the package entry (dist/index.node.js), init(), build, predict' }, 'rnn-wasm.mjs', OURS_ESM));
    systems.push(script({ system: 'rnn-wasm (CommonJS)', baseline: EMPTY_CJS, note: 'a .cjs file: require the CommonJS build (dist/cjs), init(), build, predict' }, 'rnn-wasm.cjs', OURS_CJS));
  } else notes.push('rnn-wasm: dist/index.node.js missing (run `npm run build`): not measured');
  if (opts.tfjs) {
    await bundleTfjs();
    systems.push(script({ system: 'TF.js wasm', baseline: EMPTY_CJS, note: 'a .cjs file: require the esbuild bundle (core + layers + wasm), setBackend, build, predict + data()' }, 'tfjs.cjs', TFJS));
  }
  if (opts.brain) systems.push(script({ system: 'brain.js', baseline: EMPTY_CJS, note: 'a .cjs file: require, initialize, 32 sequences × 64 steps (no batch)' }, 'brain.cjs', BRAIN));
  if (opts.torch) {
    systems.push({ system: 'python3 (empty)', cmd: PYTHON, args: ['-c', 'print("result", 0, flush=True)'], note: 'baseline: the interpreter alone' });
    systems.push({ system: opts.torch.system, cmd: PYTHON, args: ['-c', TORCH], note: 'import torch, build, forward under inference_mode', env: opts.torch.env, baseline: 'python3 (empty)' });
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
  mkdirSync(SCRIPTS, { recursive: true });
  for (const s of systems) if (s.script) writeFileSync(`${SCRIPTS}${s.script.file}`, s.script.text);
  for (const s of systems) await once(s); // first run of each: loads files into the page cache, not counted
  for (let r = 0; r < COLD_RUNS; r++) {
    for (let i = 0; i < systems.length; i++) {
      const x = await once(systems[i]);
      ms[i].push(x.ms);
      if (x.childMs !== undefined) child[i].push(x.childMs);
      if (x.marks.length) marks[i].push(x.marks);
    }
  }
  const results: ColdResult[] = systems.map((s, i) => ({
    system: s.system, medianMs: median(ms[i]), minMs: Math.min(...ms[i]), childMs: child[i].length ? median(child[i]) : undefined, runs: ms[i].length, note: s.note,
    marks: marks[i].length ? marks[i][0].map((_, k) => median(marks[i].map((m) => m[k]))) : undefined,
  }));
  for (const [i, r] of results.entries()) {
    const base = results.find((b) => b.system === systems[i].baseline);
    if (base) { r.baseline = base.system; r.aboveBaselineMs = r.medianMs - base.medianMs; }
    log(`cold ${r.system}: ${r.medianMs.toFixed(0)} ms${r.aboveBaselineMs === undefined ? '' : ` (${r.aboveBaselineMs.toFixed(0)} above ${r.baseline})`}`);
  }
  return results;
}
