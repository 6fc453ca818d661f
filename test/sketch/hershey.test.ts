// The Hershey data set: data/hershey.json as shipped (23 fonts, 2,100 glyphs, every path read by
// fromSvgPath and checked against a plain reading of its M/L commands), the labels and metadata,
// hersheytext's own JSON read the same way, the options, and malformed data refused.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError } from '../../src/index.js';
import { DATA_DIR } from '../../src/data/files.js';
import { hersheyData, hersheyFonts, hersheyGlyphs, type HersheyData } from '../../src/sketch/hershey.js';
import { toPolylines } from '../../src/sketch/strokes.js';

const json = (): HersheyData => JSON.parse(readFileSync(new URL('hershey.json', DATA_DIR), 'utf8'));
const data = json();
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

// A plain reading of Hershey path data: "M x,y L x,y x,y … M …", absolute integers.
function plainPolylines(d: string): number[][] {
  return d.split('M').filter((s) => s.trim()).map((s) => s.replace('L', ' ').trim().split(/\s+/).flatMap((p) => p.split(',').map(Number)));
}

describe('data/hershey.json', () => {
  it('23 fonts, the 94 characters, 2,100 glyphs; the three cursive scripts', () => {
    const fonts = hersheyFonts(data);
    expect(fonts.map((f) => f.id)).toEqual(['astrology', 'cursive', 'cyrillic', 'futural', 'futuram', 'gothiceng', 'gothicger', 'gothicita', 'greek',
      'japanese', 'markers', 'mathlow', 'mathupp', 'meteorology', 'music', 'scriptc', 'scripts', 'symbolic', 'timesg', 'timesi', 'timesib', 'timesr', 'timesrb']);
    expect(fonts.filter((f) => f.cursive).map((f) => f.id)).toEqual(['cursive', 'scriptc', 'scripts']);
    expect(fonts.filter((f) => f.singleStroke).map((f) => f.id)).toEqual(['cursive', 'futural', 'greek', 'scripts']);
    expect(fonts.filter((f) => f.alphabet === 'latin')).toHaveLength(12);
    expect(fonts.find((f) => f.id === 'scripts')).toEqual({ id: 'scripts', name: 'Script 1-stroke', alphabet: 'latin', cursive: true, singleStroke: true, characters: ASCII });
    expect(fonts.find((f) => f.id === 'gothicita')!.name).toBe('Gothic Italian');
    expect(fonts.find((f) => f.id === 'markers')!.characters).toBe('ABCDEFGHIJKLMNOPabcdefghijklmnop');
    for (const f of fonts) if (f.id !== 'markers') expect(f.characters, f.id).toBe(ASCII);
    expect(hersheyGlyphs(data)).toHaveLength(2100);
    expect(statSync(new URL('hershey.json', DATA_DIR)).size).toBe(315_344); // as data/README.md says
  });

  it('every glyph is the stroke-3 of its path: the polylines equal a plain reading of the M/L path data', () => {
    const glyphs = hersheyGlyphs(data);
    let points = 0;
    for (const g of glyphs) {
      const want = plainPolylines(g.path);
      expect(toPolylines(g.drawing).map((p) => Array.from(p)), `${g.font} ${g.char}`).toEqual(want);
      points += g.drawing.length / 3;
    }
    expect(points).toBe(51_045);
  });

  it("futural 'A' by hand: the apex at (9, 1), the feet on the baseline y = 22; advance 2 · o", () => {
    const [a] = hersheyGlyphs(data, { fonts: ['futural'], characters: 'A' });
    expect(a.path).toBe('M9,1 L1,22 M9,1 L17,22 M4,15 L14,15');
    expect(Array.from(a.drawing)).toEqual([9, 1, 0, -8, 21, 1, 8, -21, 0, 8, 21, 1, -13, -7, 0, 10, 0, 1]);
    expect(a.advance).toBe(18);
    expect({ char: a.char, font: a.font }).toEqual({ char: 'A', font: 'futural' });
  });

  it('y points down: in the Latin fonts (but gothicger) H spans y 1 … 22 and x sits on the baseline 22; g descends below it', () => {
    for (const f of hersheyFonts(data).filter((f) => f.alphabet === 'latin' && f.id !== 'gothicger')) {
      const [H, x, g] = hersheyGlyphs(data, { fonts: [f.id], characters: 'Hxg' }).map((glyph) => toPolylines(glyph.drawing).flatMap((p) => Array.from(p).filter((_, i) => i % 2 === 1)));
      expect([Math.min(...H), Math.max(...H)], f.id).toEqual([1, 22]);
      expect(Math.max(...x), f.id).toBe(22);
      expect(Math.max(...g), f.id).toBeGreaterThan(26);
    }
  });

  it('the glyphs lie in their cells: 99% of all points have 0 ≤ x ≤ advance (script glyphs reach out to join)', () => {
    let inside = 0, all = 0;
    for (const g of hersheyGlyphs(data)) {
      for (const p of toPolylines(g.drawing)) {
        for (let i = 0; i < p.length; i += 2) {
          all++;
          if (p[i] >= 0 && p[i] <= g.advance) inside++;
        }
      }
    }
    expect(inside / all).toBeGreaterThan(0.99);
  });
});

describe('hersheyGlyphs options', () => {
  it('fonts and characters in the order asked; a font without a glyph for a character skips it', () => {
    const g = hersheyGlyphs(data, { fonts: ['scripts', 'futural'], characters: 'ba' });
    expect(g.map((x) => `${x.font}:${x.char}`)).toEqual(['scripts:b', 'scripts:a', 'futural:b', 'futural:a']);
    expect(hersheyGlyphs(data, { fonts: ['markers'], characters: 'AQz' }).map((x) => x.char)).toEqual(['A']);
    expect(hersheyGlyphs(data, { characters: '~' })).toHaveLength(22);
  });

  it('refuses unknown fonts, characters outside ! … ~, repeated characters and unknown options', () => {
    expect(() => hersheyGlyphs(data, { fonts: ['futural', 'futurl'] })).toThrow(ConfigError);
    expect(() => hersheyGlyphs(data, { fonts: ['futural', 'futurl'] })).toThrow(/hersheyGlyphs fonts: element 1 is "futurl", not a font of the data; the fonts are astrology, cursive, /);
    expect(() => hersheyGlyphs(data, { fonts: 'futural' as never })).toThrow(/hersheyGlyphs fonts: expected an array of font ids \(strings\), got string "futural"/);
    expect(() => hersheyGlyphs(data, { characters: 'a b' })).toThrow(/hersheyGlyphs characters: character 1 is " "; expected distinct characters of "!" … "~"/);
    expect(() => hersheyGlyphs(data, { characters: 'aéb' })).toThrow(/character 1 is "é"/);
    expect(() => hersheyGlyphs(data, { characters: 'aba' })).toThrow(/character 2 is "a"; expected distinct/);
    expect(() => hersheyGlyphs(data, { font: ['futural'] } as never)).toThrow(/hersheyGlyphs: unknown option "font" \(did you mean "fonts"\?\)/);
  });
});

describe("hersheytext's own JSON", () => {
  // hersheytext.json's layout, rebuilt from the shipped file: glyph i is the character 33 + i, a 95th glyph after "~"
  const original = Object.fromEntries(data.fonts.map((f) => [f.id, {
    name: f.id === 'gothicita' ? 'Gothic Italian\t' : f.name,
    chars: [...f.paths.map((d, i) => ({ d, o: f.halfWidths[i] })), { d: 'M0,0 L1,1', o: 1 }],
  }]));

  it('reads to the same glyphs and fonts as data/hershey.json', () => {
    expect(hersheyGlyphs(original)).toEqual(hersheyGlyphs(data));
    expect(hersheyFonts(original)).toEqual(hersheyFonts(data));
    const d = hersheyData(original);
    expect(d.fonts.map(({ halfWidths, paths, ...rest }) => rest)).toEqual(data.fonts.map(({ halfWidths, paths, ...rest }) => rest));
  });

  it('an unknown font id is read as a symbol font', () => {
    expect(hersheyFonts({ mine: { name: 'Mine', chars: original.futural.chars } })).toEqual([
      { id: 'mine', name: 'Mine', alphabet: 'symbols', cursive: false, singleStroke: false, characters: ASCII },
    ]);
  });
});

describe('malformed data', () => {
  const bad = (mutate: (d: HersheyData) => void) => {
    const d = json();
    mutate(d);
    return d;
  };

  it('FormatError naming the field; the data unchanged', () => {
    const cases: [unknown, RegExp][] = [
      [null, /hersheyGlyphs data: expected the Hershey data of data\/hershey.json .* or hersheytext's JSON .*, got null/],
      ['{"format": …}', /hersheyGlyphs data: expected the Hershey data.*got string/],
      [bad((d) => { (d as { format: string }).format = 'v2'; }), /hersheyGlyphs data.format: expected "rnn-wasm\/hershey@1", got string "v2"/],
      [bad((d) => { d.characters = d.characters.slice(1); }), /hersheyGlyphs data.characters: expected the 94 characters/],
      [bad((d) => { d.fonts = []; }), /hersheyGlyphs data.fonts: expected a non-empty array of fonts, got an array of 0 elements/],
      [bad((d) => { d.fonts[3].paths.pop(); }), /hersheyGlyphs data.fonts\[3\].paths: expected 94 strings/],
      [bad((d) => { d.fonts[3].halfWidths[5] = NaN; }), /hersheyGlyphs data.fonts\[3\].halfWidths: expected 94 finite numbers ≥ 0/],
      [bad((d) => { d.fonts[4].id = d.fonts[3].id; }), /hersheyGlyphs data.fonts\[4\].id: expected a font id seen once, got string "futural"/],
      [bad((d) => { (d.fonts[2] as { alphabet: string }).alphabet = 'runic'; }), /hersheyGlyphs data.fonts\[2\].alphabet: expected "latin", "greek"/],
      [bad((d) => { (d.fonts[2] as { cursive: unknown }).cursive = 'no'; }), /hersheyGlyphs data.fonts\[2\].cursive: expected true or false/],
      [{ futural: { name: 'Sans', chars: [{ d: 'M0,0 L1,1', o: 1 }] } }, /hersheyGlyphs data\["futural"\].chars: expected glyphs for the 94 characters "!" … "~", got 1/],
      [{ futural: { name: 'Sans' } }, /hersheyGlyphs data\["futural"\]: expected a font \{ name, chars: \[\{ d, o \}, …\] \}/],
      [{ futural: { name: 'Sans', chars: Array.from({ length: 94 }, (_, i) => ({ d: 'M0,0 L1,1', o: i === 7 ? -1 : 1 })) } }, /hersheyGlyphs data\["futural"\].chars\[7\] \("\("\): expected \{ d: SVG path data, o: half the advance width \}/],
      [{}, /hersheyGlyphs data: expected .*, got an object without fonts/],
    ];
    for (const [d, message] of cases) {
      const before = structuredClone(d);
      expect(() => hersheyGlyphs(d)).toThrow(FormatError);
      expect(() => hersheyGlyphs(d)).toThrow(message);
      expect(d).toEqual(before);
    }
  });

  it('a glyph whose path is malformed: FormatError naming the font and the character, the parser\'s message as its cause', () => {
    const d = bad((x) => { x.fonts[3].paths[32] = 'M9,1 L1,22 M9'; });
    expect(() => hersheyGlyphs(d, { fonts: ['futural'] })).toThrow(
      /hersheyGlyphs data: the glyph of "A" in font "futural" is not usable path data: fromSvgPath d: expected a number \(y of M\) at position 13, got the end of the data/);
    try {
      hersheyGlyphs(d, { fonts: ['futural'] });
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(FormatError);
    }
    expect(hersheyGlyphs(d, { fonts: ['futural'], characters: 'B' })).toHaveLength(1); // other glyphs still read
    expect(() => hersheyFonts(null)).toThrow(/^hersheyFonts data: expected the Hershey data/);
    expect(() => hersheyData(7)).toThrow(/^hersheyData json: expected the Hershey data/);
  });
});
