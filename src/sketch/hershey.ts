/**
 * The Hershey fonts as a data set of pen drawings: 23 fonts of stroke glyphs (A. V. Hershey,
 * U.S. National Bureau of Standards, 1967; the JSON of the npm package `hersheytext` 2.0.0),
 * among them single-stroke Latin and Greek fonts and three cursive scripts, each glyph labelled
 * by its character and font. The data ship as `data/hershey.json` (see `data/README.md`); the
 * functions here take that file's parsed JSON (or `hersheytext`'s own JSON) and return stroke-3
 * drawings.
 * @packageDocumentation
 */
import { ConfigError, FormatError } from '../errors.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import type { Stroke3 } from './strokes.js';
import { fromSvgPath } from './svg.js';

/** The 94 printable ASCII characters `!` … `~`, in order: the characters a Hershey font has glyphs for. */
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

/**
 * What a font's letters are: Latin, Greek, Cyrillic or Japanese (kana at the Latin letters'
 * positions), or `'symbols'` for the fonts that draw symbols (astrological, mathematical,
 * meteorological, musical, map markers) at some or all positions.
 * @example
 * ```ts
 * const alphabet: HersheyAlphabet = 'latin';
 * ```
 */
export type HersheyAlphabet = 'latin' | 'greek' | 'cyrillic' | 'japanese' | 'symbols';

/**
 * A font of the set.
 * @example
 * ```ts
 * const scripts: HersheyFont = { id: 'scripts', name: 'Script 1-stroke', alphabet: 'latin', cursive: true, singleStroke: true, characters: '!"#…~' };
 * ```
 */
export interface HersheyFont {
  /** The font's key in `hersheytext`, e.g. `'futural'`, `'scripts'`. */
  id: string;
  /** Its display name, e.g. `'Sans 1-stroke'`. */
  name: string;
  alphabet: HersheyAlphabet;
  /** A cursive (joined, handwriting) script: `cursive`, `scripts` and `scriptc`. */
  cursive: boolean;
  /** Every line drawn once (the "1-stroke" fonts `futural`, `scripts`, `cursive`, `greek`); the others draw thick parts with two or three parallel lines. */
  singleStroke: boolean;
  /** The characters it has a glyph for, in ASCII order (all 94 of `!` … `~` except in `markers`, which has 32: A–P, and a–p the same glyphs again). */
  characters: string;
}

/**
 * One glyph: a labelled drawing.
 * @example
 * ```ts
 * const data = JSON.parse(await readText(new URL('hershey.json', DATA_DIR)));
 * const [a]: HersheyGlyph[] = hersheyGlyphs(data, { fonts: ['futural'], characters: 'A' });
 * // a.char 'A', a.font 'futural', a.path 'M9,1 L1,22 M9,1 L17,22 M4,15 L14,15', a.advance 18
 * ```
 */
export interface HersheyGlyph {
  /** The character, one of `!` … `~` (for the fonts of other alphabets: the key that types the glyph). */
  char: string;
  /** The font's id. */
  font: string;
  /**
   * The glyph as stroke-3 in font units, from the origin (0, 0) at the top left of its cell, y
   * pointing down as in SVG: capitals span y ≈ 1 … 22 (the baseline at 22) and x ≈ 0 … advance.
   */
  drawing: Stroke3;
  /** The SVG path data it was read from (M and L only). */
  path: string;
  /** The advance width in font units (twice `hersheytext`'s `o`): the next glyph starts this far to the right. Script glyphs reach a little beyond it to join their neighbours. */
  advance: number;
}

/**
 * The format of `data/hershey.json` (what {@link hersheyData} returns): per font its metadata and,
 * for each of the 94 characters `!` … `~` in order, the glyph's SVG path (`''` when the font has
 * none) and half its advance width.
 * @example
 * ```ts
 * const data: HersheyData = hersheyData(JSON.parse(await readText(new URL('hershey.json', DATA_DIR))));
 * data.fonts.length;   // 23
 * ```
 */
export interface HersheyData {
  format: 'rnn-wasm/hershey@1';
  /** Where the data came from. */
  source: string;
  /** `!` … `~`: the character of each position of `paths` and `halfWidths`. */
  characters: string;
  fonts: {
    id: string;
    name: string;
    alphabet: HersheyAlphabet;
    cursive: boolean;
    singleStroke: boolean;
    /** Half the advance width of each glyph (`hersheytext`'s `o`), font units. */
    halfWidths: number[];
    /** SVG path data of each glyph (`''`: no glyph). */
    paths: string[];
  }[];
}

/** @internal The fonts of hersheytext 2.0.0 and what they are (from their names and a look at every glyph). */
export const HERSHEY_FONT_INFO: Readonly<Record<string, { alphabet: HersheyAlphabet; cursive: boolean; singleStroke: boolean }>> = {
  astrology: { alphabet: 'symbols', cursive: false, singleStroke: false },
  cursive: { alphabet: 'latin', cursive: true, singleStroke: true },
  cyrillic: { alphabet: 'cyrillic', cursive: false, singleStroke: false },
  futural: { alphabet: 'latin', cursive: false, singleStroke: true },
  futuram: { alphabet: 'latin', cursive: false, singleStroke: false },
  gothiceng: { alphabet: 'latin', cursive: false, singleStroke: false },
  gothicger: { alphabet: 'latin', cursive: false, singleStroke: false },
  gothicita: { alphabet: 'latin', cursive: false, singleStroke: false },
  greek: { alphabet: 'greek', cursive: false, singleStroke: true },
  japanese: { alphabet: 'japanese', cursive: false, singleStroke: false },
  markers: { alphabet: 'symbols', cursive: false, singleStroke: false },
  mathlow: { alphabet: 'symbols', cursive: false, singleStroke: false },
  mathupp: { alphabet: 'symbols', cursive: false, singleStroke: false },
  meteorology: { alphabet: 'symbols', cursive: false, singleStroke: false },
  music: { alphabet: 'symbols', cursive: false, singleStroke: false },
  scriptc: { alphabet: 'latin', cursive: true, singleStroke: false },
  scripts: { alphabet: 'latin', cursive: true, singleStroke: true },
  symbolic: { alphabet: 'symbols', cursive: false, singleStroke: false },
  timesg: { alphabet: 'greek', cursive: false, singleStroke: false },
  timesi: { alphabet: 'latin', cursive: false, singleStroke: false },
  timesib: { alphabet: 'latin', cursive: false, singleStroke: false },
  timesr: { alphabet: 'latin', cursive: false, singleStroke: false },
  timesrb: { alphabet: 'latin', cursive: false, singleStroke: false },
};

const FORMAT = 'rnn-wasm/hershey@1';
const ALPHABETS: readonly string[] = ['latin', 'greek', 'cyrillic', 'japanese', 'symbols'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isHalfWidth = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Check Hershey font data and return it in the format of `data/hershey.json`. Takes that file's
 * parsed JSON, or the JSON of the npm package `hersheytext` (`hersheytext.json`, or
 * `require('hersheytext').fonts`: `{ [id]: { name, chars: [{ d, o }, …] } }`, glyph i for the
 * character with code 33 + i; glyphs after `~` are left out). Structure only: the paths are read
 * by {@link hersheyGlyphs}. Throws a `FormatError` naming the font and the field.
 *
 * @param json parsed JSON
 * @param name how the data are called in error messages
 * @example
 * ```ts
 * const data = hersheyData(JSON.parse(await readText(new URL('hershey.json', DATA_DIR))));
 * data.fonts.map((f) => f.id);   // ['astrology', 'cursive', …, 'timesrb']
 * ```
 */
export function hersheyData(json: unknown, name = 'hersheyData json'): HersheyData {
  const expected = `the Hershey data of data/hershey.json ({ format: "${FORMAT}", characters, fonts }) or hersheytext's JSON ({ [font]: { name, chars: [{ d, o }] } })`;
  if (!isObject(json)) throw new FormatError(`${name}: expected ${expected}, got ${describe(json)}`);
  if (json.format === undefined) return fromHersheytext(json, name, expected);
  if (json.format !== FORMAT) throw new FormatError(`${name}.format: expected "${FORMAT}", got ${describe(json.format)}`);
  if (json.characters !== ASCII) throw new FormatError(`${name}.characters: expected the 94 characters "!" … "~" in order, got ${describe(json.characters)}`);
  if (typeof json.source !== 'string') throw new FormatError(`${name}.source: expected a string, got ${describe(json.source)}`);
  if (!Array.isArray(json.fonts) || json.fonts.length === 0) throw new FormatError(`${name}.fonts: expected a non-empty array of fonts, got ${describe(json.fonts)}`);
  const ids = new Set<string>();
  json.fonts.forEach((f: unknown, i: number) => {
    const at = `${name}.fonts[${i}]`;
    if (!isObject(f)) throw new FormatError(`${at}: expected a font { id, name, alphabet, cursive, singleStroke, halfWidths, paths }, got ${describe(f)}`);
    if (typeof f.id !== 'string' || f.id === '' || ids.has(f.id)) throw new FormatError(`${at}.id: expected a font id seen once, got ${describe(f.id)}`);
    ids.add(f.id);
    if (typeof f.name !== 'string') throw new FormatError(`${at}.name: expected a string, got ${describe(f.name)}`);
    if (!ALPHABETS.includes(f.alphabet as string)) throw new FormatError(`${at}.alphabet: expected ${ALPHABETS.map((a) => `"${a}"`).join(', ')}, got ${describe(f.alphabet)}`);
    for (const key of ['cursive', 'singleStroke'] as const) {
      if (typeof f[key] !== 'boolean') throw new FormatError(`${at}.${key}: expected true or false, got ${describe(f[key])}`);
    }
    if (!Array.isArray(f.paths) || f.paths.length !== 94 || !f.paths.every((p) => typeof p === 'string')) {
      throw new FormatError(`${at}.paths: expected 94 strings (SVG path data for "!" … "~", '' for none), got ${describe(f.paths)}`);
    }
    if (!Array.isArray(f.halfWidths) || f.halfWidths.length !== 94 || !f.halfWidths.every(isHalfWidth)) {
      throw new FormatError(`${at}.halfWidths: expected 94 finite numbers ≥ 0, got ${describe(f.halfWidths)}`);
    }
  });
  return json as unknown as HersheyData;
}

// hersheytext's { [id]: { name, chars: [{ d, o }] } } → HersheyData
function fromHersheytext(json: Record<string, unknown>, name: string, expected: string): HersheyData {
  const fonts: HersheyData['fonts'] = [];
  for (const [id, font] of Object.entries(json)) {
    const at = `${name}["${id}"]`;
    if (!isObject(font) || typeof font.name !== 'string' || !Array.isArray(font.chars)) {
      throw new FormatError(`${at}: expected a font { name, chars: [{ d, o }, …] } (${expected}), got ${describe(font)}`);
    }
    if (font.chars.length < 94) throw new FormatError(`${at}.chars: expected glyphs for the 94 characters "!" … "~", got ${font.chars.length}`);
    const paths: string[] = [], halfWidths: number[] = [];
    for (let i = 0; i < 94; i++) {
      const g: unknown = font.chars[i];
      if (!isObject(g) || typeof g.d !== 'string' || !isHalfWidth(g.o)) {
        throw new FormatError(`${at}.chars[${i}] ("${ASCII[i]}"): expected { d: SVG path data, o: half the advance width }, got ${describe(g)}`);
      }
      paths.push(g.d);
      halfWidths.push(g.o as number);
    }
    const info = HERSHEY_FONT_INFO[id] ?? { alphabet: 'symbols', cursive: false, singleStroke: false };
    fonts.push({ id, name: font.name.trim(), ...info, halfWidths, paths });
  }
  if (fonts.length === 0) throw new FormatError(`${name}: expected ${expected}, got an object without fonts`);
  return { format: FORMAT, source: 'hersheytext JSON', characters: ASCII, fonts };
}

/**
 * The fonts of Hershey data (`data/hershey.json`, or `hersheytext`'s JSON; see
 * {@link hersheyData}), with the characters each has a glyph for.
 *
 * @param data the parsed JSON
 * @example
 * ```ts
 * const data = JSON.parse(await readText(new URL('hershey.json', DATA_DIR)));
 * hersheyFonts(data).filter((f) => f.cursive).map((f) => f.id);   // ['cursive', 'scriptc', 'scripts']
 * ```
 */
export function hersheyFonts(data: unknown): HersheyFont[] {
  return hersheyData(data, 'hersheyFonts data').fonts.map((f) => ({
    id: f.id, name: f.name, alphabet: f.alphabet, cursive: f.cursive, singleStroke: f.singleStroke,
    characters: [...ASCII].filter((_, i) => f.paths[i] !== '').join(''),
  }));
}

/**
 * Options of {@link hersheyGlyphs}.
 * @example
 * ```ts
 * const options: HersheyGlyphsOptions = { fonts: ['futural', 'scripts'], characters: 'abcdefghijklmnopqrstuvwxyz' };
 * ```
 */
export interface HersheyGlyphsOptions {
  /** Font ids, in the order wanted. Default: every font of the data. */
  fonts?: readonly string[];
  /** The characters wanted (each one of `!` … `~`, each once), in the order wanted. Default: all 94. */
  characters?: string;
}

/**
 * The glyphs of Hershey data as labelled drawings: for each font (in the order of `fonts`), each
 * character it has a glyph for (in the order of `characters`; a font without a glyph for a
 * character skips it): its stroke-3 drawing in font units (y down), its character, its font, the
 * SVG path it was read from ({@link fromSvgPath}) and its advance width. All 23 fonts and 94
 * characters give 2,100 glyphs (`markers` has 32).
 *
 * @param data the parsed JSON of `data/hershey.json` (or `hersheytext`'s JSON, see {@link hersheyData})
 * @example
 * ```ts
 * const data = JSON.parse(await readText(new URL('hershey.json', DATA_DIR)));
 * const glyphs = hersheyGlyphs(data, { fonts: ['futural', 'scripts'], characters: 'abc' });   // 6 glyphs
 * const labels = glyphs.map((g) => 'abc'.indexOf(g.char));                                  // [0, 1, 2, 0, 1, 2]
 * const set = strokeDataset(glyphs.map((g) => g.drawing), { labels });
 * ```
 */
export function hersheyGlyphs(data: unknown, options: HersheyGlyphsOptions = {}): HersheyGlyph[] {
  const o = checkOptions<HersheyGlyphsOptions>('hersheyGlyphs', options, {
    fonts: { expected: 'an array of font ids (strings)', test: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string') },
    characters: is.string,
  });
  const d = hersheyData(data, 'hersheyGlyphs data');
  const byId = new Map(d.fonts.map((f) => [f.id, f]));
  const fonts = (o.fonts ?? d.fonts.map((f) => f.id)).map((id, i) => {
    const f = byId.get(id);
    if (!f) throw new ConfigError(`hersheyGlyphs fonts: element ${i} is ${JSON.stringify(id)}, not a font of the data; the fonts are ${[...byId.keys()].join(', ')}`);
    return f;
  });
  const chars = o.characters ?? ASCII;
  const seen = new Set<string>();
  for (const [i, c] of [...chars].entries()) {
    if (!ASCII.includes(c) || seen.has(c)) {
      throw new ConfigError(`hersheyGlyphs characters: character ${i} is ${JSON.stringify(c)}; expected distinct characters of "!" … "~" (printable ASCII without the space)`);
    }
    seen.add(c);
  }
  const out: HersheyGlyph[] = [];
  for (const f of fonts) {
    for (const c of chars) {
      const k = c.charCodeAt(0) - 33;
      const path = f.paths[k];
      if (path === '') continue;
      let drawing: Stroke3;
      try {
        drawing = fromSvgPath(path);
      } catch (e) {
        throw new FormatError(`hersheyGlyphs data: the glyph of ${JSON.stringify(c)} in font "${f.id}" is not usable path data: ${(e as Error).message}`, { cause: e });
      }
      out.push({ char: c, font: f.id, drawing, path, advance: 2 * f.halfWidths[k] });
    }
  }
  return out;
}
