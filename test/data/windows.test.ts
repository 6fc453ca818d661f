// Building datasets: sliding windows (exact small cases and the sample count against a brute
// force), text chunks, the char-rnn stream layout, padding and scaling — and their errors.
import { describe, expect, it } from 'vitest';
import { ConfigError, NonFiniteError, ShapeError } from '../../src/index.js';
import {
  checkDataset, padSequences, scaleSeries, slidingWindows, streams, textDataset,
} from '../../src/train/index.js';

const list = (a: ArrayLike<number>) => Array.from(a);

describe('slidingWindows', () => {
  it("'next': x [N, window, 1], y [N, 1] the value after each window", () => {
    const ds = slidingWindows([1, 2, 3, 4, 5], { window: 3 });
    expect(ds.xShape).toEqual([2, 3, 1]);
    expect(list(ds.x)).toEqual([1, 2, 3, 2, 3, 4]);
    expect(ds.yShape).toEqual([2, 1]);
    expect(list(ds.y)).toEqual([4, 5]);
    expect(ds.x).toBeInstanceOf(Float32Array);
    expect(checkDataset(ds)).toBe(ds);
  });

  it("'sequence': y [N, window, 1], each step's next value", () => {
    const ds = slidingWindows(new Float32Array([1, 2, 3, 4, 5]), { window: 3, target: 'sequence' });
    expect(ds.yShape).toEqual([2, 3, 1]);
    expect(list(ds.y)).toEqual([2, 3, 4, 3, 4, 5]);
    expect(checkDataset(ds)).toBe(ds);
  });

  it('horizon and stride', () => {
    // L = 10, window 3, horizon 2, stride 3: N = floor((10 − 3 − 2) / 3) + 1 = 2
    const s = Array.from({ length: 10 }, (_, i) => i);
    const next = slidingWindows(s, { window: 3, horizon: 2, stride: 3 });
    expect(list(next.x)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(list(next.y)).toEqual([4, 7]);
    const seq = slidingWindows(s, { window: 3, horizon: 2, stride: 3, target: 'sequence' });
    expect(list(seq.y)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('several features: the series is [L, F] row-major, targets have all F features', () => {
    // steps (t, 10 t) for t = 0 … 4
    const s = [0, 0, 1, 10, 2, 20, 3, 30, 4, 40];
    const next = slidingWindows(s, { window: 2, features: 2 });
    expect(next.xShape).toEqual([3, 2, 2]);
    expect(list(next.x)).toEqual([0, 0, 1, 10, 1, 10, 2, 20, 2, 20, 3, 30]);
    expect(next.yShape).toEqual([3, 2]);
    expect(list(next.y)).toEqual([2, 20, 3, 30, 4, 40]);
    const seq = slidingWindows(s, { window: 2, features: 2, target: 'sequence', horizon: 2 });
    expect(seq.yShape).toEqual([2, 2, 2]);
    expect(list(seq.y)).toEqual([2, 20, 3, 30, 3, 30, 4, 40]);
  });

  it('N = floor((L − window − horizon) / stride) + 1 and every window is right (brute force)', () => {
    for (let L = 2; L <= 12; L++) {
      for (let window = 1; window < L; window++) {
        for (let horizon = 1; window + horizon <= L; horizon++) {
          for (let stride = 1; stride <= 4; stride++) {
            const s = Array.from({ length: L }, (_, i) => i * i);
            const ds = slidingWindows(s, { window, horizon, stride });
            const starts = [];
            for (let a = 0; a + window - 1 + horizon < L; a += stride) starts.push(a);
            expect(ds.xShape).toEqual([starts.length, window, 1]);
            expect(list(ds.x)).toEqual(starts.flatMap((a) => s.slice(a, a + window)));
            expect(list(ds.y)).toEqual(starts.map((a) => s[a + window - 1 + horizon]));
          }
        }
      }
    }
  });

  it('rejects series too short, options out of range, and non-finite values', () => {
    expect(() => slidingWindows([1, 2, 3], { window: 3 })).toThrow(ShapeError);
    expect(() => slidingWindows([1, 2, 3], { window: 3 })).toThrow('slidingWindows series: expected at least window + horizon = 4 steps, got 3 steps (3 values, features 1)');
    expect(() => slidingWindows([1, 2, 3, 4, 5], { window: 2, features: 2 })).toThrow(/slidingWindows series: expected \[L, 2\] values \(a multiple of features = 2\), got 5 values/);
    expect(() => slidingWindows([1, 2, 3], { window: 0 })).toThrow(/slidingWindows window: expected an integer ≥ 1, got number 0/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, horizon: 0 })).toThrow(ConfigError);
    expect(() => slidingWindows([1, 2, 3], { window: 1, stride: 1.5 })).toThrow(/stride: expected an integer ≥ 1, got number 1\.5/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, target: 'last' as never })).toThrow(/slidingWindows target: expected 'next' or 'sequence', got string "last"/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, windw: 2 } as never)).toThrow(/slidingWindows: unknown option "windw"/);
    expect(() => slidingWindows([1, 2, 3], undefined as never)).toThrow(/slidingWindows window: expected an integer ≥ 1, got undefined/);
    expect(() => slidingWindows([1, NaN, 3], { window: 1 })).toThrow(NonFiniteError);
    expect(() => slidingWindows([[1], [2]] as never, { window: 1 })).toThrow(/nested arrays are not accepted; flatten to row-major order/);
  });
});

describe('textDataset', () => {
  const ids = new Int32Array([0, 1, 2, 3, 4, 5, 6]);

  it('x [N, T], y the next ids; stride defaults to seqLength', () => {
    const ds = textDataset(ids, { seqLength: 3 });
    expect(ds).toEqual({ x: new Int32Array([0, 1, 2, 3, 4, 5]), xShape: [2, 3], y: new Int32Array([1, 2, 3, 4, 5, 6]), yShape: [2, 3] });
    expect(checkDataset(ds)).toBe(ds);
  });

  it('overlapping samples with stride < seqLength; N = floor((L − 1 − T) / stride) + 1', () => {
    const ds = textDataset(ids, { seqLength: 4, stride: 1 });
    expect(ds.xShape).toEqual([3, 4]);
    expect(list(ds.x)).toEqual([0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5]);
    expect(list(ds.y)).toEqual([1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6]);
    expect(textDataset(new Int32Array(101), { seqLength: 10, stride: 7 }).xShape).toEqual([13, 10]);
    expect(textDataset(ids, { seqLength: 6 }).xShape).toEqual([1, 6]);
  });

  it('rejects texts too short and bad ids', () => {
    expect(() => textDataset(ids, { seqLength: 7 })).toThrow('textDataset ids: expected at least seqLength + 1 = 8 ids, got 7');
    expect(() => textDataset(new Int32Array([0, -3, 1]), { seqLength: 1 })).toThrow(/textDataset ids: element 1 is number -3; expected an integer id/);
    expect(() => textDataset([0, 1.5, 2] as never, { seqLength: 1 })).toThrow(ShapeError);
    expect(() => textDataset(ids, { seqLength: 0 })).toThrow(/textDataset seqLength: expected an integer ≥ 1, got number 0/);
  });
});

describe('streams', () => {
  it('the char-rnn layout: stream b covers positions b·S … b·S + S − 1, y the next ids', () => {
    const ids = Int32Array.from({ length: 23 }, (_, i) => 100 + i);
    const ds = streams(ids, { batchSize: 4 }); // S = floor(22 / 4) = 5
    expect(ds.xShape).toEqual([4, 5]);
    expect(ds.yShape).toEqual([4, 5]);
    for (let b = 0; b < 4; b++) {
      for (let s = 0; s < 5; s++) {
        expect(ds.x[b * 5 + s]).toBe(ids[b * 5 + s]);
        expect(ds.y[b * 5 + s]).toBe(ids[b * 5 + s + 1]);
      }
    }
    // each stream continues the previous one: concatenated, they are the text itself
    expect(list(ds.x)).toEqual(list(ids.subarray(0, 20)));
    expect(list(ds.y)).toEqual(list(ids.subarray(1, 21)));
    expect(checkDataset(ds)).toBe(ds);
  });

  it('uses every position when (L − 1) is a multiple of batchSize; copies the ids', () => {
    const ids = new Int32Array([0, 1, 2, 3, 4, 5, 6]);
    const ds = streams(ids, { batchSize: 2 });
    expect(ds).toEqual({ x: new Int32Array([0, 1, 2, 3, 4, 5]), xShape: [2, 3], y: new Int32Array([1, 2, 3, 4, 5, 6]), yShape: [2, 3] });
    ds.x[0] = 9;
    expect(ids[0]).toBe(0);
    expect(streams(ids, { batchSize: 6 }).xShape).toEqual([6, 1]);
  });

  it('rejects too few ids for the batch size', () => {
    expect(() => streams(new Int32Array(4), { batchSize: 4 })).toThrow('streams ids: expected at least batchSize + 1 = 5 ids (one step per stream), got 4');
    expect(() => streams(new Int32Array(4), { batchSize: 0 })).toThrow(/streams batchSize: expected an integer ≥ 1, got number 0/);
    expect(() => streams(new Int32Array(4), { batchSize: 1, seqLength: 2 } as never)).toThrow(/streams: unknown option "seqLength"/);
  });
});

describe('padSequences', () => {
  it('right-pads with zeros to the longest, and returns the lengths', () => {
    const { x, xShape, lengths } = padSequences([[1, 2, 3], [4], new Float32Array([5, 6])]);
    expect(xShape).toEqual([3, 3, 1]);
    expect(x).toBeInstanceOf(Float32Array);
    expect(list(x)).toEqual([1, 2, 3, 4, 0, 0, 5, 6, 0]);
    expect(lengths).toEqual(new Int32Array([3, 1, 2]));
    const ds = { x, xShape, lengths, y: new Float32Array(3), yShape: [3, 1] };
    expect(checkDataset(ds)).toBe(ds);
  });

  it('several features per step', () => {
    const { x, xShape, lengths } = padSequences([[1, 2, 3, 4], [5, 6]], { features: 2 });
    expect(xShape).toEqual([2, 2, 2]);
    expect(list(x)).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
    expect(list(lengths)).toEqual([2, 1]);
  });

  it('token ids give an Int32Array [N, T]; maxLength pads further', () => {
    const { x, xShape, lengths } = padSequences([new Int32Array([3, 1]), [2]], { ids: true, maxLength: 4 });
    expect(x).toBeInstanceOf(Int32Array);
    expect(xShape).toEqual([2, 4]);
    expect(list(x)).toEqual([3, 1, 0, 0, 2, 0, 0, 0]);
    expect(list(lengths)).toEqual([2, 1]);
  });

  it('refuses to cut a sequence longer than maxLength unless truncate (keeps the first steps)', () => {
    const seqs = [[1, 2], [3, 4, 5, 6], [7]];
    expect(() => padSequences(seqs, { maxLength: 3 })).toThrow(ShapeError);
    expect(() => padSequences(seqs, { maxLength: 3 })).toThrow('padSequences sequences[1]: expected at most maxLength = 3 steps, got 4 (pass truncate: true to keep the first maxLength steps)');
    const { x, xShape, lengths } = padSequences(seqs, { maxLength: 3, truncate: true });
    expect(xShape).toEqual([3, 3, 1]);
    expect(list(x)).toEqual([1, 2, 0, 3, 4, 5, 7, 0, 0]);
    expect(list(lengths)).toEqual([2, 3, 1]);
    const f = padSequences([[1, 2, 3, 4, 5, 6]], { features: 2, maxLength: 2, truncate: true });
    expect(list(f.x)).toEqual([1, 2, 3, 4]);
  });

  it('rejects empty input, empty or ragged sequences, bad values and options', () => {
    expect(() => padSequences([])).toThrow(/padSequences sequences: expected a non-empty array of sequences \(each a flat \[len, 1\] array\), got an array of 0 elements/);
    expect(() => padSequences([[1], []])).toThrow(/padSequences sequences\[1\]: expected \[len ≥ 1, 1\] values .* got 0 values/);
    expect(() => padSequences([[1, 2], [3]], { features: 2 })).toThrow(/sequences\[1\]: expected \[len ≥ 1, 2\] values \(a non-zero multiple of features = 2\), got 1 values/);
    expect(() => padSequences([[1], [Infinity]])).toThrow(NonFiniteError);
    expect(() => padSequences([[1], ['a']] as never)).toThrow(/sequences\[1\]: element 0 is string "a"/);
    expect(() => padSequences([[1], [-1]], { ids: true })).toThrow(/padSequences sequences\[1\]: element 0 is number -1; expected an integer id/);
    expect(() => padSequences([[1, 2]], { ids: true, features: 2 })).toThrow(/token ids have one value per step \(features 1\), got 2/);
    expect(() => padSequences([[1]], { maxLength: 0 })).toThrow(/padSequences maxLength: expected an integer ≥ 1, got number 0/);
    expect(() => padSequences([[1]], { ids: 1 } as never)).toThrow(/padSequences ids: expected true or false, got number 1/);
    expect(() => padSequences([1, 2] as never)).toThrow(/sequences\[0\]: expected a Float32Array or number\[\], got number 1/);
  });
});

describe('scaleSeries', () => {
  it("'max': divides by the largest |value| of the fitted steps", () => {
    const r = scaleSeries([5, -10, 20, 40], { by: 'max', fitOn: 3 });
    expect(list(r.scaled)).toEqual([0.25, -0.5, 1, 2]);
    expect(r.scale).toEqual({ by: 'max', offset: [0], divisor: [20], fittedOn: 3 });
    expect(list(r.invert([0.5, 2]))).toEqual([10, 40]);
    expect(list(scaleSeries([-8, 4], { by: 'max' }).scaled)).toEqual([-1, 0.5]);
  });

  it("'minmax': [min, max] of the fitted steps → [0, 1]", () => {
    const r = scaleSeries([2, 4, 6, 10], { by: 'minmax', fitOn: 3 });
    expect(list(r.scaled)).toEqual([0, 0.5, 1, 2]);
    expect(r.scale).toMatchObject({ offset: [2], divisor: [4] });
  });

  it("'standard': zero mean and unit population standard deviation on the fitted steps", () => {
    const s = [1, 2, 3, 4, 100];
    const r = scaleSeries(s, { by: 'standard', fitOn: 4 });
    const mean = 2.5, std = Math.sqrt((1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) / 4);
    expect(r.scale.offset[0]).toBeCloseTo(mean, 12);
    expect(r.scale.divisor[0]).toBeCloseTo(std, 12);
    list(r.scaled).forEach((v, i) => expect(v).toBeCloseTo((s[i] - mean) / std, 5));
    const fitted = list(r.scaled).slice(0, 4);
    expect(fitted.reduce((a, b) => a + b) / 4).toBeCloseTo(0, 6);
  });

  it('scales each feature on its own; constant features get divisor 1; invert(transform(v)) = v', () => {
    // feature 0: 1, 2, 3; feature 1: constant 7
    const r = scaleSeries(new Float32Array([1, 7, 2, 7, 3, 7]), { by: 'minmax', features: 2 });
    expect(r.scale).toEqual({ by: 'minmax', offset: [1, 7], divisor: [2, 1], fittedOn: 3 });
    expect(list(r.scaled)).toEqual([0, 0, 0.5, 0, 1, 0]);
    const v = [10, 20, -3, 7.5];
    list(r.invert(r.transform(v))).forEach((w, i) => expect(w).toBeCloseTo(v[i], 5));
    expect(JSON.parse(JSON.stringify(r.scale))).toEqual(r.scale);
  });

  it('rejects bad options and values', () => {
    expect(() => scaleSeries([1, 2], { by: 'mean' as never })).toThrow(/scaleSeries by: expected 'max' or 'minmax' or 'standard', got string "mean"/);
    expect(() => scaleSeries([1, 2], { by: 'max', fitOn: 3 })).toThrow(/scaleSeries fitOn \(series of 2 steps\): expected an integer in \[1, 2\], got number 3/);
    expect(() => scaleSeries([1, 2], { by: 'max', fitOn: 0 })).toThrow(ConfigError);
    expect(() => scaleSeries([], { by: 'max' })).toThrow(/scaleSeries series: expected at least one step, got 0 values/);
    expect(() => scaleSeries([1, NaN], { by: 'max' })).toThrow(NonFiniteError);
    expect(() => scaleSeries([1, 2, 3], { by: 'max', features: 2 })).toThrow(/expected \[L, 2\] values/);
    const r = scaleSeries([1, 2, 3, 4], { by: 'max', features: 2 });
    expect(() => r.invert([1, 2, 3])).toThrow(/scaleSeries invert values: expected \[\*, 2\] values \(a multiple of features = 2\), got 3 values/);
  });
});
