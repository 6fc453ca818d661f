// The character-LM recipe of examples/char-lm.ts with --hidden 256 (imported from it, not
// copied): Embedding(V→32) → LSTM(32→256) → Linear(256→V) on data/tinyshakespeare.txt, 32
// streams, truncated BPTT over 64 characters, Adam lr 2e-3, global-norm clipping at 1.
//   (a) a row: one training step of the recipe (B = 32, T = 64) by rnn-wasm at 1 and N threads
//       and by PyTorch (the same model in torch.py) on each BLAS and thread count, interleaved
//       with the machine's references;
//   (b) a run: the recipe trained on all threads for a fixed training time (the example's
//       maxSeconds), then the validation loss in nats/char measured as the example measures it,
//       against the target (≤ 1.75 within 180 s) and the unigram entropy.
import { performance } from 'node:perf_hooks';
import { setThreads } from '../src/index.js';
import { DATA_DIR } from '../src/data/files.js';
import { CLIP, EMBED, LR, makeModel, makeTrainer, STREAMS, TBPTT, trainFor, validate } from '../examples/char-lm.js';
import { charCorpus, unigramEntropy } from '../examples/tasks/text.js';
import { compare, syncJob, type Result } from './compare.js';
import { onThreads, splitRefs, type Machine, type MachineRef } from './machine.js';
import { oursSystem } from './ours.js';
import type { Torch } from './peers/torch.js';
import { checkSystems, type Check, type NotRun } from './rows.js';

export const CHARLM = { H: 256, E: EMBED, B: STREAMS, T: TBPTT, lr: LR, clip: CLIP } as const;
/** The goal: validation ≤ 1.75 nats/char within 180 s of training. */
export const CHARLM_GOAL = { nats: 1.75, seconds: 180 } as const;

export interface CharlmRun {
  /** Training time asked for (fit's maxSeconds) and what fit ran. */
  seconds: number;
  trainSeconds: number;
  steps: number;
  tokens: number;
  threads: number;
  stopped: string;
  /** Mean training loss of the last 50 steps. */
  trainLoss: number;
  valid: number;
  validSeconds: number;
  unigram: number;
  /** The machine's references measured right after the run (the run itself cannot interleave). */
  machineAfter?: MachineRef;
}

export interface CharlmResult {
  V: number;
  parameters: number;
  corpus: { train: number; valid: number };
  train: Result[];
  checks: Check[];
  skipped: NotRun[];
  /** The machine's references of the row's set (when the row ran). */
  machine?: MachineRef;
  run?: CharlmRun;
}

export const charlmShape = (V: number): string =>
  `Embedding(${V}→${CHARLM.E}) → LSTM(${CHARLM.E}→${CHARLM.H}) → Linear(${CHARLM.H}→${V}), softmax CE on the next character, ` +
  `Adam lr ${CHARLM.lr}, clip max-norm ${CHARLM.clip}, B = ${CHARLM.B} streams × T = ${CHARLM.T} characters`;

export async function runCharlm(peers: { torches: Torch[]; torchNotRun: NotRun[]; machine: Machine }, log: (s: string) => void, opts: { seconds: number; row: boolean }): Promise<CharlmResult> {
  const N = peers.machine.n;
  const corpus = await charCorpus(new URL('tinyshakespeare.txt', DATA_DIR));
  const V = corpus.tokenizer.size;
  const { B, T, H } = CHARLM;
  // the row's batch: the first 64-character window of each of the 32 streams (as fit cuts them)
  const S = Math.floor((corpus.train.length - 1) / B);
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      x[b * T + t] = corpus.train[b * S + t];
      y[b * T + t] = corpus.train[b * S + t + 1];
    }
  }
  const batch = { x, xShape: [B, T], y, yShape: [B, T] };
  const result: CharlmResult = {
    V, parameters: 0, corpus: { train: corpus.train.length, valid: corpus.valid.length },
    train: [], checks: [], skipped: [...peers.torchNotRun.map((t) => ({ system: t.system, why: `not run: ${t.why}` }))],
  };

  if (opts.row) {
    const model = makeModel(corpus, H, 1);
    result.parameters = model.parameterCount;
    const trainer = makeTrainer(model);
    const note = 'Trainer.trainBatch (Embedding fused into the LSTM input, BPTT, clip, Adam)';
    const systems: { system: string; job: ReturnType<typeof syncJob>; check: (n: number) => Promise<number[]> }[] = [];
    for (const k of N > 1 ? [1, N] : [1]) {
      systems.push({
        system: oursSystem(k),
        job: onThreads(syncJob(oursSystem(k), B * T, () => { trainer.trainBatch(batch); }, note), k),
        check: async (n) => { await setThreads(k); return Array.from({ length: n }, () => trainer.trainBatch(batch).loss); },
      });
    }
    for (const t of peers.torches) {
      const r = await t.charlmRow({ B, T, V, E: CHARLM.E, H, lr: CHARLM.lr, clip: CHARLM.clip }, x, y, 'zero_grad, Embedding + LSTM + Linear, CrossEntropyLoss, backward, clip_grad_norm_, Adam step');
      systems.push({ system: t.system, job: r.train, check: r.check });
    }
    const { checks, ok } = await checkSystems(systems, result.skipped, 'charlm', log);
    result.checks = checks;
    const r = splitRefs(peers.machine, await compare([...peers.machine.jobs(), ...ok.map((s) => s.job)], log));
    result.train = r.systems;
    result.machine = r.machine;
    model.dispose();
  }

  if (opts.seconds > 0) {
    await setThreads(N);
    const model = makeModel(corpus, H, 1);
    result.parameters = model.parameterCount;
    const trainer = makeTrainer(model);
    const losses: number[] = [];
    let tokens = 0, lastLog = performance.now();
    const t0 = performance.now();
    log(`charlm run: ${opts.seconds} s of training on ${N} thread(s)…`);
    const history = await trainFor(trainer, corpus, opts.seconds, {
      onBatchEnd: (s) => {
        losses.push(s.loss);
        tokens += s.tokens;
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          log(`  charlm run: ${((lastLog - t0) / 1000).toFixed(0)} s, step ${s.step}, loss ${s.loss.toFixed(3)}, ${Math.round(tokens / ((lastLog - t0) / 1000)).toLocaleString('en-US')} chars/s`);
        }
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const tv = performance.now();
    const valid = validate(trainer, corpus);
    const validSeconds = (performance.now() - tv) / 1000;
    const tail = losses.slice(-50);
    result.run = {
      seconds: opts.seconds, trainSeconds, steps: history.steps, tokens, threads: N, stopped: history.stopped,
      trainLoss: tail.reduce((a, b) => a + b, 0) / tail.length, valid, validSeconds,
      unigram: unigramEntropy(corpus.train, V),
    };
    log(`charlm run: ${history.steps} steps in ${trainSeconds.toFixed(0)} s, validation ${valid.toFixed(3)} nats/char (evaluated in ${validSeconds.toFixed(0)} s)`);
    model.dispose();
    // the machine right after the run: the conditions it trained under, as near as can be told
    result.run.machineAfter = splitRefs(peers.machine, await compare(peers.machine.jobs(), log)).machine;
  }
  return result;
}
