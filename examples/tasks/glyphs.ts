// The handwriting task of examples/handwriting.ts, test/learning/handwriting.test.ts and the web
// demo's pen section: Hershey glyphs as training drawings for a pen model conditioned on the
// character and the font, their augmented copies, and the unigram-Gaussian baseline a pen model's
// NLL is compared with. Imports nothing at run time (the caller passes the library's
// strokeDataset), so the browser demo (examples/web/) bundles it too.
import type { HersheyGlyph, strokeDataset as StrokeDataset } from '../../src/sketch/index.js';
import type { SequenceDataset } from '../../src/train/index.js';

/**
 * The fonts: the single-stroke Latin fonts of the Hershey set. (`cursive` is left out: in
 * data/hershey.json its letters are the same paths as `scripts`'.)
 */
export const PEN_FONTS: readonly string[] = ['futural', 'scripts'];
export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const LETTERS = `${LOWERCASE}${LOWERCASE.toUpperCase()}`;

/** Sketch-RNN's augmentations, as every training and held-out copy gets them: x and y stretched by independent factors in [0.85, 1.15], 10 % of eligible points dropped. */
export const AUGMENT = { randomScale: 0.15, dropProbability: 0.1 } as const;

/** Seeds of the held-out copies start here; training copies use seeds below it (one per epoch). */
export const HELD_OUT_SEED = 1_000_000;

/** What a pen model of this task is conditioned on: one-hot character ⊕ one-hot font. */
export interface PenTask {
  characters: string;
  fonts: readonly string[];
}

/** Condition size: characters + fonts. */
export const conditionSize = (task: PenTask): number => task.characters.length + task.fonts.length;

/**
 * The library pieces a pen model is made of (passed in: this file imports nothing at run time),
 * typed by what penModel calls, so the classes of src/ and of the built package both fit.
 */
export interface PenLib<S, D, H> {
  Seq2Seq: new (parts: { conditionSize: number; decoder: D; head: H }, options: { stepInput: boolean; seed: number }) => S;
  LSTM: new (options: { inputSize: number; hiddenSize: number; batchFirst: boolean; seed: number }) => D;
  Linear: new (options: { inFeatures: number; outFeatures: number; seed: number }) => H;
  mdnOutputSize(components: number): number;
}

/** A fresh pen model for the task: the condition beside the stroke-5 point at every step, an MDN head. */
export function penModel<S, D, H>(lib: PenLib<S, D, H>, task: PenTask, hidden: number, components: number): S {
  const C = conditionSize(task);
  return new lib.Seq2Seq({
    conditionSize: C,
    decoder: new lib.LSTM({ inputSize: 5 + C, hiddenSize: hidden, batchFirst: true, seed: 1 }),
    head: new lib.Linear({ inFeatures: hidden, outFeatures: lib.mdnOutputSize(components), seed: 2 }),
  }, { stepInput: true, seed: 3 });
}

/** The condition of one drawing: one-hot character ⊕ one-hot font. */
export function penCondition(task: PenTask, char: string, font: string): Float32Array {
  const c = task.characters.indexOf(char), f = task.fonts.indexOf(font);
  if (c < 0 || f < 0) throw new Error(`no condition for "${char}" in ${font}: the task has characters "${task.characters}" and fonts ${task.fonts.join(', ')}`);
  const out = new Float32Array(conditionSize(task));
  out[c] = 1;
  out[task.characters.length + f] = 1;
  return out;
}

/** The steps T of every data set of the task: the longest glyph's points and its end row. */
export const maxSteps = (glyphs: readonly HersheyGlyph[]): number => Math.max(...glyphs.map((g) => g.drawing.length / 3)) + 1;

/**
 * `copies` augmented copies of every glyph, offsets divided by `scale` (the training set's
 * strokeScale), padded to `maxLength`, with their conditions: a teacher-forcing data set.
 * Copies of the same `seed` are the same drawings.
 */
export function glyphCopies(make: typeof StrokeDataset, task: PenTask, glyphs: readonly HersheyGlyph[], o: { copies: number; scale: number; maxLength: number; seed: number }): SequenceDataset {
  const all = Array.from({ length: o.copies }, () => glyphs).flat();
  const C = conditionSize(task), condition = new Float32Array(all.length * C);
  all.forEach((g, i) => condition.set(penCondition(task, g.char, g.font), i * C));
  return make(all.map((g) => g.drawing), { scale: o.scale, maxLength: o.maxLength, ...AUGMENT, seed: o.seed, condition, conditionShape: [all.length, C] });
}

/**
 * The unigram-Gaussian baseline: what a model that ignores the drawing so far can do — one
 * bivariate Gaussian for every offset and the frequencies of the three pen states, fitted by
 * maximum likelihood on a data set's valid rows (the offsets of the rows before each end, the
 * pen states of every row up to and including the end) of one or more data sets.
 */
export interface UnigramGaussian {
  mx: number;
  my: number;
  sx: number;
  sy: number;
  rho: number;
  /** Frequencies of pen down, pen up, end. */
  pen: [number, number, number];
}

export function fitUnigramGaussian(sets: readonly SequenceDataset[]): UnigramGaussian {
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, rows = 0;
  const pen = [0, 0, 0];
  for (const data of sets) {
    const [N, T] = data.yShape, y = data.y as Float32Array;
    for (let i = 0; i < N; i++) {
      const len = data.lengths ? data.lengths[i] : T;
      for (let t = 0; t < len; t++) {
        const r = (i * T + t) * 5;
        const k = y[r + 2] === 1 ? 0 : y[r + 3] === 1 ? 1 : 2;
        pen[k]++;
        rows++;
        if (k === 2) continue;
        const dx = y[r], dy = y[r + 1];
        n++;
        sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
      }
    }
  }
  const mx = sx / n, my = sy / n;
  const vx = sxx / n - mx * mx, vy = syy / n - my * my, cxy = sxy / n - mx * my;
  return { mx, my, sx: Math.sqrt(vx), sy: Math.sqrt(vy), rho: cxy / Math.sqrt(vx * vy), pen: [pen[0] / rows, pen[1] / rows, pen[2] / rows] };
}

/**
 * The baseline as the output of a one-component MDN head at every step of an [N, T] data set
 * (`[N, T, 9]`: pen logits log p, π logit 0, μx, μy, log σx, log σy, atanh ρ), so that its NLL is
 * computed by the same mdnLoss as the model's.
 */
export function unigramOutput(u: UnigramGaussian, N: number, T: number): Float32Array {
  const row = [Math.log(u.pen[0]), Math.log(u.pen[1]), Math.log(u.pen[2]), 0, u.mx, u.my, Math.log(u.sx), Math.log(u.sy), Math.atanh(u.rho)];
  const out = new Float32Array(N * T * 9);
  for (let i = 0; i < N * T; i++) out.set(row, i * 9);
  return out;
}
