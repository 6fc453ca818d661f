// CharTokenizer: the tinyshakespeare convention (65 characters sorted by code point) on the
// real file, exact round trips, code points rather than UTF-16 units, and clear errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CharTokenizer, ConfigError, ShapeError } from '../../src/index.js';
import { DATA_DIR } from '../../src/data/files.js';

describe('CharTokenizer on tinyshakespeare', () => {
  const text = readFileSync(new URL('tinyshakespeare.txt', DATA_DIR), 'utf8');
  const tok = CharTokenizer.fromText(text);

  it('has the 65-character sorted vocabulary', () => {
    expect(tok.size).toBe(65);
    expect(tok.vocabulary).toBe("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    expect(tok.idOf('\n')).toBe(0);
    expect(tok.idOf(' ')).toBe(1);
    expect(tok.idOf('z')).toBe(64);
  });

  it('encodes every character to an id in [0, 65) and decodes back to the identical text', () => {
    const ids = tok.encode(text);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids.length).toBe(1_115_394);
    expect(Math.min(...ids.subarray(0, 100_000))).toBeGreaterThanOrEqual(0);
    expect(ids.reduce((m, v) => Math.max(m, v), 0)).toBe(64);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode(ids.subarray(0, 14))).toBe('First Citizen:');
  });

  it('a tokenizer rebuilt from the vocabulary string (as saved in a model) gives the same ids', () => {
    const again = new CharTokenizer(tok.vocabulary);
    expect(again.encode(text.slice(0, 5000))).toEqual(tok.encode(text.slice(0, 5000)));
  });
});

describe('CharTokenizer', () => {
  it('fromText: the sorted set of characters', () => {
    const tok = CharTokenizer.fromText('hello world');
    expect(tok.vocabulary).toBe(' dehlorw');
    expect(tok.encode('hold')).toEqual(new Int32Array([3, 5, 4, 1]));
    expect(CharTokenizer.fromText('banana').vocabulary).toBe('abn');
  });

  it('uses the order it is given', () => {
    const tok = new CharTokenizer('cba');
    expect(tok.encode('abc')).toEqual(new Int32Array([2, 1, 0]));
    expect(tok.decode(new Int32Array([0, 0, 1]))).toBe('ccb');
    expect(tok.decode([])).toBe('');
    expect(tok.encode('')).toEqual(new Int32Array(0));
    expect(tok.has('a')).toBe(true);
    expect(tok.has('d')).toBe(false);
  });

  it('counts and sorts code points, not UTF-16 units', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB00 by UTF-16 units
    const tok = CharTokenizer.fromText('ﬀ😀aﬀ😀');
    expect(tok.size).toBe(3);
    expect([...tok.vocabulary]).toEqual(['a', 'ﬀ', '😀']);
    expect(tok.vocabulary.length).toBe(4); // UTF-16 units
    const ids = tok.encode('😀a😀');
    expect(ids).toEqual(new Int32Array([2, 0, 2]));
    expect(tok.decode(ids)).toBe('😀a😀');
    expect(tok.idOf('😀')).toBe(2);
  });

  it('reports an unknown character with its code point and its position in code points', () => {
    const tok = CharTokenizer.fromText('abc😀');
    const bad = () => tok.encode('a😀bé');
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow('CharTokenizer.encode text: character 3 is "é" (U+00E9), which is not in the vocabulary of 4 characters');
    expect(() => tok.encode('ab\tc')).toThrow(/character 2 is "\\t" \(U\+0009\)/);
    expect(() => tok.encode(42 as never)).toThrow(/CharTokenizer\.encode text: expected a string, got number 42/);
  });

  it('rejects ids outside the vocabulary in decode', () => {
    const tok = new CharTokenizer('ab');
    expect(() => tok.decode([0, 2])).toThrow(ShapeError);
    expect(() => tok.decode([0, 2])).toThrow('CharTokenizer.decode ids: element 1 is number 2; expected an integer id in [0, 1]');
    expect(() => tok.decode(new Int32Array([-1]))).toThrow(/element 0 is number -1/);
    expect(() => tok.decode([0.5])).toThrow(/element 0 is number 0\.5/);
    expect(() => tok.decode('ab' as never)).toThrow(/expected an Int32Array or number\[\] of ids, got string "ab"/);
  });

  it('idOf: one known character', () => {
    const tok = new CharTokenizer('ab');
    expect(() => tok.idOf('c')).toThrow('CharTokenizer.idOf char: "c" (U+0063) is not in the vocabulary of 2 characters');
    expect(() => tok.idOf('ab')).toThrow(/idOf char: expected one character, got string "ab"/);
    expect(() => tok.idOf('')).toThrow(/expected one character/);
  });

  it('rejects repeated characters and empty vocabularies', () => {
    expect(() => new CharTokenizer('abca')).toThrow(ConfigError);
    expect(() => new CharTokenizer('abca')).toThrow('CharTokenizer vocabulary: expected distinct characters, got "a" (U+0061) at positions 0 and 3');
    expect(() => new CharTokenizer('x😀y😀')).toThrow(/"😀" \(U\+1F600\) at positions 1 and 3/);
    expect(() => new CharTokenizer('')).toThrow(/expected a non-empty string of distinct characters, got string ""/);
    expect(() => new CharTokenizer(['a'] as never)).toThrow(ConfigError);
    expect(() => CharTokenizer.fromText('')).toThrow(/CharTokenizer\.fromText text: expected a non-empty string/);
  });
});
