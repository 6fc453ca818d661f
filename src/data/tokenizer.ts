/**
 * Character-level tokenizer: one id per Unicode code point of a fixed vocabulary.
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { describe } from './check.js';

const hex = (c: string): string => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');

/** A character for a message: printable as JSON (`"\n"`), with its code point. */
const show = (c: string): string => `${JSON.stringify(c)} (${hex(c)})`;

/**
 * Maps characters (Unicode code points, not UTF-16 units) to ids `0 … size − 1` and back. The id
 * of a character is its position in `vocabulary`.
 *
 * @example
 * ```ts
 * const tok = CharTokenizer.fromText('hello world');   // vocabulary ' dehlorw'
 * const ids = tok.encode('hold');                       // Int32Array [3, 5, 4, 1]
 * tok.decode(ids);                                      // 'hold'
 * ```
 */
export class CharTokenizer {
  /** The characters, in id order. */
  readonly vocabulary: string;
  /** Number of characters (code points) in the vocabulary: ids are `0 … size − 1`. */
  readonly size: number;
  private readonly chars: string[];
  private readonly ids = new Map<string, number>();

  /**
   * A tokenizer over the given characters, in the given order (e.g. the `vocabulary` a model
   * was saved with). Throws `ConfigError` on an empty vocabulary or a repeated character.
   * @example
   * ```ts
   * const tok = new CharTokenizer('abc');   // a → 0, b → 1, c → 2
   * ```
   */
  constructor(vocabulary: string) {
    if (typeof vocabulary !== 'string' || vocabulary.length === 0) {
      throw new ConfigError(`CharTokenizer vocabulary: expected a non-empty string of distinct characters, got ${describe(vocabulary)}`);
    }
    this.chars = [...vocabulary];
    this.chars.forEach((c, i) => {
      const prev = this.ids.get(c);
      if (prev !== undefined) {
        throw new ConfigError(`CharTokenizer vocabulary: expected distinct characters, got ${show(c)} at positions ${prev} and ${i}`);
      }
      this.ids.set(c, i);
    });
    this.vocabulary = vocabulary;
    this.size = this.chars.length;
  }

  /**
   * The tokenizer whose vocabulary is the set of characters of `text`, sorted by code point
   * (the char-rnn convention: tinyshakespeare gives 65 characters, `'\n'` first).
   * @example
   * ```ts
   * CharTokenizer.fromText('banana').vocabulary;   // 'abn'
   * ```
   */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== 'string' || text.length === 0) {
      throw new ConfigError(`CharTokenizer.fromText text: expected a non-empty string, got ${describe(text)}`);
    }
    const set = [...new Set(text)];
    // by code point (not UTF-16 units, which order astral characters before U+E000–U+FFFF)
    set.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(set.join(''));
  }

  /**
   * Whether `char` (one character) is in the vocabulary.
   * @example
   * ```ts
   * new CharTokenizer('abc').has('d');   // false
   * ```
   */
  has(char: string): boolean {
    return this.ids.has(char);
  }

  /**
   * The id of one character. Throws `ShapeError` if it is not a single character or not in the
   * vocabulary.
   * @example
   * ```ts
   * new CharTokenizer('abc').idOf('c');   // 2
   * ```
   */
  idOf(char: string): number {
    const id = typeof char === 'string' ? this.ids.get(char) : undefined;
    if (id === undefined) {
      if (typeof char !== 'string' || [...char].length !== 1) {
        throw new ShapeError(`CharTokenizer.idOf char: expected one character, got ${describe(char)}`);
      }
      throw new ShapeError(`CharTokenizer.idOf char: ${show(char)} is not in the vocabulary of ${this.size} characters`);
    }
    return id;
  }

  /**
   * Ids of the characters of `text`, one per code point. An unknown character throws
   * `ShapeError` naming it, its code point and its position (in code points).
   * @example
   * ```ts
   * new CharTokenizer('ab').encode('abba');   // Int32Array [0, 1, 1, 0]
   * ```
   */
  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new ShapeError(`CharTokenizer.encode text: expected a string, got ${describe(text)}`);
    const out = new Int32Array(text.length); // ≥ the number of code points
    let n = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        throw new ShapeError(`CharTokenizer.encode text: character ${n} is ${show(c)}, which is not in the vocabulary of ${this.size} characters`);
      }
      out[n++] = id;
    }
    return n === out.length ? out : out.slice(0, n);
  }

  /**
   * The text of `ids`. An id that is not an integer in `[0, size − 1]` throws `ShapeError`.
   * @example
   * ```ts
   * new CharTokenizer('ab').decode([1, 0]);   // 'ba'
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    if (!(ArrayBuffer.isView(ids) && !(ids instanceof DataView)) && !Array.isArray(ids)) {
      throw new ShapeError(`CharTokenizer.decode ids: expected an Int32Array or number[] of ids, got ${describe(ids)}`);
    }
    const parts: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]];
      if (c === undefined || !Number.isInteger(ids[i])) {
        throw new ShapeError(`CharTokenizer.decode ids: element ${i} is ${describe(ids[i])}; expected an integer id in [0, ${this.size - 1}]`);
      }
      parts[i] = c;
    }
    return parts.join('');
  }
}

/**
 * Entropy in nats of the token frequencies of `ids`: the loss of the best model that ignores
 * context — the bar a character language model must get under.
 *
 * @example
 * ```ts
 * const h = unigramEntropy(new Int32Array([0, 1, 1, 1]), 2);   // ≈ 0.562 nats
 * ```
 */
export function unigramEntropy(ids: Int32Array, vocabularySize: number): number {
  const counts = new Float64Array(vocabularySize);
  for (const id of ids) counts[id]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}
