// The input contract of the whole public API, as a property test: 20,000 random calls, valid and
// invalid, on layers, models, trainers, streams, files, losses and data helpers. Every stateful
// object has a twin built from the same seeds; valid calls go to both, invalid ones only to the
// first. After each call:
//   1. an invalid call threw an RnnWasmError subclass (never a TypeError, RangeError or wasm trap)
//      whose message names the argument (and, for a typo, the key meant);
//   2. the rejected object's bytes are unchanged: weights, gradients, optimizer state, stream
//      states and carried states equal the twin's, bit for bit;
//   3. the next valid call still works and gives the same bits as the twin, which never saw the
//      rejection (a pending backward after a rejected call included);
//   4. valid forward/predict results agree with a float64 reference (DESIGN.md §5 metric, 1e-4).
// Replay a failure with CONTRACT_SEED=<seed> (printed in every assertion message).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ConfigError, Embedding, FormatError, GRU, init, Linear, load, LSTM, NonFiniteError, RNN, RnnWasmError, Sequential,
  ShapeError, StateDictError, StateError, type RecurrentLayer, type StreamState,
} from '../../src/index.js';
import { lossAndGrad, padSequences, slidingWindows, textDataset, Trainer, type SequenceDataset } from '../../src/train/index.js';
import { Gen } from '../support/gen.js';
import { parityError, PARITY_TOLERANCE } from '../support/metric.js';
import { recurrent64, sequential64 } from '../support/reference64.js';

beforeAll(() => init());

const SEED = Number(process.env.CONTRACT_SEED ?? 20261205);
const CALLS = 20_000;

type Target = 'a' | 'b';
interface Twin<T> { a: T; b: T }

interface LayerWorld {
  kind: 'layer';
  id: number;
  layer: Twin<RecurrentLayer>;
  pending?: { outLen: number; stateLen: number };
}
interface ModelWorld {
  kind: 'model';
  id: number;
  model: Twin<Sequential>;
  trainer: Twin<Trainer>;
  stream?: Twin<StreamState>;
  V: number;
  pending?: { outLen: number };
  dropout: boolean;
}
type World = LayerWorld | ModelWorld;

interface Call {
  op: string;
  valid: boolean;
  run(t: Target): unknown;
  /** invalid calls: the error class and what the message must name */
  error?: new (...args: never[]) => RnnWasmError;
  names?: RegExp;
  /** valid calls: check the result against the float64 reference */
  check?(result: unknown): void;
  after?(ok: boolean): void;
}

// ——— generators ———

function container(g: Gen, v: Float32Array): ArrayLike<number> {
  switch (g.int(0, 2)) {
    case 0: return v;
    case 1: return Float64Array.from(v);
    default: return Array.from(v);
  }
}

function poison(g: Gen, v: ArrayLike<number>): { value: ArrayLike<number>; index: number } {
  const a = Float64Array.from(v);
  const index = g.int(0, a.length - 1);
  a[index] = g.pick([NaN, Infinity, -Infinity, 1e39, -3.5e38]);
  return { value: g.chance(0.5) ? a : Array.from(a), index };
}

// a key one typo away from `key`
function typo(g: Gen, key: string): string {
  const bad = typoOf(g, key);
  return bad === key ? `${key}x` : bad;
}
function typoOf(g: Gen, key: string): string {
  const i = g.int(0, key.length - 1);
  switch (g.int(0, 3)) {
    case 0: return key.slice(0, i) + key.slice(i + 1) || `${key}x`; // drop a letter
    case 1: return i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : `${key}s`; // swap
    case 2: return key.replace(/[A-Z0-9]/, (c) => `_${c.toLowerCase()}`) === key ? `${key}_` : key.replace(/[A-Z0-9]/, (c) => `_${c.toLowerCase()}`); // snake_case
    default: return `${key.slice(0, i)}${String.fromCharCode(97 + g.int(0, 25))}${key.slice(i)}`; // insert
  }
}
// the message names the unknown key and lists the key meant (the regression tests check the suggestions)
const typoNames = (bad: string, meant: string) => {
  const esc = (k: string) => k.replace(/[$^.*+?()[\]{}|\\]/g, '\\$&');
  return new RegExp(`unknown option "${esc(bad)}"( \\(did you mean "[^"]+"\\?\\))?; the options are .*\\b${esc(meant)}\\b`);
};

function makeLayerWorld(g: Gen, id: number): LayerWorld {
  const o = {
    inputSize: g.int(1, 4), hiddenSize: g.int(1, 5), numLayers: g.int(1, 2), bidirectional: g.chance(0.3),
    batchFirst: g.chance(0.5), bias: g.chance(0.8), seed: g.int(0, 1000),
  };
  const kind = g.int(0, 3);
  const make = (): RecurrentLayer => (kind === 0 ? new LSTM(o) : kind === 1 ? new GRU(o) : new RNN({ ...o, nonlinearity: kind === 2 ? 'tanh' : 'relu' }));
  return { kind: 'layer', id, layer: { a: make(), b: make() } };
}

function makeModelWorld(g: Gen, id: number): ModelWorld {
  const V = g.int(2, 6), E = g.int(1, 4), H = g.int(1, 5), L = g.int(1, 2);
  const bidirectional = g.chance(0.2), batchFirst = g.chance(0.5), output = g.chance(0.3) ? 'last' as const : 'sequence' as const;
  const dropout = L > 1 && g.chance(0.3) ? 0.25 : 0;
  const cell = g.int(0, 2), seeds = [g.int(0, 999), g.int(0, 999), g.int(0, 999)];
  const opt = g.pick([{ type: 'adam' as const, lr: 0.01 }, { type: 'sgd' as const, lr: 0.1, momentum: 0.9 }, { type: 'rmsprop' as const, lr: 0.01 }]);
  const clip = g.pick([undefined, { maxNorm: 1 }, { value: 0.5 }]);
  const vocabulary = 'abcdef'.slice(0, V);
  const make = () => {
    const ro = { inputSize: E, hiddenSize: H, numLayers: L, bidirectional, batchFirst, dropout, seed: seeds[1] };
    const rnn = cell === 0 ? new LSTM(ro) : cell === 1 ? new GRU(ro) : new RNN(ro);
    const m = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: E, seed: seeds[0] }), rnn,
      new Linear({ inFeatures: H * (bidirectional ? 2 : 1), outFeatures: V, seed: seeds[2] }),
    ], { output, vocabulary });
    return { m, t: new Trainer(m, { loss: 'crossEntropy', optimizer: opt, clip }) };
  };
  const a = make(), b = make();
  return { kind: 'model', id, V, model: { a: a.m, b: b.m }, trainer: { a: a.t, b: b.t }, dropout: dropout > 0 };
}

// ——— fingerprints: every piece of state a rejection must leave alone ———

function bitsOf(values: Iterable<ArrayLike<number>>): string {
  let h1 = 0x811c9dc5, h2 = 0, n = 0;
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (const a of values) {
    for (let i = 0; i < a.length; i++) {
      f[0] = a[i];
      h1 = Math.imul(h1 ^ u[0], 16777619) >>> 0;
      h2 = (h2 + Math.imul(u[0], 2654435761 + n++)) >>> 0;
    }
  }
  return `${h1.toString(16)}.${h2.toString(16)}.${n}`;
}

function fingerprint(w: World, t: Target): string {
  if (w.kind === 'layer') {
    const l = w.layer[t];
    const c = l.carriedState;
    return bitsOf([...l.namedParameters().flatMap((p) => [p.data, p.grad]), ...(c ? [c.data] : [])]);
  }
  const m = w.model[t], tr = w.trainer[t];
  const opt = tr.optimizer.stateDict();
  const stream = w.stream?.[t].snapshot().flatMap((s) => (s.c ? [s.h, s.c] : [s.h])) ?? [];
  return [
    bitsOf(m.namedParameters().flatMap((p) => [p.data, p.grad])), bitsOf(opt.buffers.flat()), opt.stepCount, opt.lr,
    bitsOf(stream), w.stream?.[t].steps ?? 0, tr.progress.epoch, tr.progress.batch, tr.skippedSteps,
  ].join('|');
}

// Same bits: typed arrays element by element (NaN equal to NaN), objects key by key.
function sameBits(x: unknown, y: unknown, where = 'result'): string | undefined {
  if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
    const a = x as unknown as ArrayLike<number>, b = y as unknown as ArrayLike<number>;
    if (a.length !== b.length) return `${where}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${where}[${i}]: ${a[i]} vs ${b[i]}`;
    return undefined;
  }
  if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (k === 'seconds' || k === 'tokensPerSecond') continue; // clocks
      const d = sameBits((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${where}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(x, y) ? undefined : `${where}: ${String(x)} vs ${String(y)}`;
}

// ——— the calls ———

function layerCalls(g: Gen, w: LayerWorld): Call[] {
  const l = w.layer.a;
  const { inputSize: I, hiddenSize: H, batchFirst } = l;
  const LD = l.numLayers * l.numDirections, DH = l.numDirections * H;
  const T = g.int(1, 4), B = g.int(1, 3);
  const shape = batchFirst ? [B, T, I] : [T, B, I];
  const x = g.floats(T * B * I), h0 = g.floats(LD * B * H), c0 = g.floats(LD * B * H);
  const lengths = g.chance(0.3) ? Array.from({ length: B }, () => g.int(0, T)) : undefined;
  const opts: Record<string, unknown> = { shape };
  if (g.chance(0.5)) opts.h0 = container(g, h0);
  if (l.mode === 'LSTM' && g.chance(0.5)) opts.c0 = container(g, c0);
  if (lengths) opts.lengths = lengths;
  const xin = container(g, x);
  const fwd = (o: Record<string, unknown>, xv: unknown = xin) => (t: Target) => w.layer[t].forward(xv as never, o as never);
  const pending = { outLen: T * B * DH, stateLen: LD * B * H };
  const calls: Call[] = [];

  calls.push({
    op: 'layer.forward', valid: true, run: fwd(opts),
    check: (r) => {
      const res = r as { output: Float32Array; hN: Float32Array; cN?: Float32Array };
      const tm = batchFirst ? toTimeMajor(x, B, T, I) : x;
      const ref = recurrent64(l, tm, T, B, { h0: opts.h0 as ArrayLike<number>, c0: opts.c0 as ArrayLike<number>, lengths });
      const out = batchFirst ? toTimeMajor(res.output, B, T, DH) : res.output;
      expectParity(validSteps(out, T, B, DH, lengths), validSteps(ref.output, T, B, DH, lengths), 'forward output');
      expectParity(res.hN, ref.hN, 'forward hN');
      if (ref.cN) expectParity(res.cN!, ref.cN, 'forward cN');
    },
    after: (ok) => { if (ok) w.pending = pending; },
  });
  const key = g.pick(Object.keys(opts));
  const bad = typo(g, key);
  calls.push({ op: 'layer.forward typo', valid: false, run: fwd({ ...opts, [bad]: opts[key] }), error: ConfigError, names: typoNames(bad, key) });
  const px = poison(g, x);
  calls.push({ op: 'layer.forward NaN x', valid: false, run: fwd(opts, px.value), error: NonFiniteError, names: new RegExp(`forward x: element ${px.index} is`) });
  const ph = poison(g, h0);
  calls.push({ op: 'layer.forward NaN h0', valid: false, run: fwd({ ...opts, h0: ph.value }), error: NonFiniteError, names: new RegExp(`forward h0: element ${ph.index} is`) });
  calls.push({ op: 'layer.forward short x', valid: false, run: fwd(opts, x.subarray(1)), error: ShapeError, names: /forward x: expected shape/ });
  calls.push({ op: 'layer.forward bad shape', valid: false, run: fwd({ ...opts, shape: g.pick([[T * B * I], [0, B, I], [T, B, I + 1], [T, 1.5, I], 'TBI', null]) }), error: ShapeError, names: /shape/ });
  calls.push({ op: 'layer.forward bad lengths', valid: false, run: fwd({ ...opts, lengths: Array.from({ length: B }, (_, i) => (i === 0 ? g.pick([-1, T + 1, 0.5, NaN]) : 1)) }), error: ShapeError, names: /forward lengths/ });
  calls.push({ op: 'layer.forward no options', valid: false, run: fwd(g.pick([null, 7, 'shape']) as never), error: ShapeError, names: /options/ });
  if (l.mode !== 'LSTM') calls.push({ op: 'layer.forward c0 on a cell without one', valid: false, run: fwd({ ...opts, c0: c0 }), error: ShapeError, names: /c0 is only for LSTM/ });

  // backward: only valid after a forward of the same shapes
  const p = w.pending;
  if (p) {
    const d = g.floats(p.outLen), dh = g.floats(p.stateLen);
    const bo: Record<string, unknown> = {};
    if (g.chance(0.5)) bo.dhN = container(g, dh);
    if (l.mode === 'LSTM' && g.chance(0.5)) bo.dcN = container(g, g.floats(p.stateLen));
    const din = container(g, d);
    calls.push({ op: 'layer.backward', valid: true, run: (t) => w.layer[t].backward(din as never, bo as never) });
    const pd = poison(g, d);
    calls.push({ op: 'layer.backward NaN dOutput', valid: false, run: (t) => w.layer[t].backward(pd.value as never, bo as never), error: NonFiniteError, names: new RegExp(`backward dOutput: element ${pd.index} is`) });
    const pdh = poison(g, dh);
    calls.push({ op: 'layer.backward NaN dhN', valid: false, run: (t) => w.layer[t].backward(d, { dhN: pdh.value as never }), error: NonFiniteError, names: new RegExp(`backward dhN: element ${pdh.index} is`) });
    const bk = g.pick(['dhN', 'dcN']), bt = typo(g, bk);
    calls.push({ op: 'layer.backward typo', valid: false, run: (t) => w.layer[t].backward(d, { [bt]: dh } as never), error: ConfigError, names: typoNames(bt, bk) });
    calls.push({ op: 'layer.backward wrong size', valid: false, run: (t) => w.layer[t].backward(d.subarray(0, d.length - 1)), error: ShapeError, names: /backward dOutput: expected shape/ });
  } else {
    calls.push({ op: 'layer.backward before forward', valid: false, run: (t) => w.layer[t].backward(new Float32Array(T * B * DH)), error: StateError, names: /call forward\(\) first/ });
  }

  calls.push({ op: 'layer.zeroGrad', valid: true, run: (t) => w.layer[t].zeroGrad() });
  const dict = scaled(w.layer.b.stateDict());
  calls.push({ op: 'layer.loadStateDict', valid: true, run: (t) => w.layer[t].loadStateDict(dict), after: (ok) => { if (ok) w.pending = undefined; } });
  calls.push(...badStateDicts(g, dict, (t, d) => w.layer[t].loadStateDict(d as never)));
  return calls;
}

function modelCalls(g: Gen, w: ModelWorld): Call[] {
  const m = w.model.a, V = w.V, last = m.output === 'last';
  const T = g.int(1, 4), B = g.int(1, 3);
  const ids = Int32Array.from({ length: T * B }, () => g.int(0, V - 1)); // batch-major [B, T]
  const lengths = g.chance(0.3) ? Int32Array.from({ length: B }, () => g.int(1, T)) : undefined;
  const O = m.outputSize;
  const outLen = last ? B * O : T * B * O;
  const calls: Call[] = [];
  const batch = { x: ids, xShape: [B, T], lengths };
  const refCheck = (r: unknown) => {
    const tm = toTimeMajor(ids, B, T, 1);
    const ref = sequential64(m, tm, T, B, lengths);
    const out = r as Float32Array;
    if (last) expectParity(out, ref, 'predict output');
    else expectParity(validSteps(toTimeMajor(out, B, T, O), T, B, O, lengths), validSteps(ref, T, B, O, lengths), 'predict output');
  };

  calls.push({ op: 'model.predict(batch)', valid: true, run: (t) => w.model[t].predict(batch), check: refCheck, after: (ok) => { if (ok) w.pending = { outLen }; } });
  const fshape = m.batchFirst ? [B, T] : [T, B];
  const fx = m.batchFirst ? ids : toTimeMajor(ids, B, T, 1);
  const fopts: Record<string, unknown> = { shape: fshape };
  if (lengths) fopts.lengths = lengths;
  calls.push({ op: 'model.forward', valid: true, run: (t) => w.model[t].forward(Array.from(fx), fopts as never), after: (ok) => { if (ok) w.pending = { outLen }; } });
  const fk = g.pick(Object.keys(fopts)), ft = typo(g, fk);
  calls.push({ op: 'model.forward typo', valid: false, run: (t) => w.model[t].forward(fx, { ...fopts, [ft]: fopts[fk] } as never), error: ConfigError, names: typoNames(ft, fk) });
  const badIds = Int32Array.from(ids); const bi = g.int(0, badIds.length - 1); badIds[bi] = g.pick([-1, V, 1000]);
  calls.push({ op: 'model.predict bad id', valid: false, run: (t) => w.model[t].predict({ x: badIds, xShape: [B, T] }), error: ShapeError, names: new RegExp(`token ids\\): element ${bi} is`) });
  calls.push({ op: 'model.predict typo', valid: false, run: (t) => w.model[t].predict({ x: ids, xShape: [B, T], lenghts: [T] } as never), error: ConfigError, names: typoNames('lenghts', 'lengths') });
  calls.push({ op: 'model.predict bad xShape', valid: false, run: (t) => w.model[t].predict({ x: ids, xShape: g.pick([[B, T, 1], [B * T], [B, 0], 'BT']) as never }), error: ShapeError, names: /xShape/ });
  if (last) calls.push({ op: 'model.forward zero length', valid: false, run: (t) => w.model[t].predict({ ...batch, lengths: Int32Array.from({ length: B }, (_, i) => (i === 0 ? 0 : 1)) }), error: ShapeError, names: /forward lengths/ });

  if (w.pending) {
    const d = g.floats(w.pending.outLen);
    const din = container(g, d);
    calls.push({ op: 'model.backward', valid: true, run: (t) => w.model[t].backward(din as never) });
    const pd = poison(g, d);
    calls.push({ op: 'model.backward NaN', valid: false, run: (t) => w.model[t].backward(pd.value as never), error: NonFiniteError, names: new RegExp(`backward dOutput: element ${pd.index} is`) });
    calls.push({ op: 'model.backward wrong size', valid: false, run: (t) => w.model[t].backward(new Float32Array(d.length + 1)), error: ShapeError, names: /backward dOutput/ });
  } else {
    calls.push({ op: 'model.backward without forward', valid: false, run: (t) => w.model[t].backward(new Float32Array(outLen)), error: StateError, names: /forward\(\) first/ });
  }

  // streaming (unidirectional models)
  if (!m.layers.some((l) => (l as RecurrentLayer).bidirectional)) {
    if (!w.stream && g.chance(0.5)) {
      calls.push({
        op: 'model.initState', valid: true,
        run: (t) => { const s = w.model[t].initState(B); (w.stream ??= {} as Twin<StreamState>)[t] = s; if (t === 'a') streamsById.set(w.id, s); return s.batch; },
      });
    } else if (w.stream) {
      const sb = w.stream.a.batch;
      const sx = Int32Array.from({ length: sb }, () => g.int(0, V - 1));
      calls.push({ op: 'model.step', valid: true, run: (t) => w.model[t].step(sx, w.stream![t]).slice(), after: (ok) => { if (ok) w.pending = undefined; } });
      const sbad = Int32Array.from(sx); sbad[0] = V;
      calls.push({ op: 'model.step bad id', valid: false, run: (t) => w.model[t].step(sbad, w.stream![t]), error: ShapeError, names: /token ids/ });
      calls.push({ op: 'model.step wrong size', valid: false, run: (t) => w.model[t].step(new Int32Array(sb + 1), w.stream![t]), error: ShapeError, names: /token ids/ });
      const other = modelOf(w.id);
      if (other) calls.push({ op: 'model.step foreign state', valid: false, run: (t) => w.model[t].step(sx, other), error: ShapeError, names: /initState/ });
    }
    calls.push({ op: 'initState huge', valid: false, run: (t) => w.model[t].initState(2 ** 29), error: ShapeError, names: /initState batch: .*limit/ });
  } else {
    calls.push({ op: 'initState bidirectional', valid: false, run: (t) => w.model[t].initState(1), error: ConfigError, names: /streaming needs unidirectional/ });
  }

  // sampling
  const so = { length: g.int(0, 6), seed: g.int(0, 99), temperature: g.pick([0, 0.5, 1]), topK: g.int(1, V), prime: 'ab'.slice(0, g.int(0, 2)) };
  if (!last && !m.layers.some((l) => (l as RecurrentLayer).bidirectional)) {
    calls.push({ op: 'model.sample', valid: true, run: (t) => w.model[t].sample(so), after: (ok) => { if (ok) w.pending = undefined; } });
    const sk = g.pick(Object.keys(so)) as keyof typeof so, st = typo(g, sk);
    calls.push({ op: 'model.sample typo', valid: false, run: (t) => w.model[t].sample({ ...so, [st]: so[sk] } as never), error: ConfigError, names: typoNames(st, sk) });
    const [bk, bv, re, cls] = g.pick([
      ['seed', 1.5, /sample seed: expected an integer/, ConfigError], ['seed', -1, /sample seed/, ConfigError], ['prime', 5, /sample prime: expected/, ConfigError],
      ['length', 2 ** 30, /sample length: .*limit/, ConfigError], ['length', -3, /sample length/, ConfigError], ['temperature', -1, /sample temperature/, ConfigError],
      ['temperature', NaN, /sample temperature/, ConfigError], ['topK', 0, /sample topK/, ConfigError], ['prime', 'zzz', /sample prime: character "z"/, ShapeError],
    ] as const);
    calls.push({ op: `model.sample bad ${bk}`, valid: false, run: (t) => w.model[t].sample({ ...so, [bk]: bv } as never), error: cls, names: re });
  }

  // training
  const N = g.int(1, 3);
  const data = tokenData(g, m, N, T, V);
  calls.push({ op: 'trainer.trainBatch', valid: true, run: (t) => w.trainer[t].trainBatch(data), after: (ok) => { if (ok) w.pending = undefined; } });
  const badY = { ...data, lengths: undefined, y: Int32Array.from(data.y) }; const yi = g.int(0, badY.y.length - 1); badY.y[yi] = V + g.int(0, 3);
  calls.push({ op: 'trainer.trainBatch bad class', valid: false, run: (t) => w.trainer[t].trainBatch(badY), error: ShapeError, names: /y: element \d+ is \d+; class ids/ });
  calls.push({ op: 'trainer.trainBatch bad yShape', valid: false, run: (t) => w.trainer[t].trainBatch({ ...data, yShape: [N, T + 1] }), error: ShapeError, names: /yShape|y: expected/ });
  const eb = g.int(1, 3);
  calls.push({ op: 'trainer.evaluate', valid: true, run: (t) => w.trainer[t].evaluate(data, { batchSize: eb }), after: (ok) => { if (ok) w.pending = undefined; } });
  calls.push({ op: 'trainer.evaluate typo', valid: false, run: (t) => w.trainer[t].evaluate(data, { batchSzie: 2 } as never), error: ConfigError, names: typoNames('batchSzie', 'batchSize') });

  // files
  calls.push({
    op: 'save → load', valid: true,
    run: (t) => {
      const back = load(w.model[t].save(), { expect: 'Sequential' });
      try { return back.predict(batch); } finally { back.dispose(); }
    },
  });
  calls.push({ op: 'load expect layer', valid: false, run: (t) => load(w.model[t].save(), { expect: 'layer' }), error: FormatError, names: /options\.expect 'layer'/ });
  calls.push({ op: 'load typo', valid: false, run: (t) => load(w.model[t].save(), { expct: 'Sequential' } as never), error: ConfigError, names: typoNames('expct', 'expect') });

  calls.push({ op: 'model.zeroGrad', valid: true, run: (t) => w.model[t].zeroGrad() });
  const dict = scaled(w.model.b.stateDict());
  calls.push({ op: 'model.loadStateDict', valid: true, run: (t) => w.model[t].loadStateDict(dict), after: (ok) => { if (ok) w.pending = undefined; } });
  calls.push(...badStateDicts(g, dict, (t, d) => w.model[t].loadStateDict(d as never)));
  return calls;
}

// stateless entries: losses, data helpers, constructors
function statelessCalls(g: Gen): Call[] {
  const N = g.int(1, 4), C = g.int(2, 5);
  const out = g.floats(N * C);
  const tgt = Int32Array.from({ length: N }, () => g.int(0, C - 1));
  const ids = Int32Array.from({ length: g.int(3, 40) }, () => g.int(0, 9));
  const series = g.floats(g.int(8, 30));
  const seqLength = g.int(1, 3);
  return [
    {
      op: 'lossAndGrad', valid: true, run: () => lossAndGrad('crossEntropy', out, tgt, { shape: [N, C] }),
      check: (r) => {
        let loss = 0;
        for (let i = 0; i < N; i++) {
          const row = Array.from(out.subarray(i * C, (i + 1) * C));
          const max = Math.max(...row);
          loss += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[tgt[i]];
        }
        expect(Math.abs((r as { loss: number }).loss - loss / N)).toBeLessThan(1e-5 * Math.max(1, loss / N));
      },
    },
    { op: 'lossAndGrad typo', valid: false, run: () => lossAndGrad('mse', out, out, { shape: [N, C], shap: 1 } as never), error: ConfigError, names: typoNames('shap', 'shape') },
    { op: 'lossAndGrad NaN', valid: false, run: () => { const o = out.slice(); o[0] = NaN; return lossAndGrad('mse', o, out, { shape: [N, C] }); }, error: NonFiniteError, names: /lossAndGrad output: element 0/ },
    { op: 'textDataset', valid: true, run: () => textDataset(ids, { seqLength: Math.min(seqLength, ids.length - 1) }) },
    { op: 'textDataset typo', valid: false, run: () => textDataset(ids, { seqLenght: 2 } as never), error: ConfigError, names: typoNames('seqLenght', 'seqLength') },
    { op: 'slidingWindows typo', valid: false, run: () => slidingWindows(series, { window: 3, horizn: 1 } as never), error: ConfigError, names: typoNames('horizn', 'horizon') },
    { op: 'padSequences typo', valid: false, run: () => padSequences([[1, 2], [3]], { maxLenght: 4 } as never), error: ConfigError, names: typoNames('maxLenght', 'maxLength') },
    { op: 'Trainer without a model', valid: false, run: () => new Trainer(null as never, { loss: 'mse', optimizer: { type: 'adam' } }), error: ConfigError, names: /Trainer: expected a Sequential or Seq2Seq model, got null/ },
    { op: 'Trainer clip typo', valid: false, run: () => new Trainer(shared(), { loss: 'mse', optimizer: { type: 'adam' }, clip: { maxNorm: 1, normtype: 'inf' } as never }), error: ConfigError, names: typoNames('normtype', 'normType') },
    { op: 'Trainer schedule typo', valid: false, run: () => new Trainer(shared(), { loss: 'mse', optimizer: { type: 'adam' }, schedule: { type: 'cosine', totalSteps: 10, warmup: 2 } as never }), error: ConfigError, names: /schedule 'cosine': unknown option "warmup"/ },
    { op: 'Trainer optimizer typo', valid: false, run: () => new Trainer(shared(), { loss: 'mse', optimizer: { type: 'adam', beta: [0.9, 0.99] } as never }), error: ConfigError, names: typoNames('beta', 'betas') },
    { op: 'Trainer option typo', valid: false, run: () => new Trainer(shared(), { loss: 'mse', optimizer: { type: 'adam' }, acumulate: 2 } as never), error: ConfigError, names: typoNames('acumulate', 'accumulate') },
    { op: 'Trainer loss typo', valid: false, run: () => new Trainer(shared(), { loss: { type: 'crossEntropy', ignoreIndx: 0 }, optimizer: { type: 'adam' } } as never), error: ConfigError, names: typoNames('ignoreIndx', 'ignoreIndex') },
  ];
}

function badStateDicts(g: Gen, dict: Record<string, Float32Array>, load: (t: Target, d: unknown) => unknown): Call[] {
  const names = Object.keys(dict);
  const name = g.pick(names);
  const esc = name.replace(/\./g, '\\.');
  const { [name]: dropped, ...missing } = dict;
  const big = Float64Array.from(dict[name]); const bi = g.int(0, big.length - 1); big[bi] = g.pick([1e39, -1e40, NaN, Infinity]);
  void dropped;
  return [
    { op: 'loadStateDict missing', valid: false, run: (t) => load(t, missing), error: StateDictError, names: new RegExp(`missing "${esc}"`) },
    { op: 'loadStateDict extra', valid: false, run: (t) => load(t, { ...dict, [`${name}_extra`]: dict[name] }), error: StateDictError, names: /unexpected/ },
    { op: 'loadStateDict beyond float32', valid: false, run: (t) => load(t, { ...dict, [name]: big }), error: StateDictError, names: new RegExp(`"${esc}": element ${bi} is`) },
    { op: 'loadStateDict wrong size', valid: false, run: (t) => load(t, { ...dict, [name]: dict[name].subarray(1) }), error: StateDictError, names: new RegExp(`"${esc}": expected shape`) },
  ];
}

// ——— helpers ———

let sharedModel: Sequential | undefined;
const shared = () => (sharedModel ??= new Sequential([new LSTM({ inputSize: 1, hiddenSize: 2, seed: 1 }), new Linear({ inFeatures: 2, outFeatures: 1, seed: 2 })]));

// a stream of another world's model, to hand to the wrong model
const streamsById = new Map<number, StreamState>();
const modelOf = (id: number) => [...streamsById.entries()].find(([k]) => k !== id)?.[1];

function tokenData(g: Gen, m: Sequential, N: number, T: number, V: number): SequenceDataset {
  const x = Int32Array.from({ length: N * T }, () => g.int(0, V - 1));
  const perStep = m.output === 'sequence';
  const y = Int32Array.from({ length: perStep ? N * T : N }, () => (g.chance(0.1) ? -100 : g.int(0, V - 1)));
  const lengths = g.chance(0.3) ? Int32Array.from({ length: N }, () => g.int(1, T)) : undefined;
  return { x, xShape: [N, T], y, yShape: perStep ? [N, T] : [N], lengths };
}

function scaled(d: Record<string, Float32Array>): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(d)) out[k] = v.map((x) => x * 0.999);
  return out;
}

// [P, Q, F] → [Q, P, F] (batch-major ↔ time-major)
function toTimeMajor(a: ArrayLike<number>, P: number, Q: number, F: number): Float64Array {
  const out = new Float64Array(P * Q * F);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let f = 0; f < F; f++) out[(q * P + p) * F + f] = a[(p * Q + q) * F + f];
  return out;
}

// the valid steps of a time-major [T, B, F] array, as one list
function validSteps(a: ArrayLike<number>, T: number, B: number, F: number, lengths?: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (!lengths || t < lengths[b]) for (let f = 0; f < F; f++) out.push(a[(t * B + b) * F + f]);
  return Float64Array.from(out);
}

function expectParity(ours: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  const e = parityError(ours, ref);
  if (!(e <= PARITY_TOLERANCE)) throw new Error(`${what}: parity error ${e} against the float64 reference`);
}

// ——— the run ———

describe('the public input contract (property test)', () => {
  it(`${CALLS.toLocaleString('en')} random valid and invalid calls: named errors, unchanged state, same bits, float64-correct results`, async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const g = new Gen(SEED);
    const worlds: World[] = Array.from({ length: 12 }, (_, i) => (i % 2 ? makeModelWorld(g, i) : makeLayerWorld(g, i)));
    const counts = new Map<string, number>();
    let valid = 0, invalid = 0, checked = 0, fits = 0;
    const t0 = performance.now();
    for (let n = 0; n < CALLS; n++) {
      const ctx = `CONTRACT_SEED=${SEED}, call ${n}`;
      // now and then a whole fit, twice at once on one model (the second must be refused)
      if (n % 97 === 0) {
        const w = worlds.filter((x): x is ModelWorld => x.kind === 'model')[g.int(0, 5)];
        const data = tokenData(g, w.model.a, g.int(2, 5), g.int(1, 3), w.V);
        const fo = { epochs: 1, batchSize: g.int(1, 2), maxSteps: 2, seed: g.int(0, 9) };
        const first = w.trainer.a.fit(data, { ...fo, yieldEveryMs: 0 });
        const second = w.trainer.a.fit(data, fo), third = w.trainer.a.fit(data, { ...fo, batchSzie: 2 } as never);
        await expect(second, ctx).rejects.toThrow(/fit\(\) is already running on this model/);
        await expect(third, ctx).rejects.toThrow(StateError);
        const [ha, hb] = [await first, await w.trainer.b.fit(data, { ...fo, yieldEveryMs: 0 })];
        expect(sameBits(ha, hb, 'fit history'), ctx).toBeUndefined();
        await expect(w.trainer.a.fit(data, { ...fo, batchSzie: 2 } as never), ctx).rejects.toThrow(typoNames('batchSzie', 'batchSize'));
        await expect(w.trainer.a.fit(data, { ...fo, earlyStopping: { patience: 1 } }), ctx).rejects.toThrow(/earlyStopping needs validation data/);
        await expect(w.trainer.a.fit(data, { ...fo, callbacks: { onBatchEnd: 5 } } as never), ctx).rejects.toThrow(/fit callbacks onBatchEnd: expected a function/);
        expect(fingerprint(w, 'a'), ctx).toBe(fingerprint(w, 'b'));
        w.pending = undefined;
        fits++;
        continue;
      }
      const w = g.chance(0.1) ? undefined : g.pick(worlds);
      const calls = !w ? statelessCalls(g) : w.kind === 'layer' ? layerCalls(g, w) : modelCalls(g, w);
      // about half valid, half invalid
      const wantValid = g.chance(0.5);
      const pool = calls.filter((c) => c.valid === wantValid);
      const call = g.pick(pool.length ? pool : calls);
      counts.set(call.op, (counts.get(call.op) ?? 0) + 1);
      const fa = w && fingerprint(w, 'a');
      if (call.valid) {
        valid++;
        let ra: unknown, rb: unknown;
        try {
          ra = call.run('a');
        } catch (e) {
          throw new Error(`${ctx}: valid call ${call.op} threw ${(e as Error).name}: ${(e as Error).message}`);
        }
        rb = w ? call.run('b') : call.run('a');
        expect(sameBits(ra, rb), `${ctx}: ${call.op} gives the twin's bits`).toBeUndefined();
        if (call.check) { call.check(ra); checked++; }
        call.after?.(true);
      } else {
        invalid++;
        let threw: unknown;
        try {
          call.run('a');
        } catch (e) {
          threw = e;
        }
        expect(threw, `${ctx}: ${call.op} must be refused`).toBeInstanceOf(RnnWasmError);
        expect(threw, `${ctx}: ${call.op}`).toBeInstanceOf(call.error!);
        expect((threw as Error).message, `${ctx}: ${call.op}`).toMatch(call.names!);
        if (w) expect(fingerprint(w, 'a'), `${ctx}: ${call.op} left the state as it was`).toBe(fa);
      }
      if (w) expect(fingerprint(w, 'a'), `${ctx}: ${call.op}: twins agree`).toBe(fingerprint(w, 'b'));
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(`contract: ${CALLS} calls in ${seconds.toFixed(1)} s — ${valid} valid (${checked} checked against float64), ${invalid} refused, ${fits} double fits; ${counts.size} kinds of call`);
    expect(valid).toBeGreaterThan(CALLS * 0.3);
    expect(invalid).toBeGreaterThan(CALLS * 0.3);
    expect(counts.size).toBeGreaterThan(50);
    for (const w of worlds) {
      if (w.kind === 'layer') { w.layer.a.dispose(); w.layer.b.dispose(); } else { w.model.a.dispose(); w.model.b.dispose(); }
    }
    warn.mockRestore();
  }, 600_000);
});
