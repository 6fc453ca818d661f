// The figures of the model-free recogniser (src/sketch/dtw.ts) that test/sketch/dtw.test.ts
// asserts: every Hershey glyph, perturbed (test/support/strokes.ts), classified by nearestGlyph
// among the glyphs of its font; the letters of the single-stroke Latin fonts, three copies each;
// and where 500 random scribbles land.
//   npx tsx tools/recognizer-accuracy.ts [--points 32] [--window N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATA_DIR } from '../src/data/files.js';
import { glyphRecognizer } from '../src/sketch/dtw.js';
import { hersheyFonts, hersheyGlyphs } from '../src/sketch/hershey.js';
import { perturbGlyph, scribbles } from '../test/support/strokes.js';

const { values } = parseArgs({ options: { points: { type: 'string', default: '32' }, window: { type: 'string' } } });
const options = { points: Number(values.points), window: values.window === undefined ? undefined : Number(values.window) };
const data = JSON.parse(readFileSync(new URL('hershey.json', DATA_DIR), 'utf8'));
const recognizerOf = (font: string, characters?: string) => {
  const glyphs = hersheyGlyphs(data, { fonts: [font], characters });
  return { glyphs, recognize: glyphRecognizer(glyphs.map((g) => ({ drawing: g.drawing, label: g.char })), options) };
};
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;

let right = 0, total = 0;
const misses = new Map<string, number>();
console.log('every glyph, one perturbed copy, nearest among its font:');
for (const font of hersheyFonts(data)) {
  const { glyphs, recognize } = recognizerOf(font.id);
  let r = 0;
  glyphs.forEach((g, i) => {
    const label = recognize(perturbGlyph(g.drawing, i)).label;
    if (label === g.char) r++;
    else misses.set(`${g.char}→${label}`, (misses.get(`${g.char}→${label}`) ?? 0) + 1);
  });
  console.log(`  ${font.id.padEnd(12)} ${pct(r, glyphs.length).padStart(7)} of ${glyphs.length}`);
  right += r;
  total += glyphs.length;
}
console.log(`  all          ${pct(right, total).padStart(7)} of ${total}`);
console.log(`  most frequent misses: ${[...misses].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ×${v}`).join(', ')}`);

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
right = total = 0;
for (const font of ['futural', 'scripts', 'cursive']) {
  const { glyphs, recognize } = recognizerOf(font, letters);
  for (let rep = 0; rep < 3; rep++) {
    glyphs.forEach((g, i) => {
      total++;
      if (recognize(perturbGlyph(g.drawing, 1000 * rep + i)).label === g.char) right++;
    });
  }
}
console.log(`letters a–z, A–Z of futural, scripts, cursive, three copies each: ${pct(right, total)} of ${total}`);

for (const font of ['futural', 'scripts']) {
  const { recognize } = recognizerOf(font);
  const counts = new Map<string, number>();
  for (const s of scribbles(500, 11)) {
    const label = recognize(s).label;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]);
  console.log(`500 scribbles against ${font}: ${counts.size} labels, most frequent ${top.slice(0, 3).map(([k, v]) => `"${k}" ${pct(v, 500)}`).join(', ')}`);
}
