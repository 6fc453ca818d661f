// The demo page: a character LSTM (Embedding → LSTM → Linear) trained on the text in the box, in a
// Web Worker through TrainingWorker, with the loss drawn live and a sample of text at the end;
// ‖∂E/∂h_k‖ against the distance k from the error for a tanh RNN and an LSTM on the adding problem;
// and a pen model completing the letter the user starts drawing (pen.ts). Plain DOM and canvas.
// Imports the package as an application would: rnn-wasm, rnn-wasm/train, rnn-wasm/worker,
// rnn-wasm/seq2seq, rnn-wasm/sketch (bundled by build.mjs).
import { init, runtimeInfo, CharTokenizer, Embedding, Linear, LSTM, RNN, Sequential } from 'rnn-wasm';
import { datasetSize, gradientFlow, shuffledIndices, takeSamples, textDataset, Trainer, type GradientFlow, type SequenceDataset } from 'rnn-wasm/train';
import { TrainingWorker, type RemoteTrainerOptions } from 'rnn-wasm/worker';
import { addingProblem } from '../tasks/adding-data.js';
import { LineChart, thousands } from './chart.js';
import { startPen, type PenState, type PenTraining } from './pen.js';

/** What the page did, for people in the console and for test/runtimes/web-demo.test.ts. */
export interface DemoState {
  ready: boolean;
  /** The wasm build the page and its workers use. */
  simd: string;
  runs: TrainingRun[];
  flow?: FlowReport;
  /** What the training worker runs on (its runtimeInfo()), once it has answered. */
  worker?: { build: string; threads: number; cores: number; threadsNote?: string };
  /** The handwriting section (pen.ts). */
  pen: PenState;
  errors: string[];
}

/** A run of the character model: what every training run records (pen.ts), and its text. */
export interface TrainingRun extends PenTraining {
  mode: 'worker' | 'main';
  vocabulary: string;
  sample?: string;
}

export interface FlowReport {
  T: number;
  status: 'untrained' | 'training' | 'done' | 'error';
  steps: number;
  /** ‖∂E/∂h_{T−1−d}‖ / ‖∂E/∂h_{T−1}‖ for d = 0 … T − 1, before and after training. */
  untrained: { rnn: number[]; lstm: number[] };
  trained: { rnn?: number[]; lstm?: number[] };
  /** Test MSE after training (always predicting 1 scores ≈ 0.167). */
  mse: { rnn?: number; lstm?: number };
}

declare global {
  interface Window {
    demo: DemoState;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const simd = (params.get('simd') ?? 'auto') as 'auto' | 'plain' | 'relaxed';
// the training workers' threads (where the page is cross-origin isolated): a count, or auto
const threads = params.has('threads') ? Number(params.get('threads')) : 'auto';
const demo: DemoState = (window.demo = {
  ready: false, simd, runs: [], errors: [],
  pen: { ready: false, model: 'file', view: { x0: 0, y0: 0, unit: 1 }, strokes: 0, pending: false, completions: [], training: [] },
});

const text = $<HTMLTextAreaElement>('text');
const hidden = $<HTMLSelectElement>('hidden');
const seconds = $<HTMLInputElement>('seconds');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const status = $('status');
const temperature = $<HTMLInputElement>('temperature');
const resample = $<HTMLButtonElement>('resample');
const sampleOut = $('sample');
const lossCanvas = $<HTMLCanvasElement>('loss');
const flowCanvas = $<HTMLCanvasElement>('flow');
const flowSteps = $<HTMLInputElement>('flow-steps');
const flowButton = $<HTMLButtonElement>('flow-train');
const flowStatus = $('flow-status');

for (const [name, input] of [['hidden', hidden], ['seconds', seconds], ['flowSteps', flowSteps]] as const) {
  if (params.has(name)) input.value = params.get(name)!;
}

// ---- the main thread's heartbeat: a 10 ms timer; the longest gap between ticks is how long the page froze

const heartbeat = { last: performance.now(), start: 0, maxGap: 0, maxGapAt: 0, phase: 0, gaps: [] as number[] };
const beat = $('beat');
setInterval(() => {
  const now = performance.now();
  if (now - heartbeat.last > heartbeat.maxGap) {
    heartbeat.maxGap = now - heartbeat.last;
    heartbeat.maxGapAt = (now - heartbeat.start) / 1000;
  }
  if (heartbeat.gaps.length < 100_000) heartbeat.gaps.push(now - heartbeat.last);
  heartbeat.last = now;
  heartbeat.phase = (heartbeat.phase + 1) % 100;
  beat.style.transform = `translateX(${heartbeat.phase}%)`;
}, 10);
/** Start measuring; the returned function waits for a tick after the work and gives the longest gap. */
function measureGaps(): () => Promise<{ maxGapMs: number; maxGapAt: number; ticks: number; p95GapMs: number }> {
  heartbeat.maxGap = 0;
  heartbeat.gaps.length = 0;
  heartbeat.start = heartbeat.last = performance.now();
  return () => new Promise((resolve) => setTimeout(() => {
    const sorted = [...heartbeat.gaps].sort((a, b) => a - b);
    const p95GapMs = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] : Infinity;
    resolve({ maxGapMs: heartbeat.maxGap, maxGapAt: heartbeat.maxGapAt, ticks: heartbeat.gaps.length, p95GapMs });
  }, 30));
}

// ---- 1. a character model trained in a worker

const SEQ_LENGTH = 64, BATCH = 32;
const TRAINER: RemoteTrainerOptions = { loss: 'crossEntropy', optimizer: { type: 'adam', lr: 1e-2 }, clip: { maxNorm: 1 } };
const lossChart = new LineChart(lossCanvas, { xLabel: 'training step', yLabel: 'loss (nats/char)' });
let worker: TrainingWorker | undefined;
let model: Sequential | undefined;
let abort: AbortController | undefined;

/** A worker running serveTraining() (train-worker.ts: it trains Sequential and pen models), loading the same wasm build as the page. */
function startWorker(): TrainingWorker {
  return new TrainingWorker(new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }), { simd, threads });
}

function charModel(tok: CharTokenizer, size: number): Sequential {
  return new Sequential([
    new Embedding({ numEmbeddings: tok.size, embeddingDim: 16, seed: 1 }),
    new LSTM({ inputSize: 16, hiddenSize: size, batchFirst: true, seed: 2 }),
    new Linear({ inFeatures: size, outFeatures: tok.size, seed: 3 }),
  ], { vocabulary: tok.vocabulary });
}

async function train(): Promise<void> {
  const source = text.value;
  if ([...source].length < 4 * SEQ_LENGTH) throw new Error(`the text is too short: give at least ${4 * SEQ_LENGTH} characters`);
  const mode = ($<HTMLInputElement>('mode-main').checked ? 'main' : 'worker') as TrainingRun['mode'];
  const budget = Math.max(0.5, Number(seconds.value) || 20);
  const tok = CharTokenizer.fromText(source);
  const data = textDataset(tok.encode(source), { seqLength: SEQ_LENGTH, stride: SEQ_LENGTH / 2 });
  model?.dispose();
  const size = Number(hidden.value);
  const m = (model = charModel(tok, size));
  const run: TrainingRun = { mode, status: 'running', progress: 0, losses: [], steps: 0, seconds: 0, maxGapMs: 0, maxGapAt: 0, ticks: 0, p95GapMs: 0, vocabulary: tok.vocabulary };
  demo.runs.push(run);
  const draw = () => {
    lossChart.set([{ label: `LSTM ${size}, ${mode === 'worker' ? 'in a worker' : 'on the main thread'}`, color: '#1f6fd1', points: run.losses }]);
    const last = run.losses.at(-1);
    lossCanvas.setAttribute('aria-label', last ? `Training loss chart: ${run.losses.length} points, from ${run.losses[0][1].toFixed(2)} down to ${last[1].toFixed(2)} at step ${last[0]}` : 'Training loss chart: no points yet');
  };
  const progress = (step: number, loss: number, perSecond: number) => {
    run.progress++;
    run.steps = step;
    run.losses.push([step, loss]);
    status.textContent = `step ${step} · loss ${loss.toFixed(3)} · ${thousands(perSecond)} chars/s · ${tok.size} distinct characters`;
    draw();
  };

  setBusy(true);
  sampleOut.textContent = '…';
  status.textContent = mode === 'worker' ? 'Starting the worker…' : 'Training on the main thread: the page is frozen until it ends…';
  draw();
  // let the page paint the message before a main-thread run blocks it
  await new Promise((resolve) => setTimeout(resolve, 50));
  const gaps = measureGaps();
  const t0 = performance.now();
  try {
    if (mode === 'worker') {
      worker ??= startWorker();
      abort = new AbortController();
      const history = await worker.fit(m, data, {
        trainer: TRAINER,
        fit: { epochs: 1_000_000, batchSize: BATCH, maxSeconds: budget },
        onBatchEnd: (s) => progress(s.step, s.loss, s.tokensPerSecond),
        signal: abort.signal,
        batchEveryMs: 50,
      });
      run.status = history.stopped === 'aborted' ? 'aborted' : 'done';
      run.steps = history.steps;
    } else {
      // The control: the same training as a synchronous loop of trainBatch. (Trainer.fit itself
      // yields to the event loop every ~16 ms, so even on the main thread the page keeps
      // painting; the loop below is what training without a worker and without yielding costs.)
      const trainer = new Trainer(m, TRAINER);
      const n = datasetSize(data);
      let batches = 0, tokens = 0;
      outer: for (let epoch = 1; ; epoch++) {
        const order = shuffledIndices(n, epoch);
        for (let i = 0; i < n; i += BATCH) {
          const r = trainer.trainBatch(takeSamples(data, order.subarray(i, i + BATCH)));
          tokens += r.tokens;
          progress(++batches, r.loss, tokens / ((performance.now() - t0) / 1000));
          if (performance.now() - t0 >= budget * 1000) break outer;
        }
      }
      run.status = 'done';
    }
  } finally {
    run.seconds = (performance.now() - t0) / 1000;
    Object.assign(run, await gaps());
    setBusy(false);
    $('gap').textContent = `longest pause while training: ${thousands(run.maxGapMs)} ms`;
  }
  status.textContent = `${run.status === 'aborted' ? 'Stopped' : 'Trained'}: ${run.steps} steps in ${run.seconds.toFixed(1)} s, loss ${run.losses.at(-1)?.[1].toFixed(3) ?? '–'} ` +
    `(a uniform guess over ${tok.size} characters scores ${Math.log(tok.size).toFixed(2)}).`;
  sample();
}

function sample(): void {
  if (!model) return;
  const t = Number(temperature.value);
  const out = model.sample({ length: 600, temperature: t, topK: 20, seed: Math.floor(Math.random() * 2 ** 31) });
  sampleOut.textContent = out.replace(/^\n+/, ''); // it starts after a newline
  const run = demo.runs.at(-1);
  if (run) run.sample = out;
}

function setBusy(busy: boolean): void {
  trainButton.disabled = busy;
  stopButton.disabled = !busy;
  resample.disabled = busy || !model;
}

// ---- 2. the vanishing gradient: ‖∂E/∂h_k‖ for a tanh RNN and an LSTM on the adding problem

const FLOW_T = 50, FLOW_H = 16, FLOW_EPOCH = 100;
const probe = addingProblem(64, FLOW_T, 99);
const colors = { rnn: '#d1491f', lstm: '#1f6fd1' };
const names = { rnn: 'tanh RNN', lstm: 'LSTM' };
const flowChart = new LineChart(flowCanvas, {
  xLabel: 'distance from the error, k (steps back)',
  yLabel: '‖∂E/∂h‖ relative to k = 0',
  logY: true,
  xRange: [0, FLOW_T - 1],
  yMin: 1e-16,
  legend: 'bottom-left',
});
let flow: FlowReport;

function addingModel(cell: 'rnn' | 'lstm'): Sequential {
  const rec = cell === 'lstm'
    ? new LSTM({ inputSize: 2, hiddenSize: FLOW_H, batchFirst: true, seed: 1 })
    : new RNN({ inputSize: 2, hiddenSize: FLOW_H, nonlinearity: 'tanh', batchFirst: true, seed: 1 });
  return new Sequential([rec, new Linear({ inFeatures: FLOW_H, outFeatures: 1, seed: 2 })], { output: 'last' });
}

/** ‖∂E/∂h_{T−1−d}‖ / ‖∂E/∂h_{T−1}‖ by distance d, from gradientFlow's per-step norms. */
function byDistance(f: GradientFlow): number[] {
  const n = f.layers[0].norms;
  return Array.from({ length: f.T }, (_, d) => n[f.T - 1 - d] / n[f.T - 1]);
}

function drawFlow(): void {
  const series = (['rnn', 'lstm'] as const).flatMap((cell) => {
    const trained = flow.trained[cell], mse = flow.mse[cell];
    const label = `${names[cell]}${mse === undefined ? '' : `, after ${flow.steps} steps (test MSE ${mse.toFixed(3)})`}`;
    return [
      { label: `${names[cell]}, untrained`, color: colors[cell], dashed: true, points: flow.untrained[cell].map((v, d): [number, number] => [d, v]) },
      ...(trained ? [{ label, color: colors[cell], points: trained.map((v, d): [number, number] => [d, v]) }] : []),
    ];
  });
  flowChart.set(series);
  const far = FLOW_T - 10;
  const summary = (['rnn', 'lstm'] as const).map((cell) => `${names[cell]} ${(flow.trained[cell] ?? flow.untrained[cell])[far].toExponential(1)}`).join(', ');
  flowCanvas.setAttribute('aria-label', `Gradient flow chart, log scale: the gradient ${far} steps back from the error is ${summary} of its size at the error`);
}

function untrainedFlow(): void {
  const report = { rnn: [] as number[], lstm: [] as number[] };
  for (const cell of ['rnn', 'lstm'] as const) {
    const m = addingModel(cell);
    report[cell] = byDistance(gradientFlow(m, probe, { loss: 'mse' }));
    m.dispose();
  }
  flow = demo.flow = { T: FLOW_T, status: 'untrained', steps: 0, untrained: report, trained: {}, mse: {} };
  drawFlow();
}

async function trainFlow(): Promise<void> {
  const steps = Math.max(FLOW_EPOCH, Math.round((Number(flowSteps.value) || 1500) / FLOW_EPOCH) * FLOW_EPOCH);
  flow.status = 'training';
  flow.trained = {};
  flow.mse = {};
  flow.steps = 0;
  flowButton.disabled = true;
  // a worker of its own, so it can run beside the text model's training
  const flowWorker = startWorker();
  const data = addingProblem(FLOW_EPOCH * 32, FLOW_T, 7), test = addingProblem(500, FLOW_T, 8);
  try {
    for (const cell of ['rnn', 'lstm'] as const) {
      const m = addingModel(cell);
      try {
        await flowWorker.fit(m, data, {
          trainer: { loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clip: { maxNorm: 1 } },
          // every epoch (100 steps) the worker reports gradientFlow(model, probe) and the test MSE
          fit: { epochs: steps / FLOW_EPOCH, batchSize: 32, validation: test, report: { gradientFlow: probe } },
          onEpochEnd: (s) => {
            flow.trained[cell] = byDistance(s.gradientFlow!);
            flow.mse[cell] = s.valLoss;
            flow.steps = s.epoch * FLOW_EPOCH;
            flowStatus.textContent = `Training the ${names[cell]} in a worker: step ${flow.steps} of ${steps}, test MSE ${s.valLoss!.toFixed(3)}`;
            drawFlow();
          },
        });
      } finally {
        m.dispose();
      }
    }
    flow.steps = steps;
    flow.status = 'done';
    const far = FLOW_T - 10;
    flowStatus.textContent = `After ${steps} steps each, ${far} steps back from the error the LSTM keeps ${flow.trained.lstm![far].toExponential(1)} ` +
      `of the gradient and the tanh RNN ${flow.trained.rnn![far].toExponential(1)}.`;
    drawFlow();
  } catch (e) {
    flow.status = 'error';
    throw e;
  } finally {
    flowWorker.terminate();
    flowButton.disabled = false;
  }
}

// ---- wiring

function report(where: HTMLElement) {
  return (e: unknown) => {
    const message = e instanceof Error ? (e.name === 'Error' ? e.message : `${e.name}: ${e.message}`) : String(e);
    demo.errors.push(message);
    where.textContent = `Error — ${message}`;
    console.error(e);
  };
}

trainButton.addEventListener('click', () => void train().catch(report(status)));
stopButton.addEventListener('click', () => abort?.abort());
resample.addEventListener('click', sample);
temperature.addEventListener('input', () => ($('temperature-value').textContent = Number(temperature.value).toFixed(1)));
flowButton.addEventListener('click', () => void trainFlow().catch(report(flowStatus)));

async function start(): Promise<void> {
  const [seed] = await Promise.all([fetch(new URL('./seed.txt', import.meta.url)).then((r) => r.text()), init({ simd })]);
  if (!text.value) text.value = seed;
  const info = runtimeInfo();
  demo.simd = info.simd;
  const loaded = `WebAssembly SIMD loaded (${info.simd === 'relaxed' ? 'relaxed-SIMD build, with fused multiply-add' : 'fixed-width SIMD build'}).`;
  $('runtime').textContent = loaded;
  untrainedFlow();
  worker = startWorker(); // ready before the first click: asking what it runs on loads its wasm
  void worker.runtimeInfo().then((w) => {
    demo.worker = { build: w.build, threads: w.threads, cores: w.cores, threadsNote: w.threadsNote };
    $('runtime').textContent = `${loaded} The worker trains on ${w.threads === 1 ? 'one thread' : `${w.threads} threads`}` +
      (w.threadsNote ? ` (${w.threadsNote}).` : '.');
  }, report($('runtime')));
  trainButton.disabled = false;
  flowButton.disabled = false;
  demo.ready = true;
  await startPen({ pen: demo.pen, startWorker, measureGaps, report, params });
}

void start().catch(report($('runtime')));
