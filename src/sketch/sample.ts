// Drawing with an MDN pen model: a stream that writes one stroke-5 point per call (the model's
// states in wasm memory, nothing allocated per step), and whole sketches from scratch or
// continuing the user's strokes, with Sketch-RNN's temperature and a seeded generator.
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { Embedding, type TokenIds } from '../layers/embedding.js';
import { checkArray, describe, isNumericArray, type NumericArray } from '../layers/validate.js';
import { Sequential, type StreamState } from '../model/sequential.js';
import { Seq2Seq, type ConditionInput, type Seq2SeqStream } from '../model/seq2seq.js';
import { checkOptions, is, type Rules } from '../options.js';
import { Rng } from '../rng.js';
import { getLimits } from '../runtime/limits.js';
import { checkStrokes, MDN_BOUNDS } from './mdn.js';

/**
 * A pen model: a {@link Sequential} or a {@link Seq2Seq} whose input per step is a stroke-5
 * point (Δx, Δy, p_down, p_up, p_end: 5 features, no Embedding) and whose head outputs the
 * 6M + 3 values of an MDN (see {@link mdnOutputSize}) at every step.
 *
 * @example
 * ```ts
 * const pen: PenModel = new Seq2Seq({                       // draws the class it is given
 *   conditionSize: 26,
 *   decoder: new LSTM({ inputSize: 5 + 26, hiddenSize: 128, seed: 1 }),
 *   head: new Linear({ inFeatures: 128, outFeatures: mdnOutputSize(20), seed: 2 }),
 * }, { stepInput: true, seed: 3 });
 * pen.dispose();
 * ```
 */
export type PenModel = Sequential | Seq2Seq;

/**
 * Options of {@link SketchStream}.
 *
 * @example
 * ```ts
 * const options: SketchStreamOptions = { temperature: 0.25, seed: 42, condition: [0, 1, 0] };   // a Seq2Seq's class
 * ```
 */
export interface SketchStreamOptions {
  /**
   * Sketch-RNN's temperature τ: the π logits and the pen logits are divided by τ and every σ² is
   * multiplied by τ (σ by √τ). 0 is greedy: the most likely pen state and the means of the most
   * likely component, no noise. Default 1.
   */
  temperature?: number;
  /** Seed of the sampling. Default: random. */
  seed?: number;
  /** For a Seq2Seq without an encoder: the condition of the drawing, F values (e.g. a one-hot class). */
  condition?: NumericArray;
  /** `[1, F]` (default: from the condition's length). */
  conditionShape?: readonly number[];
  /** For an encoder–decoder Seq2Seq: the source sequence, `[1, Ts]` ids or `[1, Ts, Fs]` features. */
  source?: NumericArray | TokenIds;
  sourceShape?: readonly number[];
  sourceLengths?: ArrayLike<number>;
}

/**
 * Options of {@link sampleSketch}: those of {@link SketchStream}, and `maxLength` and `prefix`.
 *
 * @example
 * ```ts
 * const options: SketchSampleOptions = { prefix: [10, 0, 1, 0, 0,  0, 10, 0, 1, 0], temperature: 0.4, maxLength: 100, seed: 1 };
 * ```
 */
export interface SketchSampleOptions extends SketchStreamOptions {
  /** Most points written (the end state included). Default 250, Sketch-RNN's. Limit: `setLimits({ maxSampleLength })`. */
  maxLength?: number;
  /** The user's strokes, stroke-5 rows `[L, 5]` flat, an unfinished drawing: run through the model first, not repeated in the result. */
  prefix?: NumericArray;
}

/**
 * What {@link sampleSketch} returns.
 *
 * @example
 * ```ts
 * const drawn: SketchSample = { strokes: Float32Array.of(1, 2, 1, 0, 0,  0, 0, 0, 0, 1), shape: [2, 5], ended: true };
 * ```
 */
export interface SketchSample {
  /** The points written, stroke-5 `[n, 5]` row-major; when the drawing ended, its last row is the end state (0, 0, 0, 0, 1). */
  strokes: Float32Array;
  shape: [number, 5];
  /** Whether the model ended the drawing (false: it reached maxLength). */
  ended: boolean;
}

const START = Float32Array.of(0, 0, 1, 0, 0); // Sketch-RNN's S₀: the first input of every drawing
const LOG_SIGMA_MIN = MDN_BOUNDS.logSigmaMin, RHO_MAX = MDN_BOUNDS.rhoMax;
const CONDITION_KEYS = ['condition', 'conditionShape', 'source', 'sourceShape', 'sourceLengths'] as const;
const STREAM_RULES: Rules = {
  temperature: is.number(0), seed: is.int(0), ...Object.fromEntries(CONDITION_KEYS.map((k) => [k, is.checkedLater])),
};
const SAMPLE_RULES: Rules = {
  ...STREAM_RULES, maxLength: is.int(1), prefix: { expected: 'stroke-5 rows (a Float32Array or number[] of 5·L values)', test: isNumericArray },
};

/**
 * @internal The components M of a pen model's MDN head, after checking the model: stroke-5
 * features in (no Embedding), a head of 6M + 3 outputs at every step. Throws ConfigError.
 */
export function penComponents(model: unknown, what: string): number {
  let input: number | undefined;
  if (model instanceof Sequential) {
    if (model.layers[0] instanceof Embedding || model.output !== 'sequence') {
      throw new ConfigError(`${what}: needs a model that reads stroke-5 points (5 features, no Embedding) with output 'sequence'; got ${model.describe()}`);
    }
    input = model.inputSize;
  } else if (model instanceof Seq2Seq) {
    if (model.embedding) throw new ConfigError(`${what}: the Seq2Seq's decoder must read stroke-5 points (5 features), not token ids (an embedding)`);
    input = model.decoder.inputSize - (model.conditioning.stepInput ? model.conditionSize : 0);
  } else {
    throw new ConfigError(`${what}: expected a Sequential or Seq2Seq pen model, got ${describe(model)}`);
  }
  if (input !== 5) throw new ConfigError(`${what}: the model reads ${input} features per step; a pen model reads the 5 of a stroke-5 point (Δx, Δy, p_down, p_up, p_end)`);
  const O = model.outputSize, M = (O - 3) / 6;
  if (!Number.isInteger(M) || M < 1) {
    throw new ConfigError(`${what}: the head outputs ${O} values per step; an MDN head has 6M + 3 (3 pen logits, then π, μx, μy, σx, σy, ρ for M components)`);
  }
  return M;
}

/**
 * Draws with a pen model one point per call: the model's states stay in wasm memory and
 * nothing is allocated per step. The stream starts by feeding Sketch-RNN's start token
 * S₀ = (0, 0, 1, 0, 0); {@link feed} runs a given point through the model (the user's strokes),
 * {@link next} samples the next point from the model's mixture — component and pen state from
 * their logits divided by the temperature, the offset from that component's bivariate Gaussian
 * with σ scaled by √temperature — and feeds it back. σ and ρ are bounded as in the loss
 * ({@link MDN_BOUNDS}). Uses the model's current mode (call `model.eval()` first). A rejected
 * call changes nothing. Free it with `dispose()`.
 *
 * @example
 * ```ts
 * const model = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 16, seed: 1 }), new Linear({ inFeatures: 16, outFeatures: mdnOutputSize(3), seed: 2 })]).eval();
 * const pen = new SketchStream(model, { temperature: 0.5, seed: 7 });
 * pen.feed([3, 0, 1, 0, 0]);                     // the user's stroke so far
 * for (let i = 0; i < 20 && !pen.ended; i++) {
 *   const [dx, dy, down] = pen.next();           // the same array every call
 *   console.log(dx.toFixed(2), dy.toFixed(2), down === 1 ? 'down' : 'up');
 * }
 * pen.dispose();
 * model.dispose();
 * ```
 */
export class SketchStream {
  /** The pen model drawing. */
  readonly model: PenModel;
  /** M, the mixture components of its head. */
  readonly components: number;
  readonly temperature: number;
  /** The last point drawn by {@link next}, stroke-5: the same array every call (copy it to keep it). */
  readonly point = new Float32Array(5);
  private readonly x = new Float32Array(5);
  private readonly state: StreamState | Seq2SeqStream;
  private readonly rng: Rng;
  // [0, 4): the uniforms of a draw (component, pen, Box–Muller ×2); [4]: τ; [5 …]: probabilities.
  // Numbers pass to helpers through this array: a double passed as an argument or returned by a
  // call V8 did not inline is a new heap number, garbage at every step.
  private readonly f: Float64Array;
  private isEnded = false;
  private count = 0;

  constructor(model: PenModel, options: SketchStreamOptions = {}) {
    const M = penComponents(model, 'SketchStream');
    checkOptions('SketchStream', options, STREAM_RULES);
    this.state = openState(model, options, 'SketchStream');
    this.model = model;
    this.components = M;
    this.temperature = options.temperature ?? 1;
    this.rng = new Rng(options.seed ?? Rng.randomSeed());
    this.f = new Float64Array(5 + Math.max(M, 3));
    this.f[4] = this.temperature;
    try {
      this.x.set(START);
      this.advance();
    } catch (e) {
      this.state.dispose();
      throw e;
    }
  }

  /** Whether the drawing has ended (the end state was drawn or fed). */
  get ended(): boolean {
    return this.isEnded;
  }

  /** Points fed or drawn so far (S₀ not counted). */
  get steps(): number {
    return this.count;
  }

  /** The head's output for the next point, `[6M + 3]` (pen logits, π, μx, μy, σx raw, σy raw, ρ raw): the same array every step. */
  get output(): Float32Array {
    return this.state.output;
  }

  /**
   * Run a given stroke-5 point through the model (a prefix: the user's strokes), as if drawn.
   * An end state ends the drawing. Returns {@link output}, the prediction of the next point.
   */
  feed(point: NumericArray): Float32Array {
    this.live('feed');
    const p = checkArray('SketchStream.feed point', point, [5]);
    checkStrokes('SketchStream.feed point', p, 1, 1, undefined, 'rows');
    for (let i = 0; i < 5; i++) this.x[i] = p[i];
    this.count++;
    if (p[4] === 1) this.isEnded = true;
    else this.advance();
    return this.state.output;
  }

  /**
   * Draw the next point from the model's mixture and feed it back: returns {@link point}
   * (Δx, Δy, p_down, p_up, p_end). When the end state is drawn its offsets are 0 (as in the
   * padded data the model learnt from) and the drawing has {@link ended}.
   */
  next(): Float32Array {
    this.live('next');
    const out = this.state.output, M = this.components, f = this.f, pt = this.point;
    const greedy = this.temperature === 0;
    if (!greedy) uniforms(this.rng, f, 4);
    const j = pick(out, 3, M, f, 0, greedy);
    const pen = pick(out, 0, 3, f, 1, greedy);
    pt[0] = out[3 + M + j];
    pt[1] = out[3 + 2 * M + j];
    if (!greedy) {
      const sx = Math.exp(Math.max(out[3 + 3 * M + j], LOG_SIGMA_MIN)), sy = Math.exp(Math.max(out[3 + 4 * M + j], LOG_SIGMA_MIN));
      const rho = Math.min(Math.max(Math.tanh(out[3 + 5 * M + j]), -RHO_MAX), RHO_MAX);
      // Box–Muller: two independent N(0, 1), correlated by ρ; σ scaled by √τ
      const r = Math.sqrt(-2 * Math.log(1 - f[2])), a = 2 * Math.PI * f[3];
      const n1 = r * Math.cos(a), n2 = r * Math.sin(a), k = Math.sqrt(f[4]);
      pt[0] += sx * k * n1;
      pt[1] += sy * k * (rho * n1 + Math.sqrt(1 - rho * rho) * n2);
    }
    if (pen === 2) pt[0] = pt[1] = 0;
    pt[2] = pen === 0 ? 1 : 0;
    pt[3] = pen === 1 ? 1 : 0;
    pt[4] = pen === 2 ? 1 : 0;
    this.count++;
    if (pen === 2) this.isEnded = true;
    else {
      this.x.set(pt);
      this.advance();
    }
    return pt;
  }

  /** Free the stream's states (idempotent). */
  dispose(): void {
    this.state.dispose();
  }

  private live(what: string): void {
    if (this.isEnded) throw new StateError(`SketchStream.${what}: the drawing has ended (the end state was ${this.count > 0 ? 'drawn or fed' : 'reached'}); start a new stream`);
  }

  private advance(): void {
    if (this.model instanceof Seq2Seq) this.model.step(this.x, this.state as Seq2SeqStream);
    else this.model.step(this.x, this.state as StreamState);
  }
}

// The model's streaming state for one drawing: a Sequential's zero states, or a Seq2Seq's
// states started from the condition (or source) of one sequence.
function openState(model: PenModel, o: SketchStreamOptions, what: string): StreamState | Seq2SeqStream {
  const given = CONDITION_KEYS.filter((k) => o[k] !== undefined);
  if (model instanceof Sequential) {
    if (given.length) throw new ConfigError(`${what}: a Sequential model takes no ${given[0]}; a conditioned pen model is a Seq2Seq`);
    return model.initState(1);
  }
  const input: ConditionInput = {};
  for (const k of given) (input as Record<string, unknown>)[k] = o[k];
  if (o.condition !== undefined && o.conditionShape === undefined && isNumericArray(o.condition)) input.conditionShape = [1, o.condition.length];
  const N = model.conditionBatch(input, what);
  if (N !== 1) throw new ShapeError(`${what}: one drawing per stream: expected a batch of 1 (${input.conditionShape ? 'conditionShape [1, F]' : 'sourceShape [1, …]'}), got ${N}`);
  return model.initState(input);
}

// n draws of rng.next() into f[0 … n): the numbers stay unboxed (a small function whose calls
// V8 inlines), whatever V8 decides to inline into next()
function uniforms(rng: Rng, f: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) f[i] = rng.nextU32() / 4294967296;
}

// One index among n logits at out[off …]: the largest when greedy, else drawn with the uniform
// f[u] from softmax(logits / τ), τ = f[4]; the probabilities go to f[5 …].
function pick(out: Float32Array, off: number, n: number, f: Float64Array, u: number, greedy: boolean): number {
  let best = 0, max = -Infinity;
  for (let i = 0; i < n; i++) if (out[off + i] > max) { max = out[off + i]; best = i; }
  if (greedy) return best;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += f[5 + i] = Math.exp((out[off + i] - max) / f[4]);
  let x = f[u] * sum;
  for (let i = 0; i < n; i++) {
    x -= f[5 + i];
    if (x < 0 && f[5 + i] > 0) return i;
  }
  return best;
}

/**
 * Draw a sketch with a pen model: from scratch, or continuing the user's strokes (`prefix`, run
 * through the model first, its states carried, then the model writes), until the model draws
 * the end state or `maxLength` points. Sketch-RNN's temperature and a seed (see
 * {@link SketchStream}); a Seq2Seq draws for its `condition` (e.g. a one-hot class) or `source`.
 * Runs in evaluation mode (the model's mode is restored). Checked whole before anything runs.
 *
 * @example
 * ```ts
 * const model = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 16, seed: 1 }), new Linear({ inFeatures: 16, outFeatures: mdnOutputSize(3), seed: 2 })]);
 * const { strokes, shape, ended } = sampleSketch(model, { prefix: [2, 1, 1, 0, 0,  1, 1, 0, 1, 0], maxLength: 40, temperature: 0.4, seed: 1 });
 * console.log(shape, ended, strokes.length === shape[0] * 5);
 * model.dispose();
 * ```
 */
export function sampleSketch(model: PenModel, options: SketchSampleOptions = {}): SketchSample {
  penComponents(model, 'sampleSketch');
  checkOptions('sampleSketch', options, SAMPLE_RULES);
  const maxLength = options.maxLength ?? 250;
  const limit = getLimits().maxSampleLength;
  if (maxLength > limit) throw new ConfigError(`sampleSketch maxLength: ${maxLength} is more than the limit of ${limit} points per call (setLimits({ maxSampleLength }))`);
  let prefix: NumericArray = [];
  if (options.prefix !== undefined) {
    const L = options.prefix.length / 5;
    if (!Number.isInteger(L)) throw new ShapeError(`sampleSketch prefix: expected stroke-5 rows [L, 5] (a multiple of 5 values), got ${options.prefix.length} values`);
    if (L > limit) throw new ConfigError(`sampleSketch prefix: ${L} points is more than the limit of ${limit} per call (setLimits({ maxSampleLength }))`);
    prefix = checkArray('sampleSketch prefix', options.prefix, [L, 5]);
    checkStrokes('sampleSketch prefix', prefix, 1, L, undefined, 'prefix');
  }
  const { maxLength: _m, prefix: _p, ...streamOptions } = options;
  const was = model.training;
  model.eval();
  let stream: SketchStream | undefined;
  try {
    stream = new SketchStream(model, streamOptions);
    for (let i = 0; i < prefix.length; i += 5) stream.feed(Array.prototype.slice.call(prefix, i, i + 5) as number[]);
    const out = new Float32Array(maxLength * 5);
    let n = 0;
    while (n < maxLength && !stream.ended) out.set(stream.next(), 5 * n++);
    return { strokes: out.slice(0, n * 5), shape: [n, 5], ended: stream.ended };
  } finally {
    stream?.dispose();
    model.train(was);
  }
}
