// `npm run bench`: the machine's wasm SIMD peak, our GEMM and layers, then rnn-wasm at 1 thread
// and at N (all threads: runtimeInfo().threads after init()) against TensorFlow.js (wasm and
// cpu backends), brain.js, ONNX Runtime Web and PyTorch (reference BLAS and OpenBLAS, at 1 and
// N threads) on the same shapes and data; the character-LM recipe (a training-step row and a
// timed 180-s run to a validation loss); the sketch row (an MDN pen decoder against TF.js);
// streaming; where threads start to pay (crossover.ts); the cores one by one (cores.ts); cold start and shipped size; all in one process run, written to bench/RESULTS.md
// and printed. Beside every timed set, in the same round-robin, the machine's references:
// the f32x4 peak on 1 and on N threads and a parallel GEMM at 1 and N threads (machine.ts).
//
//   npm run bench                              everything → bench/RESULTS.md (~15 min)
//   npm run bench:relaxed                      the same on the relaxed-SIMD build → bench/RESULTS-relaxed.md
//   npm run bench -- --only peers,stream       some parts → bench/RESULTS.local.md (git-ignored)
//   npm run bench -- --only peers --rows M,L   some rows of the comparison
//   npm run bench -- --only charlm --charlm-seconds 30   a shorter char-LM run (its target is then not judged)
//   npm run bench -- --only charlm --charlm-seconds 0    the char-LM training-step row alone
//   parts: gemm, layers, cores, peers, seq2seq, charlm, sketch, stream, crossover, cold, size (the peak is always measured)
import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { init, runtimeInfo, setThreads } from '../src/index.js';
import { CHARLM_GOAL, runCharlm, type CharlmResult } from './charlm.js';
import { startMachine } from './machine.js';
import { runSketch, type SketchResult } from './sketch.js';
import { coldSystems, runCold, type ColdResult } from './cold.js';
import { runCrossover, type CrossCell } from './crossover.js';
import { runCores, type CoresResult } from './cores.js';
import { loadOrt, type OrtPeer } from './peers/onnx.js';
import { runMicro } from './micro.js';
import { version as brainVersion } from './peers/brain.js';
import { loadTfjs, version as pkgVersion, type Tfjs } from './peers/tfjs.js';
import { Torch, torchVariants, type TorchVariant } from './peers/torch.js';
import { render, targets, type ReportInput } from './report.js';
import { runRows, runStream, type NotRun, type RowResult, type StreamResult } from './rows.js';
import { runSeq2Seq, type Seq2SeqResult } from './seq2seq.js';
import { runSize, type SizeResult } from './size.js';

const PARTS = ['gemm', 'layers', 'cores', 'peers', 'seq2seq', 'charlm', 'sketch', 'stream', 'crossover', 'cold', 'size'] as const;
type Part = (typeof PARTS)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : i >= 0 ? process.argv[i + 1] : undefined;
}
const onlyArg = arg('only');
const parts = new Set<Part>(onlyArg ? (onlyArg.split(',') as Part[]) : PARTS);
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`bench: unknown part "${p}" (parts: ${PARTS.join(', ')})`);
const rowsArg = arg('rows');
const rowFilter = rowsArg ? new Set(rowsArg.split(',')) : undefined;
const charlmSeconds = Number(arg('charlm-seconds') ?? CHARLM_GOAL.seconds);
if (!(charlmSeconds >= 0)) throw new Error(`bench: --charlm-seconds: expected a number ≥ 0, got ${arg('charlm-seconds')}`);
const full = parts.size === PARTS.length && !rowFilter && charlmSeconds === CHARLM_GOAL.seconds;
const outFile = arg('out') ?? fileURLToPath(new URL(full ? './RESULTS.md' : './RESULTS.local.md', import.meta.url));

const log = (s: string) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${s}`);
const t0 = performance.now();
const loadAvg = os.loadavg();
const seconds: Record<string, number> = {};
const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  log(`${name}…`);
  const r = await f();
  seconds[name] = (performance.now() - t) / 1000;
  return r;
};

await init();
/** N: all threads, as init() picked them ('auto': the cores the runtime reports, at most 8). */
const N = runtimeInfo().threads;
const warnings: string[] = [];
if (runtimeInfo().threadsNote) warnings.push(`**rnn-wasm runs on one thread here: ${runtimeInfo().threadsNote}**`);
// cold and size use the built package (dist/): say so when src/ is newer than the build.
const ROOT = fileURLToPath(new URL('../', import.meta.url));
if (parts.has('cold') || parts.has('size')) {
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) =>
    Math.max(m, e.isDirectory() ? newest(`${dir}/${e.name}`) : statSync(`${dir}/${e.name}`).mtimeMs), 0);
  try {
    if (newest(`${ROOT}src`) > statSync(`${ROOT}dist/index.node.js`).mtimeMs) warnings.push('**WARNING: src/ changed after dist/ was built; cold start and size are for the old build** (npm run build)');
  } catch {
    warnings.push('**WARNING: no dist/ build; cold start and size need `npm run build`**');
  }
}

const micro = await timed('kernels', () => runMicro({ gemm: parts.has('gemm'), layers: parts.has('layers') }));
// the cores one by one (pinned child processes), before anything of this process keeps a core busy
let cores: CoresResult | undefined;
if (parts.has('cores')) cores = await timed('cores', async () => runCores(Math.min(os.availableParallelism(), 8), log));
const machine = await startMachine(N, runtimeInfo().simd === 'relaxed', micro.peakChains);

// Peers: loaded once; a peer that cannot load is reported as skipped, never fatal.
const skippedPeers: { system: string; why: string }[] = [];
const versions: ReportInput['versions'] = [
  { name: 'rnn-wasm', version: (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version, note: 'this checkout (src/ for the timed rows, dist/ for cold start and size)' },
];
let tfjs: Tfjs | undefined;
let ort: OrtPeer | undefined;
const torches: Torch[] = [];
/** PyTorch variants that could not run: shown as "not run: <why>" columns, never dropped. */
const torchNotRun: NotRun[] = [];
const needPeers = parts.has('peers') || parts.has('seq2seq') || parts.has('sketch') || parts.has('charlm') || parts.has('stream') || parts.has('cold') || parts.has('size');
if (needPeers) {
  try {
    if (parts.has('peers') || parts.has('seq2seq') || parts.has('sketch') || parts.has('stream')) tfjs = await loadTfjs();
    versions.push({ name: 'TensorFlow.js', version: ['tfjs-core', 'tfjs-layers', 'tfjs-backend-wasm', 'tfjs-backend-cpu'].map((p) => `@tensorflow/${p}@${pkgVersion(`@tensorflow/${p}`)}`).join(', '), note: tfjs?.info });
  } catch (e) {
    skippedPeers.push({ system: 'TF.js', why: (e as Error).message });
  }
  versions.push({ name: 'brain.js', version: brainVersion() });
  if (parts.has('peers') || parts.has('stream')) {
    const o = await loadOrt();
    if (typeof o === 'string') skippedPeers.push({ system: 'ONNX Runtime Web (optional)', why: o });
    else { ort = o; versions.push({ name: 'ONNX Runtime Web', version: `onnxruntime-web@${o.version}`, note: o.info }); }
  }
  if (parts.has('peers') || parts.has('charlm') || parts.has('stream') || parts.has('cold')) {
    // every variant is started (or says why not): the reference BLAS, OpenBLAS on 1 and on N threads
    const variants: TorchVariant[] = torchVariants(N);
    for (const v of variants) {
      const t = await Torch.start(v);
      if (typeof t === 'string') {
        torchNotRun.push({ system: v.system, why: t });
        versions.push({ name: v.system, version: 'not run', note: t });
      } else {
        torches.push(t);
        versions.push({ name: t.system, version: t.version, note: t.info });
      }
    }
  }
  versions.push({ name: 'esbuild', version: pkgVersion('esbuild'), note: 'bundles TF.js for Node and measures sizes' });
}

let rows: RowResult[] = [];
if (parts.has('peers')) rows = await timed('peers', () => runRows({ tfjs, torches, torchNotRun, brain: true, ort, machine }, log, rowFilter));

let seq2seq: Seq2SeqResult | undefined;
if (parts.has('seq2seq')) seq2seq = await timed('seq2seq', () => runSeq2Seq(tfjs, log, machine));

let sketch: SketchResult | undefined;
if (parts.has('sketch')) sketch = await timed('sketch', () => runSketch({ tfjs, machine }, log));

let charlm: CharlmResult | undefined;
if (parts.has('charlm')) charlm = await timed('charlm', () => runCharlm({ torches, torchNotRun, machine }, log, { seconds: charlmSeconds, row: true }));

// streaming and cold start as a user gets them: init()'s default threads (a batch-1 step never splits)
await setThreads(N);
const torch1 = torches.filter((t) => t.threads === 1);

let stream: StreamResult[] = [];
const streamNotes = ['brain.js: not measured — it has no streaming call that carries the state from one call to the next (run() replays a whole sequence).'];
if (parts.has('stream')) stream = await timed('stream', () => runStream({ tfjs, torches: torch1, ort }, log));

let crossover: CrossCell[] = [];
if (parts.has('crossover')) crossover = await timed('crossover', () => runCrossover(N, log));

let cold: ColdResult[] = [];
let coldNotes: string[] = [];
if (parts.has('cold')) {
  cold = await timed('cold', async () => {
    // PyTorch's start-up does not depend on the BLAS: the last variant (OpenBLAS when present) only
    const { systems, notes } = await coldSystems({ tfjs: !skippedPeers.some((s) => s.system === 'TF.js'), brain: true, torch: torch1.at(-1) });
    coldNotes = notes;
    return runCold(systems, log);
  });
  coldNotes.push('TF.js builds its LSTM with recurrentInitializer glorotUniform (its default, orthogonal, runs a QR decomposition in JS when the model is built).');
}
for (const t of torches) t.close();
await machine.close();

let size: SizeResult[] = [];
let sizeNotes: string[] = [];
if (parts.has('size')) {
  const s = await timed('size', () => runSize({ tfjs: !skippedPeers.some((x) => x.system === 'TF.js'), brain: true }));
  size = s.results;
  sizeNotes = s.notes;
}

const input: ReportInput = {
  date: new Date(), loadAvg, versions, micro, threads: N, rows, seq2seq, sketch, charlm, stream, crossover, cores,
  torch: [...torches.map((t) => ({ system: t.system, label: t.label, kernel: t.kernel, threads: t.threads, reference: t.blasInfo.kind === 'reference' })),
    ...torchNotRun.map((t) => ({ system: t.system, label: `${t.system} (not run)`, kernel: '', threads: 0, reference: false, notRun: t.why }))], streamNotes, cold, coldNotes, size, sizeNotes, skippedPeers,
  parts: [...parts], seconds: { total: (performance.now() - t0) / 1000, parts: seconds }, warnings,
};
const md = render(input);
writeFileSync(outFile, md);
console.log(md);
const t = targets(input).filter((x) => x.pass !== undefined);
log(`${t.filter((x) => x.pass).length} of ${t.length} targets pass; written to ${outFile}`);
