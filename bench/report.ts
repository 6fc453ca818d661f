// bench/RESULTS.md: the machine, the versions, the targets (PASS/MISS with the margin), then
// every comparison table. Pure formatting: all numbers come from one run of bench/index.ts.
import os from 'node:os';
import type { Result } from './compare.js';
import type { ColdResult } from './cold.js';
import { G, int, kb, ms, pct, table, times } from './format.js';
import type { Micro } from './micro.js';
import { AGREE_TOL, CHECK_STEPS, type RowResult, type StreamResult } from './rows.js';
import { LOSS_AGREE, seq2seqShape, type Seq2SeqResult } from './seq2seq.js';
import type { SizeResult } from './size.js';
import { fwdFlopsPerToken, STREAM, STREAM_STEPS, type Config } from './suite.js';
import { JOB_BUDGET_MS, MAX_REPS, MIN_REPS, REP_MS, WARM_MS } from './compare.js';
import { COLD_RUNS } from './cold.js';

export interface ReportInput {
  date: Date;
  loadAvg: number[];
  versions: { name: string; version: string; note?: string }[];
  micro: Micro;
  rows: RowResult[];
  seq2seq?: Seq2SeqResult;
  stream: StreamResult[];
  streamNotes: string[];
  cold: ColdResult[];
  coldNotes: string[];
  size: SizeResult[];
  sizeNotes: string[];
  skippedPeers: { system: string; why: string }[];
  parts: string[];
  seconds: { total: number; parts: Record<string, number> };
  warnings: string[];
}

interface Target { what: string; measured: string; goal: string; pass?: boolean; margin: string }

const ge = (what: string, value: number | undefined, goal: number, fmt: (x: number) => string, goalText: string): Target =>
  value === undefined || !Number.isFinite(value)
    ? { what, measured: 'not measured', goal: goalText, margin: '' }
    : { what, measured: fmt(value), goal: goalText, pass: value >= goal,
      margin: value >= goal ? `${times(value / goal)} the goal` : `${pct(1 - value / goal)} short` };
const le = (what: string, value: number | undefined, goal: number, fmt: (x: number) => string, goalText: string): Target =>
  value === undefined || !Number.isFinite(value)
    ? { what, measured: 'not measured', goal: goalText, margin: '' }
    : { what, measured: fmt(value), goal: goalText, pass: value <= goal,
      margin: value <= goal ? `${pct(1 - value / goal)} under` : `${pct(value / goal - 1)} over` };
const verdict = (t: Target) => (t.pass === undefined ? '—' : t.pass ? '**PASS**' : '**MISS**');

const shape = (c: Config) =>
  `${c.cell === 'RNN' ? 'tanh RNN' : c.cell} ${c.I}→${c.H}→${c.O}${c.loss === 'ce' ? ' one-hot, softmax CE' : ', MSE'}, T=${c.T}, B=${c.B}`;

/** Training (3× forward) or inference flops per token. */
const flops = (c: Config, kind: 'train' | 'infer') => (kind === 'train' ? 3 : 1) * fwdFlopsPerToken(c);

/** Goals per row (ratios rnn-wasm ÷ peer). */
const GOALS: Record<string, { train: Record<string, number>; infer: Record<string, number> }> = {
  S: { train: { 'TF.js wasm': 10, PyTorch: 1.5 }, infer: {} },
  M: { train: { 'TF.js wasm': 15, PyTorch: 0.6 }, infer: { 'TF.js wasm': 3, 'ONNX Runtime Web': 1 } },
  L: { train: { 'TF.js wasm': 15 }, infer: { 'TF.js wasm': 3 } },
  'M-GRU': { train: { 'TF.js wasm': 10 }, infer: {} },
  'M-RNN': { train: { 'TF.js wasm': 10 }, infer: {} },
};

const SYSTEMS = ['rnn-wasm', 'TF.js wasm', 'TF.js cpu', 'ONNX Runtime Web', 'brain.js', 'PyTorch OpenBLAS', 'PyTorch ref-BLAS', 'PyTorch'];
/** Peers the issue makes optional: a goal against them is left out when they were not run. */
const OPTIONAL = new Set(['PyTorch', 'ONNX Runtime Web']);

/** The peer's result; 'PyTorch' in a goal means the fastest PyTorch of the row. */
function peerResult(rs: readonly Result[], peer: string): Result | undefined {
  if (peer !== 'PyTorch') return rs.find((r) => r.system === peer);
  return rs.filter((r) => r.system.startsWith('PyTorch')).sort((a, b) => b.tokPerSec - a.tokPerSec)[0];
}

function ratio(rs: readonly Result[], peer: string): number | undefined {
  const o = rs.find((r) => r.system === 'rnn-wasm'), p = peerResult(rs, peer);
  return o && p ? o.tokPerSec / p.tokPerSec : undefined;
}

export function targets(r: ReportInput): Target[] {
  const t: Target[] = [];
  const row = (id: string) => r.rows.find((x) => x.config.id === id);
  for (const kind of ['train', 'infer'] as const) {
    for (const [id, goals] of Object.entries(GOALS)) {
      for (const [peer, goal] of Object.entries(goals[kind])) {
        const x = row(id);
        const p = x && peerResult(x[kind], peer);
        if (OPTIONAL.has(peer) && x && !p && !x.skipped.some((k) => k.system === peer)) continue; // optional peer, not installed
        t.push(ge(`${kind === 'train' ? 'training' : 'inference'} ${id}: rnn-wasm ÷ ${p?.system ?? peer}`, x && ratio(x[kind], peer), goal, times, `≥ ${goal}×`));
      }
    }
  }
  if (r.seq2seq) t.push(ge('training seq2seq: rnn-wasm ÷ TF.js wasm', ratio(r.seq2seq.train, 'TF.js wasm'), 10, times, '≥ 10×'));
  const stream = r.stream.find((s) => s.system === 'rnn-wasm');
  t.push(le('streaming step (LSTM 65→128→65 + softmax, batch 1)', stream?.medianUs, 12, (x) => `${x.toFixed(1)} µs`, '≤ 12 µs'));
  const cold = r.cold.find((s) => s.system === 'rnn-wasm');
  const coldBase = r.cold.find((s) => s.system === cold?.baseline);
  t.push(le(`cold start to the first M inference (fresh process${coldBase ? `; the empty ES module alone: ${coldBase.medianMs.toFixed(0)} ms` : ''})`, cold?.medianMs, 100, (x) => `${x.toFixed(0)} ms`, '≤ 100 ms'));
  const size = r.size.find((s) => s.system === 'rnn-wasm');
  t.push(le('JS + wasm shipped, minified', size && size.jsMin + size.wasm, 100_000, kb, '≤ 100 kB'));
  const peak = r.micro.peak;
  t.push(ge('GEMM 512³ (A·B) ÷ wasm SIMD peak', r.micro.gemm512 && r.micro.gemm512 / peak, 0.8, pct, '≥ 80%'));
  const m = row('M')?.train.find((q) => q.system === 'rnn-wasm');
  t.push(ge('LSTM training step (M, Trainer.trainBatch) ÷ peak', m && (m.tokPerSec * flops(row('M')!.config, 'train')) / peak, 0.6, pct, '≥ 60%'));
  return t;
}

function comparisonTable(r: ReportInput, kind: 'train' | 'infer'): string {
  const present = SYSTEMS.filter((s) => r.rows.some((x) => x[kind].some((q) => q.system === s)));
  const rows = r.rows.map((x) => {
    const c = x.config;
    const cells = present.map((s) => {
      const q = x[kind].find((y) => y.system === s);
      if (!q) return x.skipped.find((k) => k.system === s) ? 'skipped' : '—';
      if (s === 'rnn-wasm') {
        const gf = q.tokPerSec * flops(c, kind);
        return `${int(q.tokPerSec)} (${G(gf)} GFLOP/s, ${pct(gf / r.micro.peak)} of peak)`;
      }
      return `${int(q.tokPerSec)} (**${times(ratio(x[kind], s)!)}**)`;
    });
    const goals = Object.entries(GOALS[c.id]?.[kind] ?? {}).map(([peer, goal]) => {
      const v = ratio(x[kind], peer);
      return v === undefined ? null : `${peerResult(x[kind], peer)!.system} ≥ ${goal}×: ${v >= goal ? 'PASS' : 'MISS'}`;
    }).filter(Boolean);
    return [c.id, shape(c), ...cells, goals.join('; ') || '—'];
  });
  return table(['row', 'shape', ...present.map((s) => (s === 'brain.js' ? 'brain.js¹' : s)), 'targets'], rows);
}

function detailTable(r: ReportInput): string {
  const rows = r.rows.flatMap((x) => (['train', 'infer'] as const).flatMap((kind) => x[kind].map((q) => {
    const gf = q.tokPerSec * flops(x.config, kind);
    return [x.config.id, kind === 'train' ? 'training' : 'inference', q.system, `${ms(q.median)} (${ms(q.min)})`, int(q.tokens), int(q.tokPerSec),
      G(gf), pct(gf / r.micro.peak), `${q.reps} × ${q.calls}`, q.note ?? ''];
  })));
  return table(['row', 'pass', 'system', 'ms/call median (min)', 'tokens/call', 'tokens/s', 'eff. GFLOP/s', '% peak', 'reps × calls', 'call'], rows);
}

const PEER_NOTES = [
  '**rnn-wasm**: `Sequential([LSTM|GRU|RNN({ batchFirst: true }), Linear])`, `Trainer` with SGD lr 0.01 and `crossEntropy` on class ids (S: `mse`); ' +
    'inference `model.predict` (logits); streaming `model.step` on `initState(1)`. Source: bench/ours.ts. ' +
    'The M/L rows feed one-hot vectors as every peer gets them; rnn-wasm notices rows with at most K/8 nonzeros and computes their ' +
    'x·W_ihᵀ as a gather of W_ih\'s columns, and the W_ih gradient as adds into the columns under the nonzeros, instead of dense GEMMs ' +
    '(the others multiply the zeros). Measured at the commits that added them: M inference 16.4 → 14.2 ms, M training 40.5 → 38.6 → 36.1 ms ' +
    'and L training 447 → 423 ms per batch, the streaming step 11.9 → 9.9 µs. Dense inputs of the same shape take the GEMMs.',
  '**TF.js** (bench/peers/tfjs.ts): `tf.sequential([lstm|gru|simpleRNN({ returnSequences: true }), dense])`, compiled with `tf.train.sgd(0.01)` and ' +
    '`tf.losses.softmaxCrossEntropy` on one-hot targets (it has no sparse form with logits; S: meanSquaredError), one step = `await model.trainOnBatch(x, y)`. ' +
    'Wasm backend: `setThreadsCount(1)` must come before the backend initialises, and in Node `setWasmPaths()` must point at the package\'s dist/ folder; ' +
    'SIMD is detected (`WASM_HAS_SIMD_SUPPORT`). Loaded from an esbuild bundle of the packages\' ES modules: their Node builds lack the chained ops ' +
    'tfjs-layers needs (the `@tensorflow/tfjs` umbrella adds them). Keras defaults changed to match the others: sigmoid (not hard sigmoid) gates, ' +
    'glorotUniform recurrent init (orthogonal runs a QR in JS). tfjs-layers has no GRU `resetAfter: true` (PyTorch\'s form): its GRU resets before the matmul, same GEMM work. ' +
    'The cpu backend (pure JS) runs on S and M only (~3 s per M training step).',
  '**ONNX Runtime Web** (bench/peers/onnx.ts; a devDependency, run when installed; inference and streaming only): our inference model exported by the library\'s ' +
    '`exportOnnx` (rnn-wasm/interop: the LSTM/GRU/RNN node with PyTorch\'s gate blocks re-ordered, GRU `linear_before_reset = 1`, MatMul + Add for the head, ' +
    'Transposes for the batch-first layout; opset 17) with the row\'s fixed B and T, `InferenceSession` on the wasm execution provider with `numThreads = 1`, ' +
    '`await session.run({ input })` on the row\'s [B, T, I] input as predict takes it. Streaming: the export with `states: true`, hN/cN fed back as h0/c0.',
  '**brain.js** (bench/peers/brain.ts): no batches (one sequence per call); token models (`recurrent.LSTM/GRU/RNN`) take integer ids through a learned ' +
    '[vocab+1, 65] lookup, i.e. the same input GEMM as a one-hot, and predict the next id; S uses `recurrent.LSTMTimeStep` on vectors. Its update is ' +
    'built in (RMSprop-like, clipping at 5): lr 1e-4 (its default 1e-2 diverges within steps; `train()` silently resets the lr to that default unless passed again). ' +
    'Its RNN is ReLU only (tanh not offered) and its LSTM gates the previous hidden state where the cell state belongs: same GEMMs, different model.',
  '**PyTorch** (bench/peers/torch.py, driven over a pipe so its repetitions interleave with the others and timed in Python): ' +
    '`nn.LSTM|GRU|RNN(batch_first=True)` + `nn.Linear`, `CrossEntropyLoss`/`MSELoss`, `optim.SGD(lr=0.01)`, `torch.set_num_threads(1)`; inference under `inference_mode`. ' +
    'Debian\'s python3-torch does its GEMMs in the system\'s libblas.so.3, by default the reference BLAS (~25× slower than OpenBLAS here); ' +
    'when Debian\'s OpenBLAS (libopenblas0-pthread) is installed the bench also runs it on OpenBLAS (LD_LIBRARY_PATH for that process only, one thread). ' +
    'The PyTorch targets use the faster of the two. pip\'s wheels (MKL/oneDNN) may be faster still.',
];

export function render(r: ReportInput): string {
  const o: string[] = [];
  const cpu = os.cpus();
  o.push('# rnn-wasm against the libraries users would pick instead');
  o.push('');
  o.push('Written by `npm run bench` (bench/index.ts); every number below comes from that one run. ' +
    'Float32, one core for every system; "tokens" = batch × timesteps; training = forward + BPTT + one SGD update.');
  o.push('');
  o.push(`- Date: ${r.date.toISOString()}`);
  o.push(`- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()} ${os.arch()}; load average at start ${r.loadAvg.map((x) => x.toFixed(2)).join(' ')} (shared machine: expect ±10% between runs)`);
  o.push(`- Node ${process.version}, V8 ${process.versions.v8}`);
  for (const v of r.versions) o.push(`- ${v.name} ${v.version}${v.note ? ` — ${v.note}` : ''}`);
  o.push(`- ${r.micro.wasmInfo}`);
  for (const s of r.skippedPeers) o.push(`- ${s.system}: **skipped** — ${s.why}`);
  for (const w of [...r.warnings, ...r.micro.warnings]) o.push(`- ${w}`);
  o.push(`- Parts run: ${r.parts.join(', ')}. Time: ${r.seconds.total.toFixed(0)} s in all (${Object.entries(r.seconds.parts).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}).`);
  o.push(`- wasm SIMD peak (${r.micro.peakKind}, this run): **${G(r.micro.peak)} GFLOP/s**; "% of peak" below divides by it.`);
  o.push('');

  o.push('## Targets');
  o.push('');
  o.push(table(['target', 'measured', 'goal', 'result', 'margin'], targets(r).map((t) => [t.what, t.measured, t.goal, verdict(t), t.margin])));
  o.push('');

  if (r.rows.length) {
    o.push('## Training: tokens/s (median), and rnn-wasm ÷ peer in bold');
    o.push('');
    o.push(comparisonTable(r, 'train'));
    o.push('');
    o.push('## Inference: tokens/s (median), and rnn-wasm ÷ peer in bold');
    o.push('');
    o.push(comparisonTable(r, 'infer'));
    o.push('');
    o.push('¹ brain.js has no batches: it trains and runs one sequence at a time, so its tokens/s = T / time per sequence (the B sequences of the batch in turn).');
    o.push('');
    o.push(`"% of peak" divides by the wasm SIMD peak (4 lanes, ${r.micro.peakKind}); native PyTorch runs AVX2/AVX-512 FMA code, ` +
      'whose one-core matmul is given with the versions above, so it can exceed 100%.');
    o.push('');
    o.push(`GFLOP/s are effective: forward flops per token 2·G·H·(I+H) + 2·H·O (G = 4 LSTM, 3 GRU, 1 RNN), training 3× that; elementwise work is not counted. ` +
      `Method: every system of a row is warmed up (≥ ${WARM_MS} ms and 3 calls, or ≤ 10 s), then timed in interleaved repetitions of ≥ ${REP_MS} ms ` +
      `(${MIN_REPS}–${MAX_REPS} per system, capped at ~${JOB_BUDGET_MS / 1000} s of timed repetitions each, so slow peers get ${MIN_REPS}); medians. ` +
      `Before timing, each system trains ${CHECK_STEPS} steps on the row's batch (the timed model itself) and must lower its loss, or it is not timed (brain.js reports perplexity/100):`);
    o.push('');
    o.push(table(['row', ...SYSTEMS.filter((s) => r.rows.some((x) => x.checks.some((k) => k.system === s)))], r.rows.map((x) => [x.config.id,
      ...SYSTEMS.filter((s) => r.rows.some((y) => y.checks.some((k) => k.system === s))).map((s) => {
        const k = x.checks.find((q) => q.system === s);
        return k ? `${k.losses[0].toPrecision(6)} → ${k.losses[k.losses.length - 1].toPrecision(6)}${k.ok ? '' : ' ✗'}` : '—';
      })])));
    o.push('');
    const agree = r.rows.flatMap((x) => x.agreement.map((a) => `${x.config.id} ${a.maxAbsDiff.toExponential(1)}`));
    if (agree.length) {
      o.push(`ONNX Runtime Web has no training here; it runs our inference model (exported by exportOnnx) and is timed only if its logits agree with ours within ${AGREE_TOL} (largest |Δ|: ${agree.join(', ')}).`);
      o.push('');
    }
    const skipped = r.rows.flatMap((x) => x.skipped.map((k) => `- ${x.config.id}, ${k.system}: ${k.why}`));
    if (skipped.length) { o.push(...skipped); o.push(''); }
    o.push('### Every timing');
    o.push('');
    o.push(detailTable(r));
    o.push('');
  }

  if (r.seq2seq) {
    const q = r.seq2seq;
    o.push('## Seq2Seq: an encoder–decoder, training and teacher-forced inference');
    o.push('');
    o.push(`Configuration: ${seq2seqShape()}. Tokens = decoder tokens (B × T) per call.`);
    o.push('');
    o.push(table(['pass', 'system', 'ms/call median (min)', 'tokens/s', 'rnn-wasm ÷ system', 'reps × calls', 'call'], (['train', 'infer'] as const).flatMap((kind) => q[kind].map((x) => [
      kind === 'train' ? 'training' : 'inference', x.system, `${ms(x.median)} (${ms(x.min)})`, int(x.tokPerSec),
      x.system === 'rnn-wasm' ? '—' : `**${times(ratio(q[kind], x.system)!)}**`, `${x.reps} × ${x.calls}`, x.note ?? '']))));
    o.push('');
    o.push(`Both start from the same weights (ours, copied into TF.js: Keras kernels [in, 4H] with the same gate order, one bias b_ih + b_hh; the bridge as two Dense ` +
      `layers, one per state) and the same batch; the first losses must agree within ${LOSS_AGREE} before anything is timed ` +
      `(|Δ| = ${Number.isFinite(q.lossDiff) ? q.lossDiff.toExponential(1) : 'not measured'}). Losses over the 3 check steps: ` +
      `${q.checks.map((c) => `${c.system} ${c.losses.map((l) => l.toFixed(5)).join(' → ')}`).join('; ')}. ` +
      'TF.js: a functional model (`tf.input` ×2, LSTM `returnState`, Dense tanh ×2, LSTM `returnSequences` applied with `initialState: [h0, c0]`, Dense), `compile` with SGD and `softmaxCrossEntropy` on one-hot targets, `await model.trainOnBatch([source, x], y)`. PyTorch is not run on this row.');
    o.push('');
    for (const k of q.skipped) o.push(`- ${k.system}: ${k.why}`);
    if (q.skipped.length) o.push('');
  }

  o.push('## How each library is driven (and its quirks)');
  o.push('');
  o.push(...PEER_NOTES.map((n) => `- ${n}`));
  o.push('');

  if (r.stream.length) {
    o.push(`## Streaming: ${STREAM.cell} ${STREAM.I}→${STREAM.H} + linear ${STREAM.O} + softmax, batch 1, one timestep per call, state carried`);
    o.push('');
    const ours = r.stream.find((s) => s.system === 'rnn-wasm');
    o.push(table(['system', 'µs/step median', 'p90', 'steps timed', 'rnn-wasm ÷ system (speed)', 'call'], r.stream.map((s) => [
      s.system, s.medianUs.toFixed(1), s.p90Us.toFixed(1), int(s.steps), ours ? times(s.medianUs / ours.medianUs) : '—', s.note,
    ])));
    o.push('');
    o.push(`Each step timed alone (performance.now(); PyTorch: time.perf_counter in Python), ${STREAM_STEPS} steps per system after 300 warm-up steps, in interleaved blocks of 300. Target ≤ 12 µs.`);
    for (const n of r.streamNotes) o.push(`- ${n}`);
    o.push('');
  }

  if (r.cold.length) {
    o.push('## Cold start: fresh process → first M inference result (B=32, T=64)');
    o.push('');
    o.push(table(['system', 'ms median (min)', 'above its empty script', 'in-process part (child clock)', 'what the process does'], r.cold.map((c) => [
      c.system, `${c.medianMs.toFixed(0)} (${c.minMs.toFixed(0)})`, c.aboveBaselineMs === undefined ? '—' : `${c.aboveBaselineMs.toFixed(0)} ms`,
      c.childMs === undefined ? '—' : `${c.childMs.toFixed(0)} ms`, c.note,
    ])));
    o.push('');
    o.push(`Spawn to the child's "result" line, measured by the parent; median of ${COLD_RUNS} processes per system (interleaved, after one uncounted run each). ` +
      '"Above its empty script": the median minus that of an empty script of the same kind (CommonJS or ES module; Python for PyTorch), i.e. what the library adds to the runtime\'s own start-up. ' +
      'The child clock is performance.now() in the child at the result (from its time origin, so it excludes the executable\'s own start-up).');
    for (const ours of r.cold.filter((c) => c.system.startsWith('rnn-wasm'))) {
      if (ours.marks?.length !== 4 || ours.childMs === undefined) continue;
      const [start, imp, ini, built] = ours.marks;
      o.push(`- ${ours.system}, where its time goes (child clock, medians): the script starts at ${start.toFixed(0)} ms, loading the package ${(imp - start).toFixed(0)} ms, ` +
        `init() (wasm compile + instantiate) ${(ini - imp).toFixed(0)} ms, building the model and its input ${(built - ini).toFixed(0)} ms, ` +
        `the first predict ${(ours.childMs - built).toFixed(0)} ms (a warm predict: see the M inference row; the first runs partly on V8's baseline wasm code and first touches its memory).`);
    }
    for (const n of r.coldNotes) o.push(`- ${n}`);
    o.push('');
  }

  if (r.size.length) {
    o.push('## Size: what a user ships');
    o.push('');
    o.push(table(['system', 'what', 'JS minified', 'JS gzip', 'wasm', 'wasm gzip', 'total minified', 'total gzip'], r.size.map((s) => [
      s.system, s.what, int(s.jsMin), int(s.jsGz), int(s.wasm), int(s.wasmGz), `**${kb(s.jsMin + s.wasm)}**`, kb(s.jsGz + s.wasmGz),
    ])));
    o.push('');
    o.push('Bytes; kB = 1000 B. JS: esbuild --bundle --minify --format=esm --platform=browser (node:* external); gzip level 9.');
    for (const n of r.sizeNotes) o.push(`- ${n}`);
    o.push('');
  }

  o.push('## Our kernels against the machine');
  o.push('');
  o.push(...r.micro.lines);
  o.push('');
  return o.join('\n');
}
