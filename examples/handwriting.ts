// Handwriting with a mixture-density pen model: a Seq2Seq decoder (LSTM, MDN head of M Gaussians)
// conditioned on a character and a font learns to draw the letters of the Hershey fonts futural
// and scripts, stroke by stroke. Every epoch sees fresh augmented copies of every glyph (x and y
// stretched by up to ±15 %, 10 % of the points dropped); held out are copies made by seeds that
// training never uses. Prints the held-out NLL per step against a unigram-Gaussian baseline, how
// many sampled letters a model-free recogniser (DTW of resampled points against the glyphs of
// both fonts) reads as the letter asked for, then writes a word as strokes to an SVG file and
// saves the model (and a JSON file of what it was trained on) for the web demo.
//   npx tsx examples/handwriting.ts                                   # a–z, 3 minutes, "hello"
//   npx tsx examples/handwriting.ts --characters letters --minutes 20 --word Hello --out examples/web/handwriting.safetensors
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { init, Linear, LSTM, runtimeInfo } from '../src/index.js';
import { DATA_DIR } from '../src/data/files.js';
import { saveFile } from '../src/node.js';
import { Seq2Seq } from '../src/seq2seq.js';
import {
  glyphRecognizer, hersheyGlyphs, mdnLoss, mdnOutputSize, sampleSketch, strokeDataset, strokeScale, toPolylines, toStroke3,
  type HersheyGlyph,
} from '../src/sketch/index.js';
import { Trainer } from '../src/train/index.js';
import {
  AUGMENT, fitUnigramGaussian, glyphCopies, HELD_OUT_SEED, LETTERS, LOWERCASE, maxSteps, PEN_FONTS, penCondition, penModel,
  unigramOutput, type PenTask,
} from './tasks/glyphs.js';

const REPORT_EVERY_S = 15, COPIES = 4, BATCH = 32, HELD_OUT_COPIES = 8, SPACE = 16;

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '3' }, epochs: { type: 'string' }, hidden: { type: 'string', default: '256' },
      components: { type: 'string', default: '20' }, lr: { type: 'string', default: '3e-3' },
      characters: { type: 'string', default: 'lowercase' }, word: { type: 'string', default: 'hello' },
      temperature: { type: 'string', default: '0.25' }, samples: { type: 'string', default: '4' },
      svg: { type: 'string', default: 'build/handwriting.svg' }, out: { type: 'string', default: 'build/handwriting.safetensors' },
    },
  });
  const number = (name: keyof typeof values, test: (v: number) => boolean, what: string) => {
    const v = Number(values[name]);
    if (!test(v)) throw new Error(`--${name}: expected ${what}, got ${values[name]}`);
    return v;
  };
  const int = (v: number) => Number.isInteger(v) && v >= 1;
  if (values.characters !== 'lowercase' && values.characters !== 'letters') throw new Error(`--characters: expected lowercase (a–z) or letters (a–z, A–Z), got ${values.characters}`);
  return {
    minutes: number('minutes', (v) => v > 0, 'a positive number'),
    epochs: values.epochs === undefined ? Infinity : number('epochs', int, 'a positive integer'),
    hidden: number('hidden', int, 'a positive integer'),
    components: number('components', int, 'a positive integer'),
    lr: number('lr', (v) => v > 0, 'a positive number'),
    characters: values.characters === 'letters' ? LETTERS : LOWERCASE,
    word: values.word!,
    temperature: number('temperature', (v) => v >= 0, 'a number ≥ 0'),
    samples: number('samples', int, 'a positive integer'),
    svg: values.svg!,
    out: values.out!,
  };
}


/** Stroke-3 in font units, from a sample's stroke-5 rows in units of `scale`; null when it drew nothing. */
function drawing(strokes: Float32Array, scale: number): Float32Array | null {
  if (strokes.length === 0 || strokes[4] === 1) return null;
  const d = toStroke3(strokes);
  for (let i = 0; i < d.length; i += 3) { d[i] *= scale; d[i + 1] *= scale; }
  return d;
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;

async function main(): Promise<void> {
  const o = options();
  await init();
  const data = JSON.parse(readFileSync(new URL('hershey.json', DATA_DIR), 'utf8'));
  const task: PenTask = { characters: o.characters, fonts: PEN_FONTS };
  const glyphs = hersheyGlyphs(data, { fonts: task.fonts, characters: task.characters });
  const scale = strokeScale(glyphs.map((g) => g.drawing));
  const T = maxSteps(glyphs);
  const model = penModel({ Seq2Seq, LSTM, Linear, mdnOutputSize }, task, o.hidden, o.components);
  const info = runtimeInfo();
  console.log(`${glyphs.length} glyphs: ${task.characters.length === 26 ? 'a–z' : 'a–z, A–Z'} of ${task.fonts.join(' and ')} ` +
    `(up to ${T - 1} points; offsets ÷ ${scale.toFixed(3)} font units, their strokeScale)`);
  console.log(`${model.describe()}: ${model.parameterCount.toLocaleString('en-US')} parameters, condition = one-hot character (${task.characters.length}) ⊕ one-hot font (${task.fonts.length}); ` +
    `${info.threads} thread${info.threads === 1 ? '' : 's'}`);

  // held out: copies of every glyph, augmented like the training copies but by seeds training never uses
  const heldOut = glyphCopies(strokeDataset, task, glyphs, { copies: HELD_OUT_COPIES, scale, maxLength: T, seed: HELD_OUT_SEED });
  const trainer = new Trainer(model, { loss: { type: 'mixtureDensity', components: o.components }, optimizer: { type: 'adam', lr: o.lr }, clip: { maxNorm: 1 } });
  const untrained = trainer.evaluate(heldOut);
  console.log(`Training for ${o.minutes} min${Number.isFinite(o.epochs) ? ` or ${o.epochs} epochs` : ''}: every epoch ${COPIES} fresh copies of every glyph ` +
    `(x, y stretched ×[${1 - AUGMENT.randomScale}, ${1 + AUGMENT.randomScale}], ${AUGMENT.dropProbability * 100} % of points dropped), batches of ${BATCH}, Adam lr ${o.lr}, clip 1`);
  const t0 = performance.now();
  let epoch = 0, steps = 0, last = t0, lossSum = 0, lossCount = 0;
  while (epoch < o.epochs && performance.now() - t0 < o.minutes * 60_000) {
    epoch++;
    const h = await trainer.fit(glyphCopies(strokeDataset, task, glyphs, { copies: COPIES, scale, maxLength: T, seed: epoch }), { epochs: 1, batchSize: BATCH, seed: epoch });
    steps += h.steps;
    lossSum += h.epochs[0].loss;
    lossCount++;
    if (performance.now() - last >= REPORT_EVERY_S * 1000) {
      last = performance.now();
      console.log(`${((last - t0) / 1000).toFixed(0).padStart(4)} s  epoch ${String(epoch).padStart(4)}  step ${String(steps).padStart(5)}  ` +
        `train ${(lossSum / lossCount).toFixed(3)}  held-out ${trainer.evaluate(heldOut).toFixed(3)} nats/step`);
      lossSum = lossCount = 0;
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  // the held-out NLL per step, model against the unigram Gaussian (both by the same loss, mdnLoss's definition)
  const nll = trainer.evaluate(heldOut);
  // fitted on the training copies of the first (up to) 8 epochs
  const unigram = fitUnigramGaussian(Array.from({ length: Math.min(epoch, 8) }, (_, e) => glyphCopies(strokeDataset, task, glyphs, { copies: COPIES, scale, maxLength: T, seed: e + 1 })));
  const [N, Th] = heldOut.xShape;
  const base = mdnLoss(unigramOutput(unigram, N, Th), heldOut.y as Float32Array, { components: 1, shape: [N, Th], lengths: heldOut.lengths }).loss;
  console.log(`\n${epoch} epochs, ${steps} updates in ${seconds.toFixed(0)} s.`);
  console.log(`Held out: ${HELD_OUT_COPIES} copies of each of the ${glyphs.length} glyphs, augmented as in training by seeds from ${HELD_OUT_SEED} (training used 1 … ${epoch}).`);
  console.log(`Held-out NLL per step (nats, offsets in units of ${scale.toFixed(3)}): model ${nll.toFixed(3)} (untrained ${untrained.toFixed(3)}); ` +
    `unigram Gaussian ${base.toFixed(3)} (one bivariate Gaussian for every offset, the pen states by frequency, fitted on the training copies): ` +
    `the model is ${(base - nll).toFixed(3)} nats/step lower`);

  // recognisable: each letter in each font, sampled, read by the nearest glyph (DTW) among both fonts' glyphs
  const recognize = glyphRecognizer(glyphs.map((g) => ({ drawing: g.drawing, label: g.char })));
  let right = 0, caseless = 0, total = 0;
  const misses = new Map<string, number>();
  for (const font of task.fonts) {
    for (const ch of task.characters) {
      for (let s = 0; s < o.samples; s++) {
        const r = sampleSketch(model, { condition: penCondition(task, ch, font), temperature: o.temperature, seed: s, maxLength: 2 * T });
        const d = drawing(r.strokes, scale);
        const label = d ? recognize(d).label : '∅';
        total++;
        if (label === ch) right++;
        else misses.set(`${ch}→${label}`, (misses.get(`${ch}→${label}`) ?? 0) + 1);
        if (label.toLowerCase() === ch.toLowerCase()) caseless++;
      }
    }
  }
  const top = [...misses].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ×${v}`).join(', ');
  console.log(`Recognisable: ${right} of ${total} samples (${pct(right, total)}) at temperature ${o.temperature} are nearest to the character asked for ` +
    `(DTW of 32 resampled points against the ${glyphs.length} glyphs of ${task.fonts.join(' and ')}; ${o.samples} seed${o.samples === 1 ? '' : 's'} per character and font)` +
    (task.characters.length > 26 ? `; ${pct(caseless, total)} ignoring case (c/C, o/O, s/S, … are one shape at two sizes, which the recogniser does not see)` : '') +
    `.${top ? ` Most frequent misses: ${top}` : ''}`);

  // the word, each letter sampled from its class and placed at the sum of the advances before it, one line per font
  const byKey = new Map<string, HersheyGlyph>(glyphs.map((g) => [`${g.font}:${g.char}`, g]));
  const lines: string[] = [];
  let width = 0;
  task.fonts.forEach((font, row) => {
    let x = 0;
    [...o.word].forEach((ch, k) => {
      if (ch === ' ') { x += SPACE; return; }
      const g = byKey.get(`${font}:${ch}`);
      if (!g) throw new Error(`--word: "${ch}" is not one of the characters the model learnt (${task.characters})`);
      const r = sampleSketch(model, { condition: penCondition(task, ch, font), temperature: o.temperature, seed: 100 + k, maxLength: 2 * T });
      const d = drawing(r.strokes, scale);
      if (d) {
        for (const p of toPolylines(d, { origin: [x, 40 * row] })) {
          lines.push(`<polyline points="${Array.from({ length: p.length / 2 }, (_, i) => `${p[2 * i].toFixed(2)},${p[2 * i + 1].toFixed(2)}`).join(' ')}"/>`);
        }
      }
      x += g.advance;
    });
    width = Math.max(width, x);
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-8 -4 ${width + 16} ${40 * task.fonts.length + 8}" width="${4 * (width + 16)}" height="${4 * (40 * task.fonts.length + 8)}">\n` +
    `<!-- "${o.word}" written by a pen model (examples/handwriting.ts), temperature ${o.temperature}: ${task.fonts.join(', then ')} -->\n` +
    `<rect x="-8" y="-4" width="${width + 16}" height="${40 * task.fonts.length + 8}" fill="white"/>\n` +
    `<g fill="none" stroke="black" stroke-width="1.2" stroke-linecap="round" stroke-linejoin="round">\n${lines.join('\n')}\n</g>\n</svg>\n`;
  mkdirSync(path.dirname(path.resolve(o.svg)), { recursive: true });
  writeFileSync(o.svg, svg);
  console.log(`Wrote "${o.word}" as strokes to ${o.svg} (${lines.length} strokes; one line per font).`);

  // the model, and what the web demo needs to use it: the task, the scale, the trained figures
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  await saveFile(model, o.out);
  const meta = o.out.replace(/\.safetensors$/, '') + '.json';
  writeFileSync(meta, JSON.stringify({
    format: 'rnn-wasm/handwriting@1', characters: task.characters, fonts: task.fonts, scale, components: o.components, maxLength: T,
    trained: {
      command: ['npx tsx examples/handwriting.ts', ...process.argv.slice(2).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))].join(' '), epochs: epoch, steps, seconds: Math.round(seconds),
      heldOutNll: +nll.toFixed(4), unigramNll: +base.toFixed(4), recognised: +(right / total).toFixed(4), temperature: o.temperature,
    },
  }, null, 2) + '\n');
  console.log(`Saved the model to ${o.out} and what it was trained on to ${meta}.`);
  model.dispose();
}

await main();
