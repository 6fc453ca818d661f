// The comparison rows: for each configuration of suite.ts, ours (at 1 thread and at N, all
// threads) and every available peer are built on the same data, checked to actually train (the
// loss falls over a few steps on the timed model itself — a broken setup is never timed), then
// timed together (compare.ts) with the machine's references (machine.ts) in the same round-robin.
import { performance } from 'node:perf_hooks';
import { compare, median, type Job, type Result } from './compare.js';
import { splitRefs, type Machine, type MachineRef } from './machine.js';
import { oursRow, oursStream, oursSystem, SYSTEM as OURS } from './ours.js';
import { brainRow } from './peers/brain.js';
import { ortRow, ortStream, SYSTEM as ORT, type OrtPeer } from './peers/onnx.js';
import { systemName, tfjsRow, tfjsStream, type Backend, type Tfjs } from './peers/tfjs.js';
import type { Torch } from './peers/torch.js';
import { CONFIGS, makeData, softmaxRow, STREAM, STREAM_STEPS, type Config } from './suite.js';

export const CHECK_STEPS = 3;
/** TF.js's pure-JS backend only where it finishes in time (~3 s a training step at M). */
export const TFJS_CPU_ROWS = new Set(['S', 'M']);
/** PyTorch on the reference BLAS: not at L (~4 s a step; the OpenBLAS run is the comparison there). */
const REF_BLAS_SKIP = new Set(['L']);
/** An inference-only peer that runs our weights must give our logits within this (max |Δ|). */
export const AGREE_TOL = 1e-4;

export interface Check { system: string; losses: number[]; ok: boolean }
export interface RowResult {
  config: Config;
  train: Result[];
  infer: Result[];
  checks: Check[];
  /** Systems left out of this row, with the reason. */
  skipped: { system: string; why: string }[];
  /** Inference-only peers running our weights: their largest |logit − ours| on the row's input. */
  agreement: { system: string; maxAbsDiff: number }[];
  /** The machine's references measured in the training set and in the inference set. */
  machine: { train: MachineRef; infer: MachineRef };
}

/** A PyTorch variant that could not start, shown as a "not run" column. */
export interface NotRun { system: string; why: string }

export interface Peers {
  tfjs?: Tfjs;
  torches: Torch[];
  torchNotRun: NotRun[];
  brain: boolean;
  ort?: OrtPeer;
  machine: Machine;
}

interface Sys { system: string; train: Job; infer: Job; check: (n: number) => number[] | Promise<number[]>; dispose?: () => void }

export const lossOk = (l: number[]): boolean => l.every(Number.isFinite) && l[l.length - 1] < l[0];

/**
 * Train each system CHECK_STEPS steps on the set's batch: those whose loss falls are timed (`ok`),
 * the others go to `skipped` with their losses. Logged under `label`.
 */
export async function checkSystems<S extends { system: string; check: (n: number) => number[] | Promise<number[]> }>(
  systems: readonly S[], skipped: { system: string; why: string }[], label: string, log: (s: string) => void,
): Promise<{ checks: Check[]; ok: S[] }> {
  const checks: Check[] = [];
  const ok: S[] = [];
  for (const s of systems) {
    const losses = await s.check(CHECK_STEPS);
    const good = lossOk(losses);
    checks.push({ system: s.system, losses, ok: good });
    if (good) ok.push(s);
    else skipped.push({ system: s.system, why: `loss did not fall over ${CHECK_STEPS} steps (${losses.map((l) => l.toPrecision(4)).join(' → ')}): not timed` });
  }
  log(`${label}: checks ${checks.map((k) => `${k.system} ${k.losses[0].toPrecision(4)}→${k.losses[k.losses.length - 1].toPrecision(4)}`).join(', ')}`);
  return { checks, ok };
}

export async function runRows(peers: Peers, log: (s: string) => void, only?: Set<string>): Promise<RowResult[]> {
  const N = peers.machine.n;
  const out: RowResult[] = [];
  for (const c of CONFIGS) {
    if (only && !only.has(c.id)) continue;
    const t0 = performance.now();
    const d = makeData(c);
    const skipped: RowResult['skipped'] = [];
    const systems: Sys[] = [];
    const ours = oursRow(c, d);
    for (const k of N > 1 ? [1, N] : [1]) systems.push({ system: oursSystem(k), train: ours.train(k), infer: ours.infer(k), check: ours.checkOn(k) });
    const backends: Backend[] = TFJS_CPU_ROWS.has(c.id) ? ['wasm', 'cpu'] : ['wasm'];
    if (peers.tfjs) for (const b of backends) systems.push({ system: systemName(b), ...(await tfjsRow(peers.tfjs, b, c, d)) });
    if (peers.tfjs && !TFJS_CPU_ROWS.has(c.id)) skipped.push({ system: 'TF.js cpu', why: 'not run: pure-JS backend too slow for the time budget' });
    if (peers.brain) systems.push({ system: 'brain.js', ...brainRow(c, d) });
    for (const t of peers.torches) {
      if (t.blasInfo.kind === 'reference' && REF_BLAS_SKIP.has(c.id) && peers.torches.length > 1) skipped.push({ system: t.system, why: 'not run: reference BLAS too slow for the time budget' });
      else systems.push({ system: t.system, ...(await t.row(c, d)) });
    }
    for (const t of peers.torchNotRun) skipped.push({ system: t.system, why: `not run: ${t.why}` });

    // inference only, on our inference model's weights: checked by agreement with our logits
    const inferOnly: { infer: Job; dispose: () => void }[] = [];
    const agreement: RowResult['agreement'] = [];
    if (peers.ort) {
      const o = await ortRow(peers.ort, c, d, ours.model, ours.logits());
      agreement.push({ system: ORT, maxAbsDiff: o.maxAbsDiff });
      if (o.maxAbsDiff <= AGREE_TOL) inferOnly.push(o);
      else {
        skipped.push({ system: ORT, why: `its logits differ from ours by up to ${o.maxAbsDiff.toPrecision(3)} (> ${AGREE_TOL}): not timed` });
        o.dispose();
      }
    }

    const { checks, ok } = await checkSystems(systems, skipped, c.id, log);
    const stuck = checks.find((k) => !k.ok && k.system.startsWith(OURS));
    if (stuck) throw new Error(`bench: ${c.id}: rnn-wasm does not train: losses ${stuck.losses.join(', ')}`);
    log(`${c.id} train`);
    const train = splitRefs(peers.machine, await compare([...peers.machine.jobs(), ...ok.map((s) => s.train)], log));
    log(`${c.id} infer`);
    const infer = splitRefs(peers.machine, await compare([...peers.machine.jobs(), ...ok.map((s) => s.infer), ...inferOnly.map((s) => s.infer)], log));
    for (const s of [...systems, ...inferOnly]) s.dispose?.();
    ours.dispose();
    out.push({ config: c, train: train.systems, infer: infer.systems, checks, skipped, agreement, machine: { train: train.machine, infer: infer.machine } });
    log(`${c.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}

export interface StreamResult { system: string; medianUs: number; p90Us: number; steps: number; note: string }

/**
 * Streaming: per-step times (one `step` = one timestep of batch 1, state carried, softmax
 * probabilities out), in interleaved blocks; the median is over single steps.
 */
export async function runStream(peers: { tfjs?: Tfjs; torches: Torch[]; ort?: OrtPeer }, log: (s: string) => void): Promise<StreamResult[]> {
  const BLOCK = 300, WARM = 300;
  type S = { system: string; note: string; block: (n: number) => Promise<number[]>; dispose?: () => void };
  // a synchronous step is not awaited (an await would add a microtask to its time)
  const perStep = (step: () => void | Promise<void>) => async (n: number) => {
    const us: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const pending = step();
      if (pending) await pending;
      us.push((performance.now() - t0) * 1e3);
    }
    return us;
  };
  const systems: S[] = [];
  const o = oursStream();
  systems.push({ system: OURS, note: 'model.step(x, state) + softmax in JS', block: perStep(o.step), dispose: o.dispose });
  if (peers.tfjs) {
    const t = await tfjsStream(peers.tfjs);
    systems.push({ system: 'TF.js wasm', note: 'stateful LSTM, batchInputShape [1, 1, 65]: predict + dataSync', block: perStep(t.step), dispose: t.dispose });
  }
  if (peers.ort) {
    const t = await ortStream(peers.ort, STREAM, o.model, softmaxRow);
    systems.push({ system: ORT, note: 'exportOnnx(model, { states: true }), T = 1: await session.run({ input, h0, c0 }) with hN/cN fed back, + softmax in JS', block: perStep(t.step), dispose: t.dispose });
  }
  for (const t of peers.torches) {
    systems.push({ system: t.system, note: 'model(x, state) + softmax under inference_mode, timed in Python', block: (n) => t.stream(n) });
  }
  for (const s of systems) await s.block(WARM);
  const all = systems.map(() => [] as number[]);
  for (let done = 0; done < STREAM_STEPS; done += BLOCK) {
    for (let i = 0; i < systems.length; i++) all[i].push(...(await systems[i].block(BLOCK)));
  }
  for (const s of systems) s.dispose?.();
  return systems.map((s, i) => {
    const sorted = [...all[i]].sort((a, b) => a - b);
    const r = { system: s.system, medianUs: median(sorted), p90Us: sorted[Math.floor(0.9 * sorted.length)], steps: sorted.length, note: s.note };
    log(`stream ${s.system}: ${r.medianUs.toFixed(1)} µs median`);
    return r;
  });
}
