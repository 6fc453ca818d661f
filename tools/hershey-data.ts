// Derives data/hershey.json from the npm package hersheytext 2.0.0 (MIT; its font data public
// domain): glyphs 0–93 (the characters "!" … "~") of each of its 23 fonts, their SVG path data
// byte for byte, half their advance widths, the names trimmed, and each font's alphabet / cursive /
// single-stroke tag (HERSHEY_FONT_INFO in src/sketch/hershey.ts). Left out: the 121 entries after
// "~" (one per font at the DEL position, 98 in `japanese`, two empty ones in `markers`). One glyph
// per line, for readable diffs.
//
//   npm pack hersheytext@2.0.0 && tar xzf hersheytext-2.0.0.tgz
//   npx tsx tools/hershey-data.ts package/hersheytext.json > data/hershey.json
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hersheyData, hersheyGlyphs } from '../src/sketch/hershey.js';

const SHA256 = '1aacce429fbf5eacb060b2cd3d9ad595fa820d28c9667b9ab1177de8de14bd8a'; // hersheytext-2.0.0/hersheytext.json

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx tools/hershey-data.ts path/to/hersheytext.json > data/hershey.json');
  process.exit(2);
}
const bytes = readFileSync(file);
const sha = createHash('sha256').update(bytes).digest('hex');
if (sha !== SHA256) {
  console.error(`${file}: sha256 ${sha}, expected ${SHA256} (hersheytext 2.0.0's hersheytext.json)`);
  process.exit(1);
}
const data = hersheyData(JSON.parse(bytes.toString('utf8')));
data.source = `hersheytext 2.0.0 (npm, https://github.com/techninja/hersheytextjs; MIT, the font data public domain): hersheytext.json, sha256 ${SHA256}; ` +
  'glyphs 0–93 ("!" … "~") of each font, paths unchanged, o as halfWidths, names trimmed';
hersheyGlyphs(data); // every path parses

const j = JSON.stringify;
const lines = ['{', `  "format": ${j(data.format)},`, `  "source": ${j(data.source)},`, `  "characters": ${j(data.characters)},`, '  "fonts": ['];
data.fonts.forEach((f, i) => {
  lines.push('    {');
  lines.push(`      "id": ${j(f.id)}, "name": ${j(f.name)}, "alphabet": ${j(f.alphabet)}, "cursive": ${f.cursive}, "singleStroke": ${f.singleStroke},`);
  lines.push(`      "halfWidths": ${j(f.halfWidths)},`);
  lines.push('      "paths": [');
  f.paths.forEach((p, k) => lines.push(`        ${j(p)}${k < f.paths.length - 1 ? ',' : ''}`));
  lines.push('      ]');
  lines.push(`    }${i < data.fonts.length - 1 ? ',' : ''}`);
});
lines.push('  ]', '}');
process.stdout.write(lines.join('\n') + '\n');
