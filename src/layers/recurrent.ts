import { ConfigError, OutOfMemoryError, ShapeError, StateError } from '../errors.js';
import { Rng } from '../rng.js';
import { MAX_MEMORY_BYTES } from '../runtime/arena.js';
import { checkInputSize } from '../runtime/limits.js';
import type { Embedding } from './embedding.js';
import { Module, type ParamInfo } from './module.js';
import { fromTimeMajor, toTimeMajor } from './layout.js';
import { Plan } from './plan.js';
import {
  checkArray, checkBool, checkFinite32, checkInt, checkKeys, checkLengths, describe, fmtShape, type NumericArray,
} from './validate.js';

export type { NamedParameter, StateDictValue } from './module.js';

/** The recurrent cell of a layer, named as in PyTorch's `RNNBase.mode`. */
export type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Options shared by {@link RNN}, {@link LSTM} and {@link GRU}; names and defaults as in PyTorch. */
export interface RecurrentOptions {
  /** Features per timestep of the input. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers; layer ℓ > 0 reads layer ℓ − 1's output. Default 1. */
  numLayers?: number;
  /** Use the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output are `[B, T, F]` instead of `[T, B, F]` (states stay `[L·D, B, H]`). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode only. Default 0. */
  dropout?: number;
  /** Add a reverse-time direction and concatenate both outputs. Default false. */
  bidirectional?: boolean;
  /** Seed for the weight initialisation and dropout masks. Default: random. */
  seed?: number;
}

/** Options of {@link RecurrentLayer.forward}. */
export interface ForwardOptions {
  /** Shape of `x`: `[T, B, I]` (or `[B, T, I]` with batchFirst), or `[T, I]` for one unbatched sequence. */
  shape: readonly number[];
  /** Initial hidden state, `[numLayers·D, B, H]` (`[numLayers·D, H]` unbatched). Default zeros. */
  h0?: NumericArray;
  /** Initial cell state (LSTM only), same shape as h0. Default zeros. */
  c0?: NumericArray;
  /**
   * Valid length of each sequence of the batch (B integers in [0, T]) for right-padded input:
   * steps t ≥ length leave the state unchanged (the output there repeats the state, and
   * gradients pass through), so hN is each sequence's state after its last valid step, and
   * the reverse direction starts at that step — as PyTorch's packed sequences. Default: all T.
   */
  lengths?: ArrayLike<number>;
}

/** What {@link RecurrentLayer.forward} returns: fresh arrays the caller owns. */
export interface ForwardResult {
  /** The last layer's hidden state at every step, `[T, B, D·H]` (or `[B, T, D·H]` with batchFirst). */
  output: Float32Array;
  /** The final hidden state of every layer and direction, `[numLayers·D, B, H]`. */
  hN: Float32Array;
  /** The final cell state (LSTM only), `[numLayers·D, B, H]`. */
  cN?: Float32Array;
  /** Shape of `output`. */
  outputShape: number[];
  /** Shape of `hN` (and `cN`). */
  stateShape: number[];
}

/** Options of {@link RecurrentLayer.backward}. */
export interface BackwardOptions {
  /** ∂E/∂hN, shaped like hN. Default zeros. */
  dhN?: NumericArray;
  /** ∂E/∂cN (LSTM only), shaped like cN. Default zeros. */
  dcN?: NumericArray;
}

/** What {@link RecurrentLayer.backward} returns: fresh arrays the caller owns. */
export interface BackwardResult {
  /** ∂E/∂x, shaped like x. */
  dInput: Float32Array;
  /** ∂E/∂h0, shaped like h0. */
  dh0: Float32Array;
  /** ∂E/∂c0 (LSTM only). */
  dc0?: Float32Array;
}

interface LayerDir {
  layer: number; dir: number; inSize: number;
  w_ih: ParamInfo; w_hh: ParamInfo; b_ih?: ParamInfo; b_hh?: ParamInfo;
  // region names in the activation plans, made once (no string building per call)
  g: string; c: string; tc: string; n: string;
}
// per stacked layer: its output and dropout regions, and their gradients
interface LayerNames { out: string; mask: string; drop: string; dout: string; ddrop: string }

/**
 * @internal Where a forward's initial states come from, and whether it keeps its final ones.
 * `tokens`: the input is token ids [T, B] (i32) that this Embedding would turn into layer 0's
 * input (see runForward).
 */
export interface ForwardState { h0?: NumericArray; c0?: NumericArray; carry?: boolean; keepState?: boolean; mask?: number; statePtr?: number; tokens?: Embedding }
const NO_STATE: ForwardState = Object.freeze({});
const FORWARD_KEYS = ['shape', 'h0', 'c0', 'lengths'] as const;
const BACKWARD_KEYS = ['dhN', 'dcN'] as const;
interface Cache { T: number; B: number; batched: boolean; dropout: boolean; x: number; mask: number; tokens?: Embedding }

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const MAX_SIZE = 1 << 24;
const COMMON_KEYS = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'seed'] as const;

/**
 * The shared implementation of {@link RNN}, {@link LSTM} and {@link GRU}: PyTorch's
 * `torch.nn.RNNBase` semantics (shapes, parameter names, gate order, initialisation).
 *
 * Parameters, gradients and the activations saved for backward live in one WebAssembly
 * arena; one kernel call per layer and direction runs a whole sequence.
 */
export abstract class RecurrentLayer extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** The seed the weights were initialised from (random when none was given). */
  readonly seed: number;

  private layout: LayerDir[] = [];
  private names: LayerNames[] = [];
  private lastB = -1;
  private fwdShape = -1;
  private fwdTokens?: Embedding;
  private fwd?: Plan;
  private bwd?: Plan;
  private cache?: Cache;
  private cacheObject?: Cache;

  protected constructor(mode: Mode, options: RecurrentOptions, extraKeys: readonly string[] = []) {
    const c = parseOptions(mode, options, extraKeys);
    super(c.seed);
    this.mode = mode;
    this.inputSize = c.inputSize;
    this.hiddenSize = c.hiddenSize;
    this.numLayers = c.numLayers;
    this.bias = c.bias;
    this.batchFirst = c.batchFirst;
    this.bidirectional = c.bidirectional;
    this.dropout = c.dropout;
    this.seed = c.seed;
    this.allocateParameters(this.buildLayout(), kindOf(mode));
    this.resetParameters();
  }

  /** Directions: 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The options that rebuild this layer (without the seed), as saved in model files. */
  config(): Required<Omit<RecurrentOptions, 'seed'>> & { type: 'RNN' | 'LSTM' | 'GRU'; nonlinearity?: 'tanh' | 'relu' } {
    const base = {
      type: kindOf(this.mode), inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers,
      bias: this.bias, batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional,
    };
    return this.mode === 'RNN_TANH' || this.mode === 'RNN_RELU'
      ? { ...base, nonlinearity: this.mode === 'RNN_RELU' ? 'relu' : 'tanh' }
      : base;
  }

  /** Re-draw every weight and bias from U(−1/√H, 1/√H) (PyTorch's rule) with the layer's RNG. */
  resetParameters(): void {
    this.live();
    const k = 1 / Math.sqrt(this.hiddenSize);
    this.fillUniform(-k, k);
    this.invalidate();
  }

  /** e.g. `LSTM(inputSize 3, hiddenSize 4, numLayers 1, bias true, bidirectional false)`. */
  describe(): string {
    return `${this.mode}(inputSize ${this.inputSize}, hiddenSize ${this.hiddenSize}, numLayers ${this.numLayers}, ` +
      `bias ${this.bias}, bidirectional ${this.bidirectional})`;
  }

  protected invalidate(): void {
    this.cache = undefined;
  }

  /**
   * Run the whole stack over a batch of sequences. The activations are kept for
   * {@link backward}. Returns fresh arrays.
   *
   * @param x input values, row-major in the layout `shape` describes.
   * @throws ShapeError if `x`, `h0` or `c0` do not match `shape` and the layer's sizes.
   * @throws NonFiniteError if an input holds NaN or ±Infinity.
   */
  forward(x: NumericArray, options: ForwardOptions): ForwardResult {
    this.live();
    if (typeof options !== 'object' || options === null) {
      throw new ShapeError(`forward(x, options): options must be an object with a "shape", e.g. { shape: [T, B, ${this.inputSize}] }, got ${describe(options)}`);
    }
    checkKeys('forward', options, FORWARD_KEYS);
    // everything is checked before anything is written: a rejected call leaves the activations
    // of the last forward (and so a pending backward) as they were
    const { T, B, batched } = this.parseShape(options.shape);
    checkInputSize('forward x', options.shape);
    const xs = checkArray('forward x', x, options.shape);
    checkFinite32('forward x', xs);
    const stateShape = this.stateShape(B, batched);
    const h0 = options.h0 === undefined ? undefined : checkArray('forward h0', options.h0, stateShape);
    const c0 = options.c0 === undefined ? undefined : checkArray('forward c0', options.c0, stateShape);
    if (c0 && this.mode !== 'LSTM') throw new ShapeError(`forward: c0 is only for LSTM; a ${this.mode} layer has no cell state`);
    if (h0) checkFinite32('forward h0', h0);
    if (c0) checkFinite32('forward c0', c0);
    if (options.lengths !== undefined) checkLengths('forward lengths', options.lengths, T, B);
    this.checkSize(T, B);

    const DH = this.numDirections * this.hiddenSize, I = this.inputSize;
    const bf = this.batchFirst && batched;
    const mask = options.lengths === undefined ? 0 : writeMask(this, 7, options.lengths, T, B);
    this.cache = undefined;
    const xPtr = this.scratch(4, T * B * I * 4, 'input');
    toTimeMajor(this, xPtr, xs, T, B, I, bf);
    const out = this.runForward(xPtr, T, B, { h0, c0, mask });
    this.cache!.batched = batched;
    const output = new Float32Array(T * B * DH);
    fromTimeMajor(this, output, out, T, B, DH, bf);
    const S = this.numLayers * this.numDirections * B * this.hiddenSize;
    const result: ForwardResult = {
      output,
      hN: this.rt.arena.f32(this.fwd!.ptr('hN'), S).slice(),
      outputShape: this.outputShape(T, B, batched),
      stateShape,
    };
    if (this.mode === 'LSTM') result.cN = this.rt.arena.f32(this.fwd!.ptr('cN'), S).slice();
    return result;
  }

  /**
   * Backpropagation through time for the last {@link forward}: given ∂E/∂output (and
   * optionally ∂E/∂hN, ∂E/∂cN), accumulates (+=) every parameter's gradient and returns
   * ∂E/∂x, ∂E/∂h0 (and ∂E/∂c0). A rejected call changes nothing: the forward's activations
   * and the gradients stay as they were, so a corrected call can follow.
   *
   * @throws StateError without a preceding forward (or after the weights were reloaded).
   * @throws ShapeError if a gradient does not match the shape forward returned.
   * @throws NonFiniteError if a gradient holds NaN or ±Infinity.
   */
  backward(dOutput: NumericArray, options: BackwardOptions = {}): BackwardResult {
    this.live();
    const c = this.requireCache();
    if (typeof options !== 'object' || options === null) {
      throw new ShapeError(`backward(dOutput, options): options must be an object, got ${describe(options)}`);
    }
    checkKeys('backward', options, BACKWARD_KEYS);
    const { T, B, batched } = c;
    const DH = this.numDirections * this.hiddenSize, I = this.inputSize;
    const bf = this.batchFirst && batched;
    const outShape = this.outputShape(T, B, batched);
    const stateShape = this.stateShape(B, batched);
    const dOut = checkArray('backward dOutput', dOutput, outShape);
    checkFinite32('backward dOutput', dOut);
    const dhN = options.dhN === undefined ? undefined : checkArray('backward dhN', options.dhN, stateShape);
    const dcN = options.dcN === undefined ? undefined : checkArray('backward dcN', options.dcN, stateShape);
    if (dcN && this.mode !== 'LSTM') throw new ShapeError(`backward: dcN is only for LSTM; a ${this.mode} layer has no cell state`);
    if (dhN) checkFinite32('backward dhN', dhN);
    if (dcN) checkFinite32('backward dcN', dcN);

    const dPtr = this.scratch(5, T * B * DH * 4, 'output gradient');
    toTimeMajor(this, dPtr, dOut, T, B, DH, bf);
    const dx = this.runBackward(dPtr, { dhN, dcN });
    const dInput = new Float32Array(T * B * I);
    fromTimeMajor(this, dInput, dx, T, B, I, bf);
    const S = this.numLayers * this.numDirections * B * this.hiddenSize;
    const bp = this.bwd!;
    const result: BackwardResult = { dInput, dh0: this.rt.arena.f32(bp.ptr('dh0'), S).slice() };
    if (this.mode === 'LSTM') result.dc0 = this.rt.arena.f32(bp.ptr('dc0'), S).slice();
    return result;
  }

  /**
   * @internal Forward from an input already in wasm memory: time-major [T, B, I], contiguous,
   * which must stay untouched until the matching runBackward. Initial states: `carry` takes
   * the final states kept by the previous forward with `keepState` (same B; truncated BPTT),
   * else h0/c0 (already checked), else zeros. Only a forward with `keepState` (training)
   * replaces the kept states, so inference between training windows cannot disturb them. `mask`: pointer to [T, B] 0/1 (0 = padding: the state carries
   * over), or 0. Returns the pointer of the output [T, B, D·H].
   *
   * With `tokens`, xPtr holds token ids and layer 0's input projection of each id is a row of
   * E·W_ihᵀ + b (E the Embedding's table), made once per call: V rows of products instead of
   * T·B (the caller chooses this when V ≤ T·B), and ∂E/∂W_ih, ∂E/∂b_ih and ∂E/∂E come from the
   * gradient summed by id, so an Embedding costs what a one-hot input does.
   */
  runForward(xPtr: number, T: number, B: number, state: ForwardState = NO_STATE): number {
    const k = this.rt.kernels;
    const L = this.numLayers, D = this.numDirections, H = this.hiddenSize, DH = D * H;
    const S = L * D * B * H;
    const isLstm = this.mode === 'LSTM';
    // carry: start from the final states of the previous forward, kept in their own block
    const carry = state.carry === true && this.lastB === B;
    this.cache = undefined;
    const tokens = state.tokens;
    const plan = this.forwardPlan(T, B, tokens);
    if (carry) {
      const keep = this.carryBlock(B);
      k.copy_f32(plan.ptr('h0'), keep, S);
      if (isLstm) k.copy_f32(plan.ptr('c0'), keep + S * 4, S);
    } else if (state.statePtr) {
      // a stream's state in wasm memory: h [S] then c [S]
      k.copy_f32(plan.ptr('h0'), state.statePtr, S);
      if (isLstm) k.copy_f32(plan.ptr('c0'), state.statePtr + S * 4, S);
    } else {
      this.stateIn(plan.ptr('h0'), state.h0, S);
      if (isLstm) this.stateIn(plan.ptr('c0'), state.c0, S);
    }
    const mask = state.mask ?? 0;
    const useDropout = this.training && this.dropout > 0 && L > 1;
    for (let l = 0; l < L; l++) {
      const xin = this.layerInput(plan, xPtr, l, useDropout), ldx = l === 0 ? this.inputSize : DH;
      const out = plan.ptr(this.names[l].out);
      for (let d = 0; d < D; d++) {
        const ld = this.layout[l * D + d];
        const s = (l * D + d) * B * H * 4;
        const o = out + d * H * 4;
        const q = l === 0 && tokens ? this.tokenProjections(plan, tokens, ld, d) : 0;
        switch (this.mode) {
          case 'LSTM':
            k.lstm_fwd(T, B, ld.inSize, H, xin, ldx, plan.ptr('h0') + s, plan.ptr('c0') + s, o, DH,
              plan.ptr('hN') + s, plan.ptr('cN') + s, this.wp(ld.w_ih), this.wp(ld.w_hh), this.wp(ld.b_ih), this.wp(ld.b_hh),
              plan.ptr(ld.g), plan.ptr(ld.c), plan.ptr(ld.tc), mask, plan.ptr('ws'), d, q);
            break;
          case 'GRU':
            k.gru_fwd(T, B, ld.inSize, H, xin, ldx, plan.ptr('h0') + s, o, DH, plan.ptr('hN') + s,
              this.wp(ld.w_ih), this.wp(ld.w_hh), this.wp(ld.b_ih), this.wp(ld.b_hh), plan.ptr(ld.g), plan.ptr(ld.n),
              mask, plan.ptr('ws'), d, q);
            break;
          default:
            k.rnn_fwd(T, B, ld.inSize, H, xin, ldx, plan.ptr('h0') + s, o, DH, plan.ptr('hN') + s,
              this.wp(ld.w_ih), this.wp(ld.w_hh), this.wp(ld.b_ih), this.wp(ld.b_hh), plan.ptr(ld.g), mask, plan.ptr('ws'), d,
              this.mode === 'RNN_RELU' ? 1 : 0, q);
        }
      }
      if (useDropout && l < L - 1) {
        const n = T * B * DH;
        k.dropout_mask(plan.ptr(this.names[l].mask), n, this.dropout, this.rng.nextU32());
        k.mul_f32(plan.ptr(this.names[l].drop), out, plan.ptr(this.names[l].mask), n, 0);
      }
    }
    // one cache object, refilled: a streaming step allocates nothing
    const c = (this.cacheObject ??= { T, B, batched: true, dropout: useDropout, x: xPtr, mask });
    c.T = T; c.B = B; c.batched = true; c.dropout = useDropout; c.x = xPtr; c.mask = mask; c.tokens = tokens;
    this.cache = c;
    this.forwardCount++;
    if (state.keepState) {
      // the final states, kept for a following forward with carry (truncated BPTT)
      const keep = this.carryBlock(B);
      k.copy_f32(keep, plan.ptr('hN'), S);
      if (isLstm) k.copy_f32(keep + S * 4, plan.ptr('cN'), S);
      this.lastB = B;
    }
    return plan.ptr(this.names[L - 1].out);
  }

  // Layer 0's input projection of every token id for direction d: q [V, G·H] = E·W_ihᵀ + b, where
  // b = b_ih + b_hh summed as the kernels sum them (LSTM, Elman), or b_ih (GRU, whose b_hh acts
  // in the step).
  private tokenProjections(plan: Plan, emb: Embedding, ld: LayerDir, d: number): number {
    const k = this.rt.kernels, GH = GATES[this.mode] * this.hiddenSize;
    let bias = this.wp(ld.b_ih);
    if (bias && this.mode !== 'GRU') {
      k.copy_f32(plan.ptr('qb'), bias, GH);
      k.add_f32(plan.ptr('qb'), this.wp(ld.b_hh), GH);
      bias = plan.ptr('qb');
    }
    const q = plan.ptr(d === 0 ? 'q0' : 'q1');
    k.linear_fwd(q, emb.paramPtr('weight'), this.wp(ld.w_ih), bias, emb.numEmbeddings, GH, emb.embeddingDim, plan.ptr('qws'));
    return q;
  }

  // byte pointer of a parameter, 0 when absent (no bias)
  private wp(p?: ParamInfo): number {
    return p ? this.paramPtr(p.name) : 0;
  }

  // byte pointer of a parameter's gradient, 0 when absent
  private gp(p?: ParamInfo): number {
    return p ? this.gradPtr(p.name) : 0;
  }

  /**
   * @internal Backward for the last runForward from ∂E/∂output at dOutPtr (time-major
   * [T, B, D·H]; read, not kept). Accumulates the parameter gradients; returns the pointer of
   * ∂E/∂x [T, B, I] (valid until the next backward), or 0 when `inputGrad` is false or the input
   * was token ids (the forward's `tokens`: the Embedding's gradient is accumulated here).
   */
  runBackward(dOutPtr: number, state: { dhN?: NumericArray; dcN?: NumericArray; dhNPtr?: number; normsPtr?: number; inputGrad?: boolean } = {}): number {
    const c = this.requireCache();
    const { T, B } = c;
    const L = this.numLayers, D = this.numDirections, H = this.hiddenSize, DH = D * H;
    const fp = this.fwd!;
    const tokens = c.tokens;
    const bp = this.backwardPlan(T, B, tokens);
    const k = this.rt.kernels;
    k.copy_f32(bp.ptr(this.names[L - 1].dout), dOutPtr, T * B * DH);
    const S = L * D * B * H;
    if (state.dhNPtr) k.copy_f32(bp.ptr('dhN'), state.dhNPtr, S);
    else this.stateIn(bp.ptr('dhN'), state.dhN, S);
    if (this.mode === 'LSTM') this.stateIn(bp.ptr('dcN'), state.dcN, S);
    // ‖∂E/∂h_t‖² per step, [L·D, T], when asked (diagnostics.gradientFlow)
    const norms = (l: number, d: number) => (state.normsPtr ? state.normsPtr + (l * D + d) * T * 4 : 0);
    for (let l = L - 1; l >= 0; l--) {
      const xin = this.layerInput(fp, c.x, l, c.dropout), ldx = l === 0 ? this.inputSize : DH;
      // where ∂E/∂(this layer's input) goes: dx, or the layer below's output gradient
      const dx = l > 0 ? (c.dropout ? bp.ptr(this.names[l - 1].ddrop) : bp.ptr(this.names[l - 1].dout))
        : state.inputGrad === false || tokens ? 0 : bp.ptr('dx');
      const dq = l === 0 && tokens ? bp.ptr('dq') : 0, V = tokens?.numEmbeddings ?? 0;
      if (dx) k.fill_f32(dx, T * B * ldx, 0);
      const out = fp.ptr(this.names[l].out);
      for (let d = 0; d < D; d++) {
        const ld = this.layout[l * D + d];
        const s = (l * D + d) * B * H * 4;
        const o = out + d * H * 4;
        const dout = bp.ptr(this.names[l].dout) + d * H * 4;
        switch (this.mode) {
          case 'LSTM':
            k.lstm_bwd(T, B, ld.inSize, H, xin, ldx, fp.ptr('h0') + s, fp.ptr('c0') + s, o, DH,
              this.wp(ld.w_ih), this.wp(ld.w_hh), fp.ptr(ld.g), fp.ptr(ld.c), fp.ptr(ld.tc),
              dout, bp.ptr('dhN') + s, bp.ptr('dcN') + s, dx, bp.ptr('dh0') + s, bp.ptr('dc0') + s,
              this.gp(ld.w_ih), this.gp(ld.w_hh), this.gp(ld.b_ih), this.gp(ld.b_hh), bp.ptr('dG'), c.mask, norms(l, d), bp.ptr('ws'), d, dq, V);
            break;
          case 'GRU':
            k.gru_bwd(T, B, ld.inSize, H, xin, ldx, fp.ptr('h0') + s, o, DH, this.wp(ld.w_ih), this.wp(ld.w_hh),
              fp.ptr(ld.g), fp.ptr(ld.n), dout, bp.ptr('dhN') + s, dx, bp.ptr('dh0') + s,
              this.gp(ld.w_ih), this.gp(ld.w_hh), this.gp(ld.b_ih), this.gp(ld.b_hh), bp.ptr('dG'), bp.ptr('dG2'), c.mask, norms(l, d), bp.ptr('ws'), d, dq, V);
            break;
          default:
            k.rnn_bwd(T, B, ld.inSize, H, xin, ldx, fp.ptr('h0') + s, o, DH, this.wp(ld.w_ih), this.wp(ld.w_hh),
              dout, bp.ptr('dhN') + s, dx, bp.ptr('dh0') + s, this.gp(ld.w_ih), this.gp(ld.w_hh), this.gp(ld.b_ih), this.gp(ld.b_hh),
              bp.ptr('dG'), c.mask, norms(l, d), bp.ptr('ws'), d, this.mode === 'RNN_RELU' ? 1 : 0, dq, V);
        }
        if (dq) this.tokenGradients(bp, tokens!, ld);
      }
      if (l > 0 && c.dropout) {
        k.mul_f32(bp.ptr(this.names[l - 1].dout), bp.ptr(this.names[l - 1].ddrop), fp.ptr(this.names[l - 1].mask), T * B * DH, 0);
      }
    }
    return state.inputGrad === false || tokens ? 0 : bp.ptr('dx');
  }

  // From dq [V, G·H] (∂E/∂ of each id's projection, summed by the kernel): ∂E/∂W_ih += dqᵀ·E,
  // ∂E/∂b_ih += Σ dq, and the Embedding's ∂E/∂E += dq·W_ih.
  private tokenGradients(bp: Plan, emb: Embedding, ld: LayerDir): void {
    const k = this.rt.kernels, GH = GATES[this.mode] * this.hiddenSize, V = emb.numEmbeddings, E = emb.embeddingDim;
    k.linear_bwd(this.gp(ld.w_ih), this.gp(ld.b_ih), bp.ptr('de'), bp.ptr('dq'), emb.paramPtr('weight'), this.wp(ld.w_ih), V, GH, E, bp.ptr('qws'));
    k.add_f32(emb.gradPtr('weight'), bp.ptr('de'), V * E);
  }

  /** @internal The carried final states (h then c) and their batch size, for checkpoints. */
  get carriedState(): { batch: number; data: Float32Array } | undefined {
    if (this.lastB < 0) return undefined;
    const n = this.numLayers * this.numDirections * this.lastB * this.hiddenSize * (this.mode === 'LSTM' ? 2 : 1);
    return { batch: this.lastB, data: this.rt.arena.f32(this.carryBlock(this.lastB), n).slice() };
  }

  set carriedState(value: { batch: number; data: Float32Array } | undefined) {
    if (!value) { this.lastB = -1; return; }
    const n = this.numLayers * this.numDirections * value.batch * this.hiddenSize * (this.mode === 'LSTM' ? 2 : 1);
    if (value.data.length !== n) throw new ShapeError(`carried state: expected ${n} values for batch ${value.batch}, got ${value.data.length}`);
    this.rt.arena.f32(this.carryBlock(value.batch), n).set(value.data);
    this.lastB = value.batch;
  }

  // The block holding the carried final states for batch B: h [S] then c [S]. Always asked for
  // at this one size, so it is never re-allocated (which would lose its contents) in between.
  private carryBlock(B: number): number {
    return this.scratch(6, this.numLayers * this.numDirections * B * this.hiddenSize * 8, 'carried state');
  }

  /** @internal Pointer of the final hidden states of the last forward, [L·D, B, H]. */
  finalHPtr(): number {
    return this.fwd!.ptr('hN');
  }

  /** @internal Pointers of ∂E/∂h0 and ∂E/∂c0 (LSTM, else 0) of the last backward, [L·D, B, H] each. */
  initialStateGradPtrs(): { dh0: number; dc0: number } {
    return { dh0: this.bwd!.ptr('dh0'), dc0: this.mode === 'LSTM' ? this.bwd!.ptr('dc0') : 0 };
  }

  /** @internal Pointer of the final cell states of the last forward (LSTM), else 0. */
  finalCPtr(): number {
    return this.mode === 'LSTM' ? this.fwd!.ptr('cN') : 0;
  }

  /** @internal True while the activations of a forward are kept for backward. */
  override get canBackward(): boolean {
    return this.cache !== undefined;
  }

  private requireCache(): Cache {
    if (!this.cache) {
      throw new StateError('backward(): call forward() first; the weights must not be reloaded or reset in between');
    }
    return this.cache;
  }

  // ——— internals ———

  private buildLayout(): { name: string; shape: number[] }[] {
    const G = GATES[this.mode], H = this.hiddenSize, D = this.numDirections;
    const specs: { name: string; shape: number[] }[] = [];
    let offset = 0;
    const add = (name: string, shape: number[]): ParamInfo => {
      const size = shape.reduce((a, b) => a * b, 1);
      specs.push({ name, shape });
      const p = { name, shape, offset, size };
      offset += size;
      return p;
    };
    for (let l = 0; l < this.numLayers; l++) {
      this.names.push({ out: `out${l}`, mask: `mask${l}`, drop: `drop${l}`, dout: `dout${l}`, ddrop: `ddrop${l}` });
      const inSize = l === 0 ? this.inputSize : D * H;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const w_ih = add(`weight_ih${sfx}`, [G * H, inSize]);
        const w_hh = add(`weight_hh${sfx}`, [G * H, H]);
        const b_ih = this.bias ? add(`bias_ih${sfx}`, [G * H]) : undefined;
        const b_hh = this.bias ? add(`bias_hh${sfx}`, [G * H]) : undefined;
        this.layout.push({ layer: l, dir: d, inSize, w_ih, w_hh, b_ih, b_hh, g: `g${l}_${d}`, c: `c${l}_${d}`, tc: `tc${l}_${d}`, n: `n${l}_${d}` });
      }
    }
    if (offset * 4 > MAX_MEMORY_BYTES / 2) {
      throw new OutOfMemoryError(`${this.describe()} has ${offset} parameters (${(offset * 4 / 2 ** 20).toFixed(0)} MiB); with gradients that exceeds 32-bit WebAssembly memory`);
    }
    return specs;
  }

  private parseShape(shape: unknown): { T: number; B: number; batched: boolean } {
    const I = this.inputSize;
    const want = this.batchFirst ? `[B, T, ${I}]` : `[T, B, ${I}]`;
    if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3) ||
      !shape.every((s) => Number.isSafeInteger(s) && s >= 1)) {
      throw new ShapeError(`forward: options.shape must be ${want} (or [T, ${I}] unbatched) with positive integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
    }
    if (shape[shape.length - 1] !== I) {
      throw new ShapeError(`forward x: the last dimension of shape ${fmtShape(shape)} must be inputSize ${I}, expected ${want}`);
    }
    if (shape.length === 2) return { T: shape[0], B: 1, batched: false };
    return this.batchFirst ? { T: shape[1], B: shape[0], batched: true } : { T: shape[0], B: shape[1], batched: true };
  }

  // [T, D·H] unbatched, else [B, T, D·H] with batchFirst or [T, B, D·H]
  private outputShape(T: number, B: number, batched: boolean): number[] {
    const DH = this.numDirections * this.hiddenSize;
    return !batched ? [T, DH] : this.batchFirst ? [B, T, DH] : [T, B, DH];
  }

  private stateShape(B: number, batched: boolean): number[] {
    const LD = this.numLayers * this.numDirections;
    return batched ? [LD, B, this.hiddenSize] : [LD, this.hiddenSize];
  }

  // an initial state or final-state gradient (already checked) into wasm memory, or zeros
  private stateIn(ptr: number, value: NumericArray | undefined, n: number): void {
    if (value === undefined) this.rt.kernels.fill_f32(ptr, n, 0);
    else this.rt.arena.f32(ptr, n).set(value);
  }

  // the input of stacked layer l: the user's x, or the layer below's output (after dropout)
  private layerInput(plan: Plan, xPtr: number, l: number, dropout: boolean): number {
    if (l === 0) return xPtr;
    return dropout ? plan.ptr(this.names[l - 1].drop) : plan.ptr(this.names[l - 1].out);
  }

  /** @internal Throws OutOfMemoryError when (T, B) needs buffers beyond 32-bit memory: checked before any work. */
  checkSize(T: number, B: number): void {
    const G = GATES[this.mode], H = this.hiddenSize, D = this.numDirections;
    const widest = Math.max(this.inputSize, D * H, G * H) + 8;
    if (T * B * widest * 4 * 2 > 2 ** 31 || G * H * (widest + 8) * 4 > 2 ** 31) {
      throw new OutOfMemoryError(
        `forward: T = ${T}, B = ${B} with ${this.describe()} needs buffers beyond 2 GiB each; ` +
          'split the batch or the sequence (truncated BPTT)',
      );
    }
  }

  private forwardPlan(T: number, B: number, tokens?: Embedding): Plan {
    // same shape as last time: the same regions (no new objects per call, e.g. when streaming)
    if (this.fwd && this.fwdShape === T * 65536 + B && this.fwdShape !== -1 && this.fwdTokens === tokens) return this.fwd;
    this.checkSize(T, B);
    const k = this.rt.kernels;
    const L = this.numLayers, D = this.numDirections, H = this.hiddenSize, G = GATES[this.mode];
    const TB = T * B, S = L * D * B * H;
    const plan = new Plan();
    plan.add('h0', S).add('hN', S);
    if (this.mode === 'LSTM') plan.add('c0', S).add('cN', S);
    let ws = 0;
    for (let l = 0; l < L; l++) {
      const names = this.names[l];
      plan.add(names.out, TB * D * H);
      for (let d = 0; d < D; d++) {
        const ld = this.layout[l * D + d];
        plan.add(ld.g, TB * G * H);
        if (this.mode === 'LSTM') plan.add(ld.c, TB * H).add(ld.tc, TB * H);
        if (this.mode === 'GRU') plan.add(ld.n, TB * H);
      }
      if (this.dropout > 0 && l < L - 1) plan.add(names.mask, TB * D * H).add(names.drop, TB * D * H);
      const inSize = l === 0 ? this.inputSize : D * H;
      const f = this.mode === 'LSTM' ? k.lstm_fwd_ws : this.mode === 'GRU' ? k.gru_fwd_ws : k.rnn_fwd_ws;
      ws = Math.max(ws, f(T, B, inSize, H));
    }
    plan.add('ws', ws);
    if (tokens) this.addTokenRegions(plan, tokens, D);
    plan.base = this.scratch(2, plan.bytes, 'forward activations');
    this.fwd = plan;
    this.fwdShape = B < 65536 ? T * 65536 + B : -1;
    this.fwdTokens = tokens;
    return this.fwd;
  }

  // The token-id input's regions: q (per direction) and the bias sum in the forward, dq and ∂E/∂E
  // in the backward, and the products' workspace.
  private addTokenRegions(plan: Plan, emb: Embedding, D: number, backward = false): void {
    const GH = GATES[this.mode] * this.hiddenSize, V = emb.numEmbeddings;
    plan.add('qws', this.rt.kernels.linear_ws(V, GH, emb.embeddingDim));
    if (backward) plan.add('dq', V * GH).add('de', V * emb.embeddingDim);
    else {
      plan.add('qb', GH).add('q0', V * GH);
      if (D === 2) plan.add('q1', V * GH);
    }
  }

  private backwardPlan(T: number, B: number, tokens?: Embedding): Plan {
    const k = this.rt.kernels;
    const L = this.numLayers, D = this.numDirections, H = this.hiddenSize, G = GATES[this.mode];
    const TB = T * B, S = L * D * B * H;
    const plan = new Plan();
    plan.add('dx', TB * this.inputSize);
    plan.add('dhN', S).add('dh0', S);
    if (this.mode === 'LSTM') plan.add('dcN', S).add('dc0', S);
    plan.add('dG', TB * G * H);
    if (this.mode === 'GRU') plan.add('dG2', TB * G * H);
    let ws = 0;
    for (let l = 0; l < L; l++) {
      plan.add(this.names[l].dout, TB * D * H);
      if (this.dropout > 0 && l < L - 1) plan.add(this.names[l].ddrop, TB * D * H);
      const inSize = l === 0 ? this.inputSize : D * H;
      const f = this.mode === 'LSTM' ? k.lstm_bwd_ws : this.mode === 'GRU' ? k.gru_bwd_ws : k.rnn_bwd_ws;
      ws = Math.max(ws, f(T, B, inSize, H));
    }
    plan.add('ws', ws);
    if (tokens) this.addTokenRegions(plan, tokens, D, true);
    plan.base = this.scratch(3, plan.bytes, 'backward buffers');
    this.bwd = plan;
    return this.bwd;
  }

}

/**
 * @internal Write the [T, B] 0/1 mask of `lengths` (already checked by checkLengths) into the
 * module's scratch block `index`. Returns its pointer.
 */
export function writeMask(owner: Module, index: number, lengths: ArrayLike<number>, T: number, B: number): number {
  const ptr = owner.scratch(index, T * B * 4, 'mask');
  const m = owner.rt.arena.f32(ptr, T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t < lengths[b] ? 1 : 0;
  return ptr;
}

function kindOf(mode: Mode): 'RNN' | 'LSTM' | 'GRU' {
  return mode === 'LSTM' ? 'LSTM' : mode === 'GRU' ? 'GRU' : 'RNN';
}

function parseOptions(mode: Mode, options: RecurrentOptions, extraKeys: readonly string[]) {
  const kind = kindOf(mode);
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${kind}: expected an options object such as { inputSize: 8, hiddenSize: 32 }, got ${describe(options)}`);
  }
  checkKeys(kind, options, [...COMMON_KEYS, ...extraKeys]);
  const numLayers = checkInt(`${kind} numLayers`, options.numLayers ?? 1, 1, 1024);
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new ConfigError(`${kind} dropout: expected a probability in [0, 1), got ${describe(dropout)}`);
  }
  if (dropout > 0 && numLayers === 1) {
    // as PyTorch: legal, but a no-op worth telling about (dropout acts between layers)
    console.warn(`${kind}: dropout ${dropout} has no effect with numLayers 1; it applies to each layer's output except the last`);
  }
  return {
    inputSize: checkInt(`${kind} inputSize`, options.inputSize, 1, MAX_SIZE),
    hiddenSize: checkInt(`${kind} hiddenSize`, options.hiddenSize, 1, MAX_SIZE),
    numLayers,
    bias: checkBool(`${kind} bias`, options.bias ?? true),
    batchFirst: checkBool(`${kind} batchFirst`, options.batchFirst ?? false),
    bidirectional: checkBool(`${kind} bidirectional`, options.bidirectional ?? false),
    dropout,
    seed: options.seed === undefined ? Rng.randomSeed() : checkInt(`${kind} seed`, options.seed, 0, Number.MAX_SAFE_INTEGER),
  };
}
