// The demo's handwriting section: the user draws the start of a letter on a canvas (Pointer
// Events: mouse, touch or pen), and a pen model — a Seq2Seq conditioned on the letter and the font,
// with a mixture-density head — completes it live: the user's strokes go through the network
// (SketchStream.feed), then the points it samples (SketchStream.next) are drawn a few per animation
// frame. The model is the one examples/handwriting.ts trained and saved (handwriting.safetensors,
// with handwriting.json saying what it was trained on), or one trained here, in a Web Worker through
// TrainingWorker, on the Hershey glyphs (hershey.json). A model-free recogniser (nearest glyph by
// DTW) says what the finished drawing looks like.
import { Linear, LSTM } from 'rnn-wasm';
import { Seq2Seq } from 'rnn-wasm/seq2seq';
import {
  glyphRecognizer, hersheyGlyphs, mdnOutputSize, SketchStream, strokeDataset, type HersheyGlyph, type Recognition,
} from 'rnn-wasm/sketch';
import type { TrainingWorker } from 'rnn-wasm/worker';
import { glyphCopies, maxSteps, penCondition, penModel, type PenTask } from '../tasks/glyphs.js';
import { LineChart, thousands } from './chart.js';

/** What examples/handwriting.ts writes beside the model file. */
export interface PenModelInfo {
  format: 'rnn-wasm/handwriting@1';
  characters: string;
  fonts: string[];
  /** The offsets were divided by this (font units). */
  scale: number;
  components: number;
  maxLength: number;
  trained: { command: string; epochs: number; steps: number; seconds: number; heldOutNll: number; unigramNll: number; recognised: number; temperature: number };
}

/** One completion: the user's strokes fed, then the model's points drawn. */
export interface PenCompletion {
  status: 'running' | 'done' | 'cancelled';
  model: 'file' | 'trained';
  char: string;
  font: string;
  temperature: number;
  seed: number;
  /** Stroke-5 points of the user's strokes fed to the model (after simplification). */
  prefixPoints: number;
  /** Points the model drew (the end state not counted), and whether it drew the end state. */
  points: number;
  ended: boolean;
  /** The most points it may draw. */
  maxLength: number;
  /** Animation frames it took. */
  frames: number;
  /** The nearest glyph of the finished drawing (user's strokes and the model's), by DTW. */
  recognized?: string;
  distance?: number;
}

/** One training run (of a pen model in the worker; main.ts's character runs add to it). */
export interface PenTraining {
  status: 'running' | 'done' | 'aborted' | 'error';
  /** Progress updates that reached the page (one per onBatchEnd message, or per batch on the main thread). */
  progress: number;
  /** [step, loss] as drawn. */
  losses: Array<[number, number]>;
  steps: number;
  seconds: number;
  /** Longest gap between two 10 ms timer ticks on the page while training ran, and when it ended (s after the start). */
  maxGapMs: number;
  maxGapAt: number;
  /** Ticks of that timer while training ran (a free page gets about one per 10 ms), and the 95th percentile gap. */
  ticks: number;
  p95GapMs: number;
}

export interface PenState {
  ready: boolean;
  /** The model completing now. */
  model: 'file' | 'trained';
  /** What the file's model was trained on, and how (handwriting.json). */
  info?: PenModelInfo;
  /** The canvas's view: font units → CSS pixels, x_px = (x − x0) · unit, y_px = (y − y0) · unit, from the canvas's top left. */
  view: { x0: number; y0: number; unit: number };
  /** Strokes the user has drawn (since the last Clear). */
  strokes: number;
  /** A completion is scheduled (the pen was just lifted) or running. */
  pending: boolean;
  completions: PenCompletion[];
  training: PenTraining[];
}

type Gaps = { maxGapMs: number; maxGapAt: number; ticks: number; p95GapMs: number };

/** What the section needs from the page. */
export interface PenPage {
  pen: PenState;
  startWorker(): TrainingWorker;
  measureGaps(): () => Promise<Gaps>;
  report(where: HTMLElement): (e: unknown) => void;
  params: URLSearchParams;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// the part of the glyph cell shown (font units: capitals span y 1 … 22, the baseline at 22;
// script letters reach x −8 … 33 and y up to 34)
const VIEW = { x0: -10, y0: -3, width: 46, height: 40 };
const BASELINE = 22, CAP = 1;
const POINTS_PER_FRAME = 2;
// after the pen lifts, the model waits this long for another stroke before it writes
const LIFT_DELAY_MS = 400;
// the user's strokes are simplified before the model reads them: points closer than MIN_STEP
// font units dropped, then Ramer–Douglas–Peucker within TOLERANCE (Hershey glyphs have a few
// points on a curve and two on a straight line; a pointer gives one every few pixels)
const MIN_STEP = 0.75, TOLERANCE = 0.5;
const INK = '#1d1d1f', MODEL = '#1f6fd1', GUIDE = '#d6d6de', GLYPH = '#e2e2e8';
const TRAIN_HIDDEN = 128, TRAIN_COPIES = 16, TRAIN_BATCH = 32;

/** Ramer–Douglas–Peucker on a flat [x0, y0, x1, y1, …] polyline: the points that stay within `eps` of the simplified line. */
function simplify(p: number[], eps: number): number[] {
  const thin: number[] = [p[0], p[1]];
  for (let i = 2; i < p.length; i += 2) {
    const last = p.length - 2 === i;
    if (last || Math.hypot(p[i] - thin[thin.length - 2], p[i + 1] - thin[thin.length - 1]) >= MIN_STEP) thin.push(p[i], p[i + 1]);
  }
  const n = thin.length / 2;
  if (n <= 2) return thin;
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const ax = thin[2 * a], ay = thin[2 * a + 1], dx = thin[2 * b] - ax, dy = thin[2 * b + 1] - ay, len = Math.hypot(dx, dy);
    let worst = -1, far = 0;
    for (let i = a + 1; i < b; i++) {
      const px = thin[2 * i] - ax, py = thin[2 * i + 1] - ay;
      const d = len > 0 ? Math.abs(px * dy - py * dx) / len : Math.hypot(px, py);
      if (d > far) { far = d; worst = i; }
    }
    if (worst >= 0 && far > eps) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return thin.filter((_, i) => keep[i >> 1] === 1);
}

export async function startPen(page: PenPage): Promise<void> {
  const { pen } = page;
  const canvas = $<HTMLCanvasElement>('pen');
  const charSelect = $<HTMLSelectElement>('pen-char');
  const fontSelect = $<HTMLSelectElement>('pen-font');
  const temperature = $<HTMLInputElement>('pen-temperature');
  const showGlyph = $<HTMLInputElement>('pen-guide');
  const completeButton = $<HTMLButtonElement>('pen-complete');
  const clearButton = $<HTMLButtonElement>('pen-clear');
  const status = $('pen-status');
  const modelStatus = $('pen-model-status');
  const trainButton = $<HTMLButtonElement>('pen-train');
  const stopButton = $<HTMLButtonElement>('pen-stop');
  const seconds = $<HTMLInputElement>('pen-seconds');
  const trainStatus = $('pen-train-status');
  const useFile = $<HTMLInputElement>('pen-model-file');
  const useTrained = $<HTMLInputElement>('pen-model-trained');
  if (page.params.has('penSeconds')) seconds.value = page.params.get('penSeconds')!;
  // the seed of the sampling: the same for every completion of a drawing until Complete asks for another sample; Clear goes back to the first
  const firstSeed = page.params.has('penSeed') ? Number(page.params.get('penSeed')) : Math.floor(Math.random() * 2 ** 31);
  let seed = firstSeed;

  // the shipped model, what it was trained on, and the glyphs (for the guide, the recogniser and training here)
  const [bytes, info, fontData] = await Promise.all([
    fetch(new URL('./handwriting.safetensors', import.meta.url)).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`handwriting.safetensors: HTTP ${r.status}`)))),
    fetch(new URL('./handwriting.json', import.meta.url)).then((r) => (r.ok ? r.json() as Promise<PenModelInfo> : Promise.reject(new Error(`handwriting.json: HTTP ${r.status}`)))),
    fetch(new URL('./hershey.json', import.meta.url)).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`hershey.json: HTTP ${r.status}`)))),
  ]);
  const task: PenTask = { characters: info.characters, fonts: info.fonts };
  const fileModel = Seq2Seq.load(new Uint8Array(bytes)).eval();
  let trainedModel: Seq2Seq | undefined;
  const glyphs = hersheyGlyphs(fontData, { fonts: task.fonts, characters: task.characters });
  const byKey = new Map<string, HersheyGlyph>(glyphs.map((g) => [`${g.font}:${g.char}`, g]));
  const recognize = glyphRecognizer(glyphs.map((g) => ({ drawing: g.drawing, label: g.char })));
  const T = maxSteps(glyphs);
  pen.info = info;

  for (const c of task.characters) charSelect.add(new Option(c, c));
  for (const f of task.fonts) fontSelect.add(new Option(f, f));
  const asked = page.params.get('penChar') ?? '';
  charSelect.value = asked.length === 1 && task.characters.includes(asked) ? asked : task.characters[0];
  const t = info.trained;
  modelStatus.textContent = `The model: a Seq2Seq pen model (${fileModel.decoder.hiddenSize} LSTM units, ${info.components} Gaussians), ` +
    `trained for ${Math.round(t.seconds / 60)} min by examples/handwriting.ts: held-out NLL ${t.heldOutNll.toFixed(2)} nats per point ` +
    `(a unigram Gaussian: ${t.unigramNll.toFixed(2)}); ${Math.round(100 * t.recognised)} % of its letters read as the letter asked for.`;

  // ---- the canvas: font units, drawn at `unit` CSS pixels each

  const strokes: number[][] = []; // the user's, in font units, as drawn
  let drawing: number[] | undefined; // the stroke under the pointer
  let completion: number[] = []; // the model's points: x, y, 1 if the segment to it is drawn
  let running: { cancel(): void } | undefined;
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearTimeout(scheduled);
    scheduled = undefined;
    running?.cancel();
    pen.pending = false;
  };
  const unit = () => canvas.clientWidth / VIEW.width;
  const updateView = () => { pen.view = { x0: VIEW.x0, y0: VIEW.y0, unit: unit() }; };

  function render(): void {
    const dpr = window.devicePixelRatio || 1, u = unit();
    const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const g = canvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, w, h);
    g.setTransform(dpr * u, 0, 0, dpr * u, -VIEW.x0 * dpr * u, -VIEW.y0 * dpr * u);
    g.lineCap = g.lineJoin = 'round';
    // writing lines: the capitals' top and the baseline
    g.strokeStyle = GUIDE;
    g.lineWidth = 1 / u;
    for (const y of [CAP, BASELINE]) {
      g.beginPath();
      g.moveTo(VIEW.x0, y);
      g.lineTo(VIEW.x0 + VIEW.width, y);
      g.stroke();
    }
    const glyph = byKey.get(`${fontSelect.value}:${charSelect.value}`);
    if (showGlyph.checked && glyph) {
      g.strokeStyle = GLYPH;
      g.lineWidth = 5 / u;
      let x = 0, y = 0, down = false;
      g.beginPath();
      for (let i = 0; i < glyph.drawing.length; i += 3) {
        x += glyph.drawing[i];
        y += glyph.drawing[i + 1];
        if (down) g.lineTo(x, y);
        else g.moveTo(x, y);
        down = glyph.drawing[i + 2] === 0;
      }
      g.stroke();
    }
    g.lineWidth = 3 / u;
    g.strokeStyle = INK;
    for (const s of strokes) {
      g.beginPath();
      g.moveTo(s[0], s[1]);
      if (s.length === 2) g.lineTo(s[0] + 0.01, s[1]); // a dot
      for (let i = 2; i < s.length; i += 2) g.lineTo(s[i], s[i + 1]);
      g.stroke();
    }
    const last = strokes.at(-1);
    let x = last ? last[last.length - 2] : 0, y = last ? last[last.length - 1] : 0;
    g.strokeStyle = MODEL;
    g.beginPath();
    for (let i = 0; i < completion.length; i += 3) {
      if (completion[i + 2] === 1) {
        g.moveTo(x, y);
        g.lineTo(completion[i], completion[i + 1]);
      }
      x = completion[i];
      y = completion[i + 1];
    }
    g.stroke();
  }

  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect(), u = unit();
    return [VIEW.x0 + (e.clientX - r.left) / u, VIEW.y0 + (e.clientY - r.top) / u];
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    stop();
    completion = [];
    canvas.setPointerCapture(e.pointerId);
    drawing = at(e);
    strokes.push(drawing);
    pen.strokes = strokes.length;
    render();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    for (const ev of e.getCoalescedEvents?.() ?? [e]) drawing.push(...at(ev));
    render();
  });
  const lift = () => {
    if (!drawing) return;
    drawing = undefined;
    pen.pending = true;
    scheduled = setTimeout(complete, LIFT_DELAY_MS);
  };
  canvas.addEventListener('pointerup', lift);
  canvas.addEventListener('pointercancel', lift);
  new ResizeObserver(() => { updateView(); render(); }).observe(canvas);

  // ---- completing: the user's strokes through the model, then its points, a few per frame

  /** The user's strokes as the model reads them: stroke-5 rows, offsets ÷ scale; the last point keeps the pen down (the model continues that line). */
  function prefix(scale: number): number[] {
    const rows: number[] = [];
    let px = 0, py = 0;
    strokes.forEach((s, k) => {
      const p = simplify(s, TOLERANCE);
      for (let i = 0; i < p.length; i += 2) {
        const lifted = i === p.length - 2 && k < strokes.length - 1;
        rows.push((p[i] - px) / scale, (p[i + 1] - py) / scale, lifted ? 0 : 1, lifted ? 1 : 0, 0);
        px = p[i];
        py = p[i + 1];
      }
    });
    return rows;
  }

  function complete(): void {
    stop();
    pen.pending = true;
    completion = [];
    const model = useTrained.checked && trainedModel ? trainedModel : fileModel;
    const scale = info.scale;
    const char = charSelect.value, font = fontSelect.value, tau = Number(temperature.value);
    const rows = prefix(scale);
    const run: PenCompletion = {
      status: 'running', model: model === fileModel ? 'file' : 'trained', char, font, temperature: tau, seed,
      prefixPoints: rows.length / 5, points: 0, ended: false, maxLength: 2 * T, frames: 0,
    };
    pen.completions.push(run);
    const stream = new SketchStream(model, { condition: penCondition(task, char, font), temperature: tau, seed: run.seed });
    for (let i = 0; i < rows.length; i += 5) stream.feed(rows.slice(i, i + 5));
    // the whole drawing as stroke-3 in font units, for the recogniser
    const drawn: number[] = [];
    for (let i = 0; i < rows.length; i += 5) drawn.push(rows[i] * scale, rows[i + 1] * scale, rows[i + 3]);
    const last = strokes.at(-1);
    let x = last ? last[last.length - 2] : 0, y = last ? last[last.length - 1] : 0;
    let down = rows.length > 0; // a stroke under way continues; from scratch the first point is a move
    let frame = 0;
    const finish = (how: 'done' | 'cancelled') => {
      cancelAnimationFrame(frame);
      stream.dispose();
      running = undefined;
      pen.pending = false;
      if (how === 'cancelled') {
        run.status = how;
        return;
      }
      let reading: Recognition | undefined;
      if (drawn.length > 0) reading = recognize(Float32Array.from(drawn));
      run.recognized = reading?.label;
      run.distance = reading?.distance;
      status.textContent = `${run.ended ? 'Done' : `Stopped at ${run.maxLength} points`}: ${run.prefixPoints} points of yours, ${run.points} of the model's` +
        ` (${run.model === 'file' ? "the example's model" : 'the model trained here'}, temperature ${tau}, seed ${run.seed}).` +
        (reading ? ` The recogniser reads the whole drawing as “${reading.label}”${reading.label === char ? ' ✓' : ` (asked for “${char}”)`}.` : '');
      run.status = how;
    };
    const step = () => {
      run.frames++;
      for (let k = 0; k < POINTS_PER_FRAME && !stream.ended && run.points < run.maxLength; k++) {
        const p = stream.next();
        if (p[4] === 1) break;
        x += p[0] * scale;
        y += p[1] * scale;
        completion.push(x, y, down ? 1 : 0);
        drawn.push(p[0] * scale, p[1] * scale, p[3]);
        down = p[2] === 1;
        run.points++;
      }
      run.ended = stream.ended;
      render();
      if (stream.ended || run.points >= run.maxLength) finish('done');
      else frame = requestAnimationFrame(step);
    };
    running = { cancel: () => finish('cancelled') };
    status.textContent = `Writing “${char}” (${font})…`;
    frame = requestAnimationFrame(step);
  }

  completeButton.addEventListener('click', () => {
    if (pen.completions.length > 0) seed++; // another sample
    complete();
  });
  clearButton.addEventListener('click', () => {
    stop();
    seed = firstSeed;
    strokes.length = 0;
    completion = [];
    pen.strokes = 0;
    status.textContent = 'Cleared. Draw the start of the letter.';
    render();
  });
  const again = () => {
    render();
    if (strokes.length > 0 || completion.length > 0) complete();
  };
  for (const control of [charSelect, fontSelect, temperature]) control.addEventListener('change', again);
  temperature.addEventListener('input', () => ($('pen-temperature-value').textContent = Number(temperature.value).toFixed(2)));
  showGlyph.addEventListener('change', render);
  for (const radio of [useFile, useTrained]) {
    radio.addEventListener('change', () => {
      pen.model = useTrained.checked && trainedModel ? 'trained' : 'file';
      again();
    });
  }

  // ---- training a pen model here, in a Web Worker

  const lossChart = new LineChart($<HTMLCanvasElement>('pen-loss'), { xLabel: 'training step', yLabel: 'loss (nats per point)' });
  let worker: TrainingWorker | undefined;
  let abort: AbortController | undefined;
  async function train(): Promise<void> {
    const budget = Math.max(0.5, Number(seconds.value) || 30);
    // the shipped model's scale (strokeScale of these glyphs): completions divide by it whichever model writes
    const data = glyphCopies(strokeDataset, task, glyphs, { copies: TRAIN_COPIES, scale: info.scale, maxLength: T, seed: 1 });
    const m = penModel({ Seq2Seq, LSTM, Linear, mdnOutputSize }, task, TRAIN_HIDDEN, info.components);
    const run: PenTraining = { status: 'running', progress: 0, losses: [], steps: 0, seconds: 0, maxGapMs: 0, maxGapAt: 0, ticks: 0, p95GapMs: 0 };
    pen.training.push(run);
    trainButton.disabled = true;
    stopButton.disabled = false;
    trainStatus.textContent = 'Starting the worker…';
    const gaps = page.measureGaps();
    const t0 = performance.now();
    let ended: PenTraining['status'] = 'error';
    try {
      worker ??= page.startWorker();
      abort = new AbortController();
      const history = await worker.fit(m, data, {
        trainer: { loss: { type: 'mixtureDensity', components: info.components }, optimizer: { type: 'adam', lr: 3e-3 }, clip: { maxNorm: 1 } },
        fit: { epochs: 1_000_000, batchSize: TRAIN_BATCH, maxSeconds: budget },
        signal: abort.signal,
        batchEveryMs: 50,
        onBatchEnd: (s) => {
          run.progress++;
          run.steps = s.step;
          run.losses.push([s.step, s.loss]);
          lossChart.set([{ label: `pen model, ${TRAIN_HIDDEN} units, in a worker`, color: MODEL, points: run.losses }]);
          trainStatus.textContent = `step ${s.step} · loss ${s.loss.toFixed(3)} · ${thousands(s.tokensPerSecond)} points/s`;
        },
      });
      ended = history.stopped === 'aborted' ? 'aborted' : 'done';
      run.steps = history.steps;
      trainedModel?.dispose();
      trainedModel = m.eval();
      useTrained.disabled = false;
      useTrained.checked = true;
    } catch (e) {
      m.dispose();
      throw e;
    } finally {
      run.seconds = (performance.now() - t0) / 1000;
      Object.assign(run, await gaps());
      run.status = ended; // last: what the page measured is in place when the run shows as ended
      trainButton.disabled = false;
      stopButton.disabled = true;
    }
    trainStatus.textContent = `Trained here: ${run.steps} steps in ${run.seconds.toFixed(1)} s, loss ${run.losses.at(-1)?.[1].toFixed(3) ?? '–'}; ` +
      `the page's longest pause meanwhile: ${thousands(run.maxGapMs)} ms. Completions now use it (the example's model trained for ${Math.round(info.trained.seconds / 60)} min).`;
    pen.model = 'trained';
    again();
  }
  trainButton.addEventListener('click', () => void train().catch(page.report(trainStatus)));
  stopButton.addEventListener('click', () => abort?.abort());

  updateView();
  render();
  completeButton.disabled = clearButton.disabled = trainButton.disabled = false;
  status.textContent = 'Draw the start of the letter (or press Complete to let the model write it all).';
  pen.ready = true;
}
