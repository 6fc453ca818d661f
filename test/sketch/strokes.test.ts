// Stroke data: stroke-3 ⇄ stroke-5 and polylines (exact layouts, round trips), the normalising
// scale against a plain computation, the two augmentations (seeded, with their statistics and
// invariants), padding and the teacher-forcing data set (layout, conditions, a Seq2Seq reads it),
// and every bad input: the error's class, the argument named, the input unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, init, Linear, LSTM, NonFiniteError, ShapeError } from '../../src/index.js';
import { Seq2Seq } from '../../src/seq2seq.js';
import { checkDataset } from '../../src/train/index.js';
import { Rng } from '../../src/rng.js';
import {
  augmentScale, dropPoints, fromPolylines, normalize, padStroke5, strokeDataset, strokeScale, toPolylines, toStroke3, toStroke5,
} from '../../src/sketch/strokes.js';

const list = (a: ArrayLike<number>) => Array.from(a);

// A random stroke-3 drawing: `strokes` strokes of 1 … maxPoints points, integer offsets in [−20, 20].
function randomDrawing(rng: Rng, strokes: number, maxPoints = 12): Float32Array {
  const rows: number[] = [];
  for (let s = 0; s < strokes; s++) {
    const n = 1 + Math.floor(rng.next() * maxPoints);
    for (let i = 0; i < n; i++) rows.push(Math.floor(rng.next() * 41) - 20, Math.floor(rng.next() * 41) - 20, i === n - 1 ? 1 : 0);
  }
  return Float32Array.from(rows);
}

// Calls fn and expects it to throw `cls` with a message matching `message`, leaving `inputs` as they were.
function refuses(fn: () => unknown, cls: new (...a: never[]) => Error, message: RegExp, ...inputs: unknown[]): void {
  const before = inputs.map((v) => structuredClone(v));
  expect(fn).toThrow(cls);
  expect(fn).toThrow(message);
  inputs.forEach((v, i) => expect(v).toEqual(before[i]));
}

describe('stroke-3 ⇄ stroke-5', () => {
  it('toStroke5: (Δx, Δy, 1 − p, p, 0) per point, then the end row', () => {
    const d = [3, 4, 0, -1, 2, 1, 5, 5, 0, 0, 1, 1];
    const s5 = toStroke5(d);
    expect(s5).toBeInstanceOf(Float32Array);
    expect(list(s5)).toEqual([3, 4, 1, 0, 0, -1, 2, 0, 1, 0, 5, 5, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('toStroke3 stops at the first end row, ignores what follows, and reads rows without an end row', () => {
    const s5 = [3, 4, 1, 0, 0, -1, 2, 0, 1, 0, 9, 9, 0, 0, 1, 7, 7, 1, 0, 0, 0, 0, 0, 0, 1];
    expect(list(toStroke3(s5))).toEqual([3, 4, 0, -1, 2, 1]);
    expect(list(toStroke3([3, 4, 1, 0, 0, -1, 2, 0, 1, 0]))).toEqual([3, 4, 0, -1, 2, 1]);
  });

  it('3 → 5 → 3 is the identity (one point, one stroke, many strokes, a last point with the pen down)', () => {
    const rng = new Rng(1);
    const cases = [[3, 4, 1], [3, 4, 0], [1, 1, 0, 2, 2, 0, 3, 3, 1], ...Array.from({ length: 50 }, (_, i) => list(randomDrawing(rng, 1 + (i % 20))))];
    for (const d of cases) expect(list(toStroke3(toStroke5(d)))).toEqual(d);
    const big = randomDrawing(rng, 400);
    expect(toStroke3(toStroke5(big))).toEqual(big);
  });

  it('accepts Float64Array and number[] and never changes its input', () => {
    const d = new Float64Array([0.25, -0.5, 0, 1, 1, 1]);
    const copy = d.slice();
    expect(list(toStroke3(toStroke5(d)))).toEqual(list(copy));
    expect(d).toEqual(copy);
  });

  it('refuses pen states that are not one-hot, non-finite offsets, empty drawings and bad lengths', () => {
    const s5 = [1, 2, 1, 0, 0, 3, 4, 0, 1, 0];
    refuses(() => toStroke3([1, 2, 0.5, 0.5, 0]), ShapeError, /toStroke3 stroke5: row 0 has pen state \(p1, p2, p3\) = \(number 0.5, number 0.5, number 0\) \(elements 2–4\); expected one-hot/);
    refuses(() => toStroke3([1, 2, 1, 0, 0, 3, 4, 1, 1, 0]), ShapeError, /row 1 has pen state \(p1, p2, p3\) = \(number 1, number 1, number 0\)/);
    refuses(() => toStroke3([1, 2, 0, 0, 0]), ShapeError, /row 0 .*expected one-hot: \(1, 0, 0\) pen down, \(0, 1, 0\) pen up or \(0, 0, 1\) end of drawing/);
    refuses(() => toStroke3([1, 2, -1, 1, 1]), ShapeError, /toStroke3 stroke5: row 0 has pen state/);
    const nan = [...s5, NaN, 0, 0, 0, 1];
    refuses(() => toStroke3(nan), NonFiniteError, /toStroke3 stroke5: element 10 \(row 2, Δx\) is number NaN; only finite numbers are accepted/, nan);
    refuses(() => toStroke3([1, Infinity, 1, 0, 0]), NonFiniteError, /element 1 \(row 0, Δy\) is number Infinity/);
    refuses(() => toStroke3([1, 2, 1, 0, 0, 1, 2, 0, NaN, 1]), NonFiniteError, /toStroke3 stroke5: element 8 \(row 1, p2\) is number NaN/);
    refuses(() => toStroke3(new Float64Array([1e39, 0, 1, 0, 0])), NonFiniteError, /element 0 \(row 0, Δx\) is 1e\+39, beyond the float32 range/);
    refuses(() => toStroke3([]), ShapeError, /toStroke3 stroke5: expected a stroke-5 drawing with at least one point.*got an empty drawing/);
    refuses(() => toStroke3([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]), ShapeError, /toStroke3 stroke5: the drawing ends at row 0 \(p3 = 1\), so it has no points/);
    refuses(() => toStroke3([1, 2, 1, 0]), ShapeError, /toStroke3 stroke5: expected a stroke-5 drawing, flat \[L, 5\] rows \(Δx, Δy, p1, p2, p3\), got 4 values \(not a multiple of 5\)/);
    refuses(() => toStroke3([[1, 2, 1, 0, 0]] as never), ShapeError, /nested arrays are not accepted/);
    refuses(() => toStroke3('1,2,1,0,0' as never), ShapeError, /toStroke3 stroke5: expected a stroke-5 drawing.*got string/);
    const d3 = [1, 2, 0, 3, 4, 2];
    refuses(() => toStroke5(d3), ShapeError, /toStroke5 drawing: row 1 has pen state p = number 2 \(element 5\); expected 0 \(pen down\) or 1 \(pen lifted after this point\)/, d3);
    refuses(() => toStroke5([1, NaN, 0]), NonFiniteError, /toStroke5 drawing: element 1 \(row 0, Δy\) is number NaN/);
    refuses(() => toStroke5([1, 1, 0, 1, 1, NaN]), NonFiniteError, /toStroke5 drawing: element 5 \(row 1, p\) is number NaN/);
    refuses(() => toStroke5([]), ShapeError, /toStroke5 drawing: expected a stroke-3 drawing with at least one point.*got an empty drawing \(0 values\)/);
    refuses(() => toStroke5([1, 2, 0, 1]), ShapeError, /toStroke5 drawing: expected a stroke-3 drawing, flat \[L, 3\] rows \(Δx, Δy, p\), got 4 values \(not a multiple of 3\)/);
    refuses(() => toStroke5(undefined as never), ShapeError, /toStroke5 drawing: expected a stroke-3 drawing.*got undefined/);
  });

  it('the error for a non-finite value tells which element it is', () => {
    try {
      toStroke5([0, 0, 0, 5, NaN, 1]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteError);
      expect((e as NonFiniteError).argument).toBe('toStroke5 drawing');
      expect((e as NonFiniteError).index).toBe(4);
    }
  });
});

describe('polylines ⇄ stroke-3', () => {
  it('absolute points per stroke, accumulated from the origin', () => {
    const d = [1, 1, 0, 0, 10, 1, 5, -10, 0, 0, 10, 1, 2, 0, 1];
    const lines = toPolylines(d);
    expect(lines.map(list)).toEqual([[1, 1, 1, 11], [6, 1, 6, 11], [8, 11]]);
    expect(lines[0]).toBeInstanceOf(Float32Array);
    expect(list(fromPolylines(lines))).toEqual(d);
    expect(toPolylines(d, { origin: [100, 50] }).map(list)).toEqual([[101, 51, 101, 61], [106, 51, 106, 61], [108, 61]]);
    expect(list(fromPolylines([[101, 51, 101, 61]], { origin: [100, 50] }))).toEqual([1, 1, 0, 0, 10, 1]);
  });

  it('a last point with the pen down still ends its polyline; round trips on random drawings are exact', () => {
    expect(toPolylines([1, 2, 0, 3, 4, 0]).map(list)).toEqual([[1, 2, 4, 6]]);
    const rng = new Rng(2);
    for (let k = 0; k < 50; k++) {
      const d = randomDrawing(rng, 1 + (k % 17));
      expect(fromPolylines(toPolylines(d))).toEqual(d);
    }
    const lines = [[0.5, 0.25], [-3, 4, 5, 6, 7, 8.5]];
    expect(toPolylines(fromPolylines(lines)).map(list)).toEqual(lines);
  });

  it('refuses empty and odd strokes, NaN points, and bad origins; inputs unchanged', () => {
    const lines = [[0, 0, 1, 1], [2, NaN]];
    refuses(() => fromPolylines(lines), NonFiniteError, /fromPolylines polylines\[1\]: element 1 \(row 0, y\) is number NaN/, lines);
    refuses(() => fromPolylines([[0, 0], []]), ShapeError, /fromPolylines polylines\[1\]: expected a stroke of at least one point.*got an empty stroke \(0 values\)/);
    refuses(() => fromPolylines([[0, 0, 1]]), ShapeError, /fromPolylines polylines\[0\]: .*got 3 values/);
    refuses(() => fromPolylines([]), ShapeError, /fromPolylines polylines: expected a non-empty array of strokes/);
    refuses(() => fromPolylines([0, 0, 1, 1] as never), ShapeError, /fromPolylines polylines\[0\]: expected a stroke as flat points/);
    refuses(() => fromPolylines([[0, 0]], { origin: [0] as never }), ConfigError, /fromPolylines origin: expected an array \[x, y\] of two finite numbers, got an array of 1 elements/);
    refuses(() => toPolylines([0, 0, 1], { orign: [0, 0] } as never), ConfigError, /toPolylines: unknown option "orign" \(did you mean "origin"\?\)/);
    refuses(() => toPolylines([0, 0, 3]), ShapeError, /toPolylines drawing: row 0 has pen state p = number 3/);
  });
});

describe('strokeScale and normalize', () => {
  it('the population standard deviation of all Δx and Δy pooled, as a plain computation', () => {
    expect(strokeScale([[3, 4, 0, -3, -4, 1], [0, 5, 1]])).toBeCloseTo(Math.sqrt((3 ** 2 + 4 ** 2 + 3 ** 2 + 4 ** 2 + 0 + 5 ** 2) / 6 - (5 / 6) ** 2), 12);
    const rng = new Rng(3);
    const set = Array.from({ length: 40 }, (_, i) => randomDrawing(rng, 1 + (i % 9)));
    const values = set.flatMap((d) => list(d).filter((_, i) => i % 3 !== 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(strokeScale(set) - std) / std).toBeLessThan(1e-12);
  });

  it('normalize divides the offsets, keeps the pen states; normalize by 1/scale undoes it', () => {
    const d = [10, -20, 0, 5, 0, 1];
    expect(list(normalize(d, 10))).toEqual([1, -2, 0, 0.5, 0, 1]);
    expect(list(normalize(normalize(d, 4), 0.25))).toEqual(d);
    expect(d).toEqual([10, -20, 0, 5, 0, 1]);
  });

  it('refuses a zero spread, bad scales and bad drawings', () => {
    refuses(() => strokeScale([[0, 0, 1], [0, 0, 0, 0, 0, 1]]), ShapeError, /strokeScale drawings: every offset is 0, so their standard deviation is 0/);
    refuses(() => strokeScale([[1, 2, 1], [1, NaN, 1]]), NonFiniteError, /strokeScale drawings\[1\]: element 1 \(row 0, Δy\) is number NaN/);
    refuses(() => strokeScale([]), ShapeError, /strokeScale drawings: expected a non-empty array of stroke-3 drawings/);
    refuses(() => strokeScale([[1, 2, 1], []]), ShapeError, /strokeScale drawings\[1\]: .*got an empty drawing/);
    for (const bad of [0, -1, NaN, Infinity, '2']) {
      refuses(() => normalize([1, 1, 1], bad as number), ConfigError, /normalize scale: expected a finite number > 0/);
    }
    refuses(() => normalize([1e38, 1, 1], 1e-3), ShapeError, /normalize scale: dividing by 0.001 makes element 0 of the drawing \(1e\+38\) overflow float32/);
  });
});

describe('augmentScale', () => {
  const d = [2, 4, 0, -6, 8, 0, 10, -12, 1];

  it('one factor for every Δx and an independent one for every Δy, each 1 + (u − ½)·2·factor (u from the seed, x first)', () => {
    const a = augmentScale(d, { factor: 0.15, seed: 42 });
    const rng = new Rng(42);
    const sx = 1 + (rng.next() - 0.5) * 0.3, sy = 1 + (rng.next() - 0.5) * 0.3;
    expect(list(a)).toEqual(list(new Float32Array([2 * sx, 4 * sy, 0, -6 * sx, 8 * sy, 0, 10 * sx, -12 * sy, 1])));
    expect(augmentScale(d, { factor: 0.15, seed: 42 })).toEqual(a);
    expect(augmentScale(d, { factor: 0.15, seed: 43 })).not.toEqual(a);
    expect(list(augmentScale(d, { factor: 0, seed: 1 }))).toEqual(d);
    expect(d).toEqual([2, 4, 0, -6, 8, 0, 10, -12, 1]);
  });

  it('statistics over 4,000 seeds: uniform in [1 − f, 1 + f], mean 1, x and y uncorrelated', () => {
    const n = 4000, f = 0.15;
    const sx: number[] = [], sy: number[] = [];
    for (let s = 0; s < n; s++) {
      const a = augmentScale([1, 1, 1], { factor: f, seed: s });
      sx.push(a[0]);
      sy.push(a[1]);
    }
    const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
    const mx = mean(sx), my = mean(sy);
    // U(0.85, 1.15): sd 0.3/√12 = 0.0866, sd of the mean 0.0014; 4 sd
    expect(Math.abs(mx - 1)).toBeLessThan(0.0055);
    expect(Math.abs(my - 1)).toBeLessThan(0.0055);
    expect(Math.min(...sx, ...sy)).toBeGreaterThanOrEqual(1 - f - 1e-7);
    expect(Math.max(...sx, ...sy)).toBeLessThanOrEqual(1 + f + 1e-7);
    expect(Math.min(...sx)).toBeLessThan(1 - f + 0.01);
    expect(Math.max(...sx)).toBeGreaterThan(1 + f - 0.01);
    const variance = mean(sx.map((v) => (v - mx) ** 2));
    expect(Math.abs(Math.sqrt(variance) - 0.3 / Math.sqrt(12))).toBeLessThan(0.004);
    const corr = mean(sx.map((v, i) => (v - mx) * (sy[i] - my))) / variance;
    expect(Math.abs(corr)).toBeLessThan(0.07); // 4.4 / √n
  });

  it('refuses bad options and drawings, input unchanged', () => {
    refuses(() => augmentScale(d, { factor: 1 }), ConfigError, /augmentScale factor: expected a number in \[0, 1\), got number 1/, d);
    refuses(() => augmentScale(d, { factor: -0.1 }), ConfigError, /augmentScale factor/);
    refuses(() => augmentScale(d, { seed: 1.5 }), ConfigError, /augmentScale seed: expected an integer ≥ 0, got number 1.5/);
    refuses(() => augmentScale(d, { factr: 0.1 } as never), ConfigError, /augmentScale: unknown option "factr" \(did you mean "factor"\?\)/);
    refuses(() => augmentScale([1, 2, 1, NaN, 0, 1]), NonFiniteError, /augmentScale drawing: element 3 \(row 1, Δx\) is number NaN/);
    refuses(() => augmentScale([], { seed: 1 }), ShapeError, /augmentScale drawing: .*empty drawing/);
    refuses(() => augmentScale([3e38, 0, 1], { factor: 0.5, seed: 3 }), ShapeError, /augmentScale drawing: element 0 of the result overflows float32/);
  });
});

describe('dropPoints', () => {
  // One stroke of n points along x (1 unit apart), the pen lifted at the last.
  const stroke = (n: number, x0 = 0) => Array.from({ length: n }, (_, i) => [i === 0 ? x0 : 1, 0, i === n - 1 ? 1 : 0]).flat();

  it('probability 1 drops every eligible point: each stroke keeps its first three and its last; the kept points stay put', () => {
    const d = [...stroke(6), ...stroke(2, 5), ...stroke(4, 3), ...stroke(9, -10)];
    const out = dropPoints(d, { probability: 1, seed: 1 });
    const before = toPolylines(d).map(list), after = toPolylines(out).map(list);
    expect(after).toEqual(before.map((p) => {
      const n = p.length / 2;
      return n <= 4 ? p : [...p.slice(0, 6), ...p.slice(-2)];
    }));
    expect(list(dropPoints(stroke(6), { probability: 1, seed: 1 }))).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 0, 3, 0, 1]);
  });

  it('probability 0 returns a copy; a seed gives the same result again', () => {
    const rng = new Rng(5);
    const d = randomDrawing(rng, 30, 20);
    expect(dropPoints(d, { probability: 0, seed: 3 })).toEqual(d);
    expect(dropPoints(d, { probability: 0, seed: 3 })).not.toBe(d);
    const a = dropPoints(d, { probability: 0.3, seed: 9 });
    expect(dropPoints(d, { probability: 0.3, seed: 9 })).toEqual(a);
    expect(dropPoints(d, { probability: 0.3, seed: 10 })).not.toEqual(a);
  });

  it('about probability × eligible points are dropped; every kept point is where it was (random drawings)', () => {
    const rng = new Rng(6);
    let eligible = 0, dropped = 0;
    for (let k = 0; k < 200; k++) {
      const d = randomDrawing(rng, 1 + (k % 7), 30);
      const L = d.length / 3;
      let idx = 0;
      for (let i = 0; i < L; i++) {
        if (d[i * 3 + 2] === 0 && idx >= 3 && i < L - 1) eligible++;
        idx = d[i * 3 + 2] === 1 ? 0 : idx + 1;
      }
      const out = dropPoints(d, { probability: 0.25, seed: k });
      dropped += L - out.length / 3;
      // kept points: a subsequence of each stroke's points, with the same first three and last point
      const a = toPolylines(d).map(list), b = toPolylines(out).map(list);
      expect(b.length).toBe(a.length);
      b.forEach((p, s) => {
        const q = a[s];
        expect(p.slice(0, Math.min(6, q.length))).toEqual(q.slice(0, Math.min(6, q.length)));
        expect(p.slice(-2)).toEqual(q.slice(-2));
        let j = 0;
        for (let i = 0; i < p.length; i += 2) {
          while (j < q.length && (q[j] !== p[i] || q[j + 1] !== p[i + 1])) j += 2;
          expect(j).toBeLessThan(q.length);
          j += 2;
        }
      });
    }
    const rate = dropped / eligible, sd = Math.sqrt(0.25 * 0.75 / eligible);
    expect(eligible).toBeGreaterThan(1500);
    expect(Math.abs(rate - 0.25)).toBeLessThan(4 * sd);
  });

  it('refuses bad options and drawings, input unchanged', () => {
    const d = stroke(6);
    refuses(() => dropPoints(d, { probability: 1.5 }), ConfigError, /dropPoints probability: expected a number in \[0, 1\], got number 1.5/, d);
    refuses(() => dropPoints(d, { probabilty: 0.1 } as never), ConfigError, /dropPoints: unknown option "probabilty" \(did you mean "probability"\?\)/, d);
    refuses(() => dropPoints(d, 0.1 as never), ConfigError, /dropPoints: expected an options object/, d);
    refuses(() => dropPoints([0, 0, 0, 1, 1, 0.5]), ShapeError, /dropPoints drawing: row 1 has pen state p = number 0.5/);
    refuses(() => dropPoints([]), ShapeError, /dropPoints drawing: .*empty drawing/);
  });
});

describe('padStroke5 and strokeDataset', () => {
  const a = [0, 5, 1];
  const b = [1, 0, 0, 0, 1, 1];
  const S0 = [0, 0, 1, 0, 0], END = [0, 0, 0, 0, 1];

  it('padStroke5: each drawing, then end rows up to T; lengths L + 1', () => {
    const { data, shape, lengths } = padStroke5([a, b]);
    expect(shape).toEqual([2, 3, 5]);
    expect(list(lengths)).toEqual([2, 3]);
    expect(list(data)).toEqual([0, 5, 0, 1, 0, ...END, ...END, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, ...END]);
    const wide = padStroke5([a], { maxLength: 4 });
    expect(list(wide.data)).toEqual([...list(toStroke5(a)), ...END, ...END]);
  });

  it('strokeDataset: y the padded stroke-5 rows, x the same shifted right behind S0, [N, T, 5]', () => {
    const ds = strokeDataset([a, b], { maxLength: 4 });
    expect(ds.xShape).toEqual([2, 4, 5]);
    expect(ds.yShape).toEqual([2, 4, 5]);
    expect(list(ds.lengths!)).toEqual([2, 3]);
    expect(list(ds.y)).toEqual([0, 5, 0, 1, 0, ...END, ...END, ...END, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, ...END, ...END]);
    expect(list(ds.x)).toEqual([...S0, 0, 5, 0, 1, 0, ...END, ...END, ...S0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, ...END]);
    expect(ds.condition).toBeUndefined();
    expect(checkDataset(ds)).toBe(ds);
    // random drawings: x[n, t] = y[n, t − 1] for every t ≥ 1, and y holds padStroke5
    const rng = new Rng(7);
    const set = Array.from({ length: 9 }, (_, i) => randomDrawing(rng, 1 + i));
    const big = strokeDataset(set);
    const padded = padStroke5(set);
    expect(big.y).toEqual(padded.data);
    expect(big.lengths).toEqual(padded.lengths);
    const T = big.xShape[1];
    for (let n = 0; n < 9; n++) {
      expect(list(big.x.subarray(n * T * 5, n * T * 5 + 5))).toEqual(S0);
      expect(list(big.x.subarray(n * T * 5 + 5, (n + 1) * T * 5))).toEqual(list(big.y.subarray(n * T * 5, (n + 1) * T * 5 - 5)));
    }
  });

  it('labels become one-hot conditions; a condition is copied; scale divides the offsets', () => {
    const ds = strokeDataset([a, b, a], { labels: [2, 0, 1] });
    expect(ds.conditionShape).toEqual([3, 3]);
    expect(list(ds.condition!)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(strokeDataset([a, b], { labels: new Int32Array([1, 1]), numClasses: 4 }).conditionShape).toEqual([2, 4]);
    const c = strokeDataset([a, b], { condition: [0.5, 1, 2, 3], conditionShape: [2, 2] });
    expect(c.condition).toEqual(new Float32Array([0.5, 1, 2, 3]));
    expect(checkDataset(c)).toBe(c);
    const scaled = strokeDataset([a, b], { scale: 2 });
    expect(scaled.y).toEqual(strokeDataset([normalize(a, 2), normalize(b, 2)]).y);
  });

  it('augmentation: reproducible from the seed, T stays that of the drawings as given', () => {
    const rng = new Rng(8);
    const set = Array.from({ length: 12 }, () => randomDrawing(rng, 6, 15));
    const o = { randomScale: 0.2, dropProbability: 0.3, seed: 5 };
    const one = strokeDataset(set, o), two = strokeDataset(set, o);
    expect(one).toEqual(two);
    expect(one.xShape).toEqual(strokeDataset(set).xShape);
    expect(strokeDataset(set, { ...o, seed: 6 }).y).not.toEqual(one.y);
    let shorter = 0;
    for (let n = 0; n < 12; n++) if (one.lengths![n] < set[n].length / 3 + 1) shorter++;
    expect(shorter).toBeGreaterThan(6);
    expect(checkDataset(one)).toBe(one);
  });

  it('refuses drawings too long, bad labels and conditions, unknown options; inputs unchanged', () => {
    const set = [a, b];
    refuses(() => padStroke5(set, { maxLength: 2 }), ShapeError, /padStroke5 drawings\[1\]: expected at most maxLength − 1 = 1 points \(one row stays for the end of drawing\), got 2 points/, set);
    refuses(() => strokeDataset(set, { maxLength: 2 }), ShapeError, /strokeDataset drawings\[1\]: expected at most maxLength − 1 = 1 points/, set);
    refuses(() => strokeDataset(set, { maxLenght: 9 } as never), ConfigError, /strokeDataset: unknown option "maxLenght" \(did you mean "maxLength"\?\)/);
    refuses(() => strokeDataset(set, { labels: [0] }), ShapeError, /strokeDataset labels: expected 2 class ids \(one per drawing\), got 1/);
    refuses(() => strokeDataset(set, { labels: [0, -1] }), ShapeError, /strokeDataset labels: element 1 is number -1; expected a class id, an integer ≥ 0/);
    refuses(() => strokeDataset(set, { labels: [0, 3], numClasses: 3 }), ShapeError, /strokeDataset labels: element 1 is 3; expected a class id in \[0, 2\] \(numClasses 3\)/);
    refuses(() => strokeDataset(set, { numClasses: 3 }), ConfigError, /numClasses is given without labels/);
    refuses(() => strokeDataset(set, { labels: [0, 1], condition: [1, 2], conditionShape: [2, 1] }), ConfigError, /give labels .* or a condition, not both/);
    refuses(() => strokeDataset(set, { condition: [1, 2, 3], conditionShape: [2, 2] }), ShapeError, /strokeDataset condition: expected 4 values for conditionShape \[2, 2\], got 3/);
    refuses(() => strokeDataset(set, { condition: [1, 2], conditionShape: [3, 1] }), ShapeError, /strokeDataset conditionShape: expected \[2, F\] \(one condition per drawing\), got \[3, 1\]/);
    refuses(() => strokeDataset(set, { condition: [1, NaN], conditionShape: [2, 1] }), NonFiniteError, /strokeDataset condition: element 1 \(row 1, feature 0\) is number NaN/);
    refuses(() => strokeDataset(set, { scale: 0 }), ConfigError, /strokeDataset scale: expected a finite number > 0, got number 0/);
    refuses(() => strokeDataset([a, [0, 0, 2]]), ShapeError, /strokeDataset drawings\[1\]: row 0 has pen state p = number 2/);
    refuses(() => strokeDataset([a, [NaN, 0, 1]]), NonFiniteError, /strokeDataset drawings\[1\]: element 0 \(row 0, Δx\) is number NaN/);
    refuses(() => strokeDataset([]), ShapeError, /strokeDataset drawings: expected a non-empty array of stroke-3 drawings/);
    refuses(() => strokeDataset(a as never), ShapeError, /strokeDataset drawings: expected an array of stroke-3 drawings, got an array of 3 numbers \(one drawing\? pass \[drawing\]\)/);
    refuses(() => padStroke5([a, 7] as never), ShapeError, /padStroke5 drawings\[1\]: expected a stroke-3 drawing.*got number 7/);
  });
});

describe('a Seq2Seq reads a strokeDataset', () => {
  beforeAll(() => init());

  it('conditionSize = numClasses, decoder input 5 features: teacher-forced outputs [N, T, 5]', () => {
    const rng = new Rng(9);
    const set = Array.from({ length: 4 }, (_, i) => randomDrawing(rng, 1 + i, 5));
    const ds = strokeDataset(set, { labels: [0, 1, 2, 1] });
    const model = new Seq2Seq({
      conditionSize: 3, decoder: new LSTM({ inputSize: 5 + 3, hiddenSize: 8, seed: 1 }), head: new Linear({ inFeatures: 8, outFeatures: 5, seed: 2 }),
    }, { stepInput: true, seed: 3 });
    const out = model.predict(ds);
    expect(out.length).toBe(4 * ds.xShape[1] * 5);
    expect(out.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
