// SequenceDataset helpers: checkDataset catches each inconsistency (naming the field, the
// expected and the given), takeSamples / splitDataset / sliceTime gather exactly the right
// values, shuffledIndices is an unbiased, seed-reproducible permutation.
import { describe, expect, it } from 'vitest';
import { CharTokenizer, NonFiniteError, ConfigError, ShapeError } from '../../src/index.js';
import {
  checkDataset, datasetSize, type SequenceDataset, shuffledIndices, sliceTime, slidingWindows, splitDataset, streams, takeSamples, targetsPerStep,
} from '../../src/train/index.js';

const iota = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);

/** x [3, 4, 2] = 0 … 23, y per step [3, 4, 1] = 100 …, lengths [4, 2, 3] */
const features = (): SequenceDataset => ({
  x: iota(24), xShape: [3, 4, 2], y: iota(12, 100), yShape: [3, 4, 1], lengths: new Int32Array([4, 2, 3]),
});
/** ids x [3, 2], one class per sequence y [3] */
const tokens = (): SequenceDataset => ({
  x: new Int32Array([1, 2, 3, 4, 5, 6]), xShape: [3, 2], y: new Int32Array([7, 8, 9]), yShape: [3],
});

describe('checkDataset', () => {
  it('accepts the four layouts, with and without lengths, and returns the dataset', () => {
    const ok: SequenceDataset[] = [
      features(),
      { x: iota(6), xShape: [2, 3, 1], y: iota(4), yShape: [2, 2] },                             // features → [N, O]
      tokens(),
      { x: new Int32Array(6), xShape: [2, 3], y: new Int32Array(6), yShape: [2, 3] },             // ids → ids per step
      { x: new Int32Array(6), xShape: [2, 3], y: iota(12), yShape: [2, 3, 2] },                   // ids → values per step
      { ...features(), lengths: new Int32Array([0, 4, 1]) },                                      // length 0: per-step only
    ];
    for (const ds of ok) expect(checkDataset(ds)).toBe(ds);
  });

  const cases: [string, (ds: SequenceDataset) => unknown, typeof ShapeError | typeof NonFiniteError, RegExp][] = [
    ['not an object', () => 'ds', ShapeError, /^train: expected a dataset \{ x, xShape, y, yShape, lengths\? \}, got string "ds"/],
    ['x a Float64Array', (d) => ({ ...d, x: new Float64Array(24) }), ShapeError, /train\.x: expected a Float32Array \(features \[N, T, F\]\) or an Int32Array .*got a Float64Array of 24 elements/],
    ['x a number[]', (d) => ({ ...d, x: Array.from(d.x) }), ShapeError, /train\.x: .* got an array of 24 elements/],
    ['float x with a 2-d shape', (d) => ({ ...d, xShape: [3, 8] }), ShapeError, /train\.xShape: expected \[N, T, F\] for Float32Array features, positive integers, got \[3, 8\]/],
    ['ids x with a 3-d shape', () => ({ ...tokens(), xShape: [3, 2, 1] }), ShapeError, /train\.xShape: expected \[N, T\] for Int32Array token ids, .* got \[3, 2, 1\]/],
    ['a zero dimension', (d) => ({ ...d, xShape: [3, 0, 2] }), ShapeError, /train\.xShape: .*positive integers, got \[3, 0, 2\]/],
    ['a fractional dimension', (d) => ({ ...d, xShape: [3, 4, 2.5] }), ShapeError, /train\.xShape: .* got \[3, 4, 2\.5\]/],
    ['no xShape', (d) => ({ ...d, xShape: undefined }), ShapeError, /train\.xShape: .* got undefined/],
    ['x of the wrong size', (d) => ({ ...d, x: iota(23) }), ShapeError, /train\.x: expected 24 values for xShape \[3, 4, 2\], got 23/],
    ['y a Uint8Array', (d) => ({ ...d, y: new Uint8Array(12) }), ShapeError, /train\.y: expected a Float32Array \(values\) or an Int32Array \(class ids\), got a Uint8Array of 12 elements/],
    ['float y with a 1-d shape', (d) => ({ ...d, y: iota(3), yShape: [3] }), ShapeError, /train\.yShape: expected \[N, T, O\] \(per step\) or \[N, O\] \(per sequence\) for Float32Array targets, .* got \[3\]/],
    ['ids y with a 3-d shape', () => ({ ...tokens(), y: new Int32Array(6), yShape: [3, 2, 1] }), ShapeError, /train\.yShape: expected \[N, T\] \(per step\) or \[N\] \(per sequence\) for Int32Array class ids, .* got \[3, 2, 1\]/],
    ['y with another N', (d) => ({ ...d, y: iota(8), yShape: [2, 4, 1] }), ShapeError, /train\.yShape: expected 3 samples \(xShape\[0\]\) first, got \[2, 4, 1\]/],
    ['per-step y with another T', (d) => ({ ...d, y: iota(9), yShape: [3, 3, 1] }), ShapeError, /train\.yShape: per-step targets need T = 4 steps \(xShape\[1\]\) second, got \[3, 3, 1\]/],
    ['y of the wrong size', (d) => ({ ...d, y: iota(11) }), ShapeError, /train\.y: expected 12 values for yShape \[3, 4, 1\], got 11/],
    ['lengths a number[]', (d) => ({ ...d, lengths: [4, 2, 3] }), ShapeError, /train\.lengths: expected an Int32Array of 3 lengths \(one per sample\), got an array of 3 elements/],
    ['lengths of the wrong count', (d) => ({ ...d, lengths: new Int32Array([4, 2]) }), ShapeError, /train\.lengths: expected an Int32Array of 3 lengths .* got a Int32Array of 2 elements/],
    ['a length above T', (d) => ({ ...d, lengths: new Int32Array([4, 5, 3]) }), ShapeError, /train\.lengths: element 1 is 5; expected a length in \[0, 4\] \(T = 4\)/],
    ['a negative length', (d) => ({ ...d, lengths: new Int32Array([4, -1, 3]) }), ShapeError, /train\.lengths: element 1 is -1/],
    ['length 0 with one target per sequence', () => ({ ...tokens(), lengths: new Int32Array([2, 0, 1]) }), ShapeError, /train\.lengths: element 1 is 0; expected a length in \[1, 2\] .*needs at least one step/],
    ['NaN in x', (d) => { d.x[5] = NaN; return d; }, NonFiniteError, /train\.x: element 5 is number NaN; only finite numbers are accepted/],
    ['Infinity in y', (d) => { d.y[11] = -Infinity; return d; }, NonFiniteError, /train\.y: element 11 is number -Infinity/],
    ['a negative token id', () => { const d = tokens(); d.x[3] = -2; return d; }, ShapeError, /train\.x: element 3 is number -2; expected an integer id in \[0, 2147483647\]/],
  ];
  for (const [what, mutate, type, message] of cases) {
    it(`rejects ${what}`, () => {
      const bad = () => checkDataset(mutate(features()) as SequenceDataset, 'train');
      expect(bad).toThrow(type);
      expect(bad).toThrow(message);
    });
  }

  it('accepts negative class ids in y (an ignoreIndex such as −100); the trainer checks them against the model', () => {
    const d = tokens();
    d.y[0] = -100;
    expect(checkDataset(d, 'train')).toBe(d);
  });

  it("names the dataset 'data' by default", () => {
    expect(() => checkDataset({ ...tokens(), yShape: [4] })).toThrow(/^data\.yShape: expected 3 samples/);
  });

  it('NonFiniteError carries the argument and the index', () => {
    const d = features();
    d.x[7] = NaN;
    try {
      checkDataset(d, 'valid');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteError);
      expect((e as NonFiniteError).argument).toBe('valid.x');
      expect((e as NonFiniteError).index).toBe(7);
    }
  });
});

describe('datasetSize / targetsPerStep', () => {
  it('give N and whether targets are per step', () => {
    expect(datasetSize(features())).toBe(3);
    expect(datasetSize(tokens())).toBe(3);
    expect(targetsPerStep(features())).toBe(true);
    expect(targetsPerStep(tokens())).toBe(false);
    expect(targetsPerStep({ x: new Int32Array(6), xShape: [2, 3], y: new Int32Array(6), yShape: [2, 3] })).toBe(true);
    expect(targetsPerStep({ x: iota(6), xShape: [2, 3, 1], y: iota(4), yShape: [2, 2] })).toBe(false);
  });

  it('check the structure', () => {
    expect(() => datasetSize({ ...tokens(), xShape: [2, 2] })).toThrow(/data\.x: expected 4 values for xShape \[2, 2\], got 6/);
  });
});

describe('takeSamples', () => {
  it('gathers samples in the given order (repeats allowed), with their targets and lengths', () => {
    const b = takeSamples(features(), new Int32Array([2, 0, 2]));
    expect(b.xShape).toEqual([3, 4, 2]);
    expect(Array.from(b.x)).toEqual([...iota(8, 16), ...iota(8, 0), ...iota(8, 16)]);
    expect(b.yShape).toEqual([3, 4, 1]);
    expect(Array.from(b.y)).toEqual([...iota(4, 108), ...iota(4, 100), ...iota(4, 108)]);
    expect(Array.from(b.lengths!)).toEqual([3, 4, 3]);
    expect(checkDataset(b)).toBe(b);
  });

  it('keeps the array types, and one-per-sequence targets; plain number[] indices work', () => {
    const b = takeSamples(tokens(), [1]);
    expect(b.x).toBeInstanceOf(Int32Array);
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(b).toEqual({ x: new Int32Array([3, 4]), xShape: [1, 2], y: new Int32Array([8]), yShape: [1] });
    expect('lengths' in b).toBe(false);
  });

  it('copies: changing the batch leaves the dataset as it was', () => {
    const ds = features();
    const b = takeSamples(ds, [0]);
    b.x[0] = 99; b.y[0] = 99; b.lengths![0] = 1;
    expect(ds.x[0]).toBe(0);
    expect(ds.y[0]).toBe(100);
    expect(ds.lengths![0]).toBe(4);
  });

  it('rejects bad indices and bad datasets', () => {
    expect(() => takeSamples(features(), [0, 3])).toThrow(/takeSamples indices: element 1 is number 3; expected an integer in \[0, 2\] \(data has 3 samples\)/);
    expect(() => takeSamples(features(), [-1])).toThrow(ShapeError);
    expect(() => takeSamples(features(), [0.5])).toThrow(/element 0 is number 0\.5/);
    expect(() => takeSamples(features(), [])).toThrow(/expected at least one sample index, got an empty an array of 0 elements/);
    expect(() => takeSamples(features(), new Float32Array([0]) as never)).toThrow(/expected an Int32Array or number\[\] of sample indices, got a Float32Array/);
    expect(() => takeSamples({ ...features(), yShape: [3, 4, 2] }, [0], 'train')).toThrow(/train\.y: expected 24 values/);
  });
});

describe('splitDataset', () => {
  it('first floor(N · fraction) samples, then the rest, in order', () => {
    const ds: SequenceDataset = { x: iota(10), xShape: [10, 1, 1], y: iota(10, 50), yShape: [10, 1], lengths: new Int32Array(10).fill(1) };
    const [a, b] = splitDataset(ds, 0.75);
    expect(a.xShape).toEqual([7, 1, 1]);
    expect(b.xShape).toEqual([3, 1, 1]);
    expect(Array.from(a.x)).toEqual(Array.from(iota(7)));
    expect(Array.from(b.y)).toEqual([57, 58, 59]);
    expect(a.lengths!.length).toBe(7);
    expect(b.lengths!.length).toBe(3);
    expect(b.yShape).toEqual([3, 1]);
  });

  it('the TSDoc example: 88 windows of a 100-step series → 70 and 18', () => {
    const series = Array.from({ length: 100 }, (_, i) => Math.sin(i / 5));
    const [train, test] = splitDataset(slidingWindows(series, { window: 12 }), 0.8);
    expect([datasetSize(train), datasetSize(test)]).toEqual([70, 18]);
  });

  it('is not fooled by floating point (0.29 · 100 = 28.999999999999996)', () => {
    const ds: SequenceDataset = { x: new Int32Array(100), xShape: [100, 1], y: new Int32Array(100), yShape: [100] };
    expect(datasetSize(splitDataset(ds, 0.29)[0])).toBe(29);
    expect(datasetSize(splitDataset(ds, 0.9)[0])).toBe(90);
  });

  it('rejects fractions outside (0, 1) and splits that leave a part empty', () => {
    const ds = features();
    for (const f of [0, 1, -0.5, 1.5, NaN, '0.5']) {
      expect(() => splitDataset(ds, f as number)).toThrow(ConfigError);
      expect(() => splitDataset(ds, f as number)).toThrow(/splitDataset fraction: expected a number in \(0, 1\), got/);
    }
    expect(() => splitDataset(ds, 0.2)).toThrow(/0\.2 of 3 samples leaves the first part empty \(first part = floor\(3 · 0\.2\) = 0\)/);
    expect(() => splitDataset(ds, 0.9999999999999)).toThrow(/0\.9999999999999 of 3 samples leaves the second part empty/);
    expect(() => splitDataset({ ...tokens(), x: new Int32Array(2), xShape: [1, 2], y: new Int32Array(1), yShape: [1] }, 0.5)).toThrow(/of 1 samples leaves the first part empty/);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0 … n − 1', () => {
    const p = shuffledIndices(1000, 7);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is reproducible from the seed, and different for another seed', () => {
    expect(shuffledIndices(100, 42)).toEqual(shuffledIndices(100, 42));
    expect(shuffledIndices(100, 42)).not.toEqual(shuffledIndices(100, 43));
    expect(shuffledIndices(100, 0)).not.toEqual(shuffledIndices(100, 2 ** 32 - 1));
    expect(shuffledIndices(100, 2 ** 32 + 5)).toEqual(shuffledIndices(100, 5)); // seed + epoch may pass 2^32
  });

  it('is unbiased: each of the 6 orders of 3 items about equally often over 6000 seeds', () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 6000; seed++) {
      const key = shuffledIndices(3, seed).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150); // ~5 σ
  });

  it('handles n = 0 and n = 1', () => {
    expect(shuffledIndices(0, 1)).toEqual(new Int32Array(0));
    expect(shuffledIndices(1, 1)).toEqual(new Int32Array([0]));
  });

  it('rejects bad n and seed', () => {
    expect(() => shuffledIndices(-1, 1)).toThrow(/shuffledIndices n: expected an integer in \[0, 2147483647\], got number -1/);
    expect(() => shuffledIndices(2.5, 1)).toThrow(ConfigError);
    expect(() => shuffledIndices(3, 0.5)).toThrow(/shuffledIndices seed: expected an integer ≥ 0, got number 0\.5/);
    expect(() => shuffledIndices(3, -1)).toThrow(ConfigError);
    expect(() => shuffledIndices(3, undefined as never)).toThrow(/seed: .* got undefined/);
  });
});

describe('sliceTime', () => {
  it('consecutive windows of streams continue each other and reassemble the stream', () => {
    const ids = Int32Array.from({ length: 103 }, (_, i) => i);
    const data = streams(ids, { batchSize: 3 }); // S = 34
    const S = data.xShape[1], k = 8;
    const rebuilt: number[][] = [[], [], []];
    for (let t = 0; t < S; t += k) {
      const chunk = sliceTime(data, t, Math.min(k, S - t));
      expect(chunk.xShape).toEqual([3, Math.min(k, S - t)]);
      const len = chunk.xShape[1];
      for (let b = 0; b < 3; b++) {
        rebuilt[b].push(...chunk.x.subarray(b * len, (b + 1) * len));
        // within a chunk, y is x shifted by one
        for (let s = 0; s < len; s++) expect(chunk.y[b * len + s]).toBe(chunk.x[b * len + s] + 1);
      }
    }
    for (let b = 0; b < 3; b++) expect(rebuilt[b]).toEqual(Array.from({ length: S }, (_, s) => b * S + s));
  });

  it('the TSDoc example: 4 streams of 449 steps, cut into 64-step windows', () => {
    const ids = CharTokenizer.fromText('to be or not to be').encode('to be or not to be'.repeat(100));
    const data = streams(ids, { batchSize: 4 });
    expect(data.xShape).toEqual([4, 449]);
    expect(sliceTime(data, 448, 1).xShape).toEqual([4, 1]);
  });

  it('slices features, per-step targets and clips lengths', () => {
    const c = sliceTime(features(), 1, 2);
    expect(c.xShape).toEqual([3, 2, 2]);
    expect(Array.from(c.x)).toEqual([2, 3, 4, 5, 10, 11, 12, 13, 18, 19, 20, 21]);
    expect(c.yShape).toEqual([3, 2, 1]);
    expect(Array.from(c.y)).toEqual([101, 102, 105, 106, 109, 110]);
    expect(Array.from(c.lengths!)).toEqual([2, 1, 2]);
    expect(Array.from(sliceTime(features(), 2, 2).lengths!)).toEqual([2, 0, 1]);
    expect(checkDataset(sliceTime(features(), 2, 2))).toBeTruthy();
  });

  it('rejects one-per-sequence targets and windows outside [0, T)', () => {
    expect(() => sliceTime(tokens(), 0, 1)).toThrow(/sliceTime data: expected per-step targets .* got yShape \[3\] \(one per sequence\)/);
    expect(() => sliceTime(features(), 4, 1)).toThrow(/sliceTime start: expected an integer in \[0, 3\], got number 4/);
    expect(() => sliceTime(features(), 1, 4)).toThrow(/sliceTime length \(start 1, T 4\): expected an integer in \[1, 3\], got number 4/);
    expect(() => sliceTime(features(), 0, 0)).toThrow(ConfigError);
  });
});
