// SVG path data → polylines and stroke-3: every command, absolute and relative, against points
// computed by hand (curves at t = ½, arcs by their geometry); SVG's number syntax and implicit
// commands; subpaths, Z and what follows it; malformed data refused with its position.
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError, ShapeError } from '../../src/index.js';
import { fromSvgPath, svgPathPolylines } from '../../src/sketch/svg.js';

const lines = (d: string, segments?: number) => svgPathPolylines(d, segments === undefined ? {} : { segments }).map((p) => Array.from(p));
// points equal to within float32 rounding of values of this size
const close = (got: number[][], want: number[][], tol = 1e-5) => {
  expect(got.map((p) => p.length)).toEqual(want.map((p) => p.length));
  got.forEach((p, i) => p.forEach((v, j) => expect(Math.abs(v - want[i][j]), `polyline ${i}, value ${j}: ${v} vs ${want[i][j]}`).toBeLessThan(tol)));
};

describe('lines: M, L, H, V, Z, absolute and relative', () => {
  it('stroke-3 offsets of a known path, computed by hand', () => {
    // (10,20) → (10,30) → (15,30) | (0,0) → (5,5)
    expect(Array.from(fromSvgPath('M 10,20 L 10,30 H 15 M 0,0 l 5 5'))).toEqual([10, 20, 0, 0, 10, 0, 5, 0, 1, -15, -30, 0, 5, 5, 1]);
    // a closed square: Z draws back to the start; the pen lifts there
    expect(Array.from(fromSvgPath('M0,0 L10,0 L10,10 Z'))).toEqual([0, 0, 0, 10, 0, 0, 0, 10, 0, -10, -10, 1]);
    // relative h/v from the current point; V and H absolute
    expect(lines('M1,1 h4 v3 h-2 V0 H1')).toEqual([[1, 1, 5, 1, 5, 4, 3, 4, 3, 0, 1, 0]]);
  });

  it('Z: no duplicate point when the pen is already at the start; the next command starts from the start point', () => {
    expect(lines('M0,0 L10,0 L0,0 Z')).toEqual([[0, 0, 10, 0, 0, 0]]);
    // relative commands after z are relative to the subpath's start
    expect(lines('M10,10 l10,0 l0,10 z l-5,5 m3,3 l1,1')).toEqual([[10, 10, 20, 10, 20, 20, 10, 10], [10, 10, 5, 15], [8, 18, 9, 19]]);
    expect(lines('M10,10 h5 z m1,1 h2')).toEqual([[10, 10, 15, 10, 10, 10], [11, 11, 13, 11]]);
    expect(lines('M0,0 L5,0 Z L0,5 z')).toEqual([[0, 0, 5, 0, 0, 0], [0, 0, 0, 5, 0, 0]]);
    expect(lines('M0,0 L5,0 ZM1,1L2,2')).toEqual([[0, 0, 5, 0, 0, 0], [1, 1, 2, 2]]);
  });

  it('a lone moveto draws nothing and is left out; a zero-length segment is a dot and kept', () => {
    expect(lines('M1,1 M2,2 L3,3 M4,4')).toEqual([[2, 2, 3, 3]]);
    expect(lines('M1,1 L1,1')).toEqual([[1, 1, 1, 1]]);
    expect(Array.from(fromSvgPath('M1,1 L1,1'))).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it('implicit commands: pairs after M are L (l after m); other commands repeat', () => {
    expect(lines('M0 0 1 1 2 0')).toEqual([[0, 0, 1, 1, 2, 0]]);
    expect(lines('m1 1 2 2 1 0')).toEqual([[1, 1, 3, 3, 4, 3]]);
    expect(lines('M0,0 L1,1,2,2 3,3')).toEqual([[0, 0, 1, 1, 2, 2, 3, 3]]);
    expect(lines('M0,0 h1 2 3 v1-1')).toEqual([[0, 0, 1, 0, 3, 0, 6, 0, 6, 1, 6, 0]]);
  });

  it("SVG's number syntax: signs, exponents, leading dots, no separator where a sign or dot ends a number, any whitespace", () => {
    expect(lines('M-1.5e1+2E+1L.5.5')).toEqual([[-15, 20, 0.5, 0.5]]);
    expect(lines('M0,0L10-5')).toEqual([[0, 0, 10, -5]]);
    expect(lines('M0-1.5.5e1-3')).toEqual([[0, -1.5, 5, -3]]);
    expect(lines('\tM\n0\r0\fL 1 , 1 ')).toEqual([[0, 0, 1, 1]]);
    expect(lines('M 1. 2. L 3.e1 1e-1')).toEqual([[1, 2, 30, 0.1].map(Math.fround)]);
    expect(lines('M+0 -0 L 00012 0.000')).toEqual([[0, 0, 12, 0]]);
  });

  it('keeps offsets exact in float64 before rounding (large coordinates)', () => {
    // 1e6 + 0.25 is not a float32, the offset 0.25 is
    expect(Array.from(fromSvgPath('M1000000,0 L1000000.25,0'))).toEqual([1e6, 0, 0, 0.25, 0, 1]);
  });
});

describe('curves: C, S, Q, T', () => {
  it('C at t = ½ is (P0 + 3 P1 + 3 P2 + P3) / 8; S reflects the previous second control point', () => {
    expect(lines('M0,0 C0,10 10,10 10,0', 2)).toEqual([[0, 0, 5, 7.5, 10, 0]]);
    // second curve: P0 (10,0), P1 = (10,0) + ((10,0) − (10,10)) = (10,−10), P2 (20,−10), P3 (20,0)
    expect(lines('M0,0 C0,10 10,10 10,0 S20,-10 20,0', 2)).toEqual([[0, 0, 5, 7.5, 10, 0, 15, -7.5, 20, 0]]);
    // S without a C before it: the first control point is the current point
    expect(lines('M0,0 S10,10 10,0', 2)).toEqual([[0, 0, 5, 3.75, 10, 0]]);
    expect(lines('M0,0 L1,0 S10,10 10,0', 2)[0].slice(4, 6)).toEqual([(0.125 + 0.375) * 1 + 0.375 * 10 + 0.125 * 10, 3.75]);
    // relative: every coordinate from the current point at the command
    expect(lines('M5,5 c0,10 10,10 10,0 s10,-10 10,0', 2)).toEqual([[5, 5, 10, 12.5, 15, 5, 20, -2.5, 25, 5]]);
  });

  it('Q at t = ½ is (P0 + 2 P1 + P2) / 4; T reflects the previous control point, chained', () => {
    expect(lines('M0,0 Q5,10 10,0', 2)).toEqual([[0, 0, 5, 5, 10, 0]]);
    // T: (15,−10), then (25,10)
    expect(lines('M0,0 Q5,10 10,0 T20,0 T30,0', 2)).toEqual([[0, 0, 5, 5, 10, 0, 15, -5, 20, 0, 25, 5, 30, 0]]);
    // T without a Q before it: the control point is the current point (a line, not uniformly in t)
    expect(lines('M0,0 T10,0', 2)).toEqual([[0, 0, 2.5, 0, 10, 0]]);
    expect(lines('M0,0 q5,10 10,0 t10,0', 2)).toEqual([[0, 0, 5, 5, 10, 0, 15, -5, 20, 0]]);
    // implicit repeat of Q
    expect(lines('M0,0 Q5,10 10,0 15,-10 20,0', 2)).toEqual([[0, 0, 5, 5, 10, 0, 15, -5, 20, 0]]);
  });

  it('segments points per curve (default 8), every point on the curve', () => {
    const p = lines('M0,0 C0,30 30,30 30,0')[0];
    expect(p.length / 2).toBe(9);
    const q = lines('M0,0 C0,30 30,30 30,0', 5)[0];
    expect(q.length / 2).toBe(6);
    for (let k = 0; k <= 5; k++) {
      const t = k / 5, u = 1 - t;
      expect(q[2 * k]).toBeCloseTo(3 * u * t * t * 30 + t ** 3 * 30, 4);
      expect(q[2 * k + 1]).toBeCloseTo(3 * u * u * t * 30 + 3 * u * t * t * 30, 4);
    }
  });
});

describe('arcs: A', () => {
  it('a half circle, both sweeps; radii too small are scaled up; flags written without separators', () => {
    // centre (5, 0), radius 5; sweep 1 goes through angle 3π/2 (up on screen, y down), sweep 0 through π/2
    close(lines('M0,0 A5,5 0 0,1 10,0', 1), [[0, 0, 5, -5, 10, 0]]);
    close(lines('M0,0 A5,5 0 0,0 10,0', 1), [[0, 0, 5, 5, 10, 0]]);
    close(lines('M0,0 A1,1 0 0,1 10,0', 1), [[0, 0, 5, -5, 10, 0]]);
    close(lines('M0,0a5,5 0 0110,0', 1), [[0, 0, 5, -5, 10, 0]]);
    // 2 segments per quarter turn: 4 segments, every point at distance 5 from (5, 0)
    const p = lines('M0,0 A5,5 0 0,1 10,0', 2)[0];
    expect(p.length / 2).toBe(5);
    for (let i = 0; i < p.length; i += 2) expect(Math.hypot(p[i] - 5, p[i + 1])).toBeCloseTo(5, 5);
  });

  it('large-arc and sweep flags pick one of four arcs', () => {
    // circles of radius 10 through (0,0) and (10,10): centres (0,10) and (10,0)
    const r = Math.SQRT1_2 * 10;
    close(lines('M0,0 A10,10 0 0,1 10,10', 2), [[0, 0, r, 10 - r, 10, 10]]); // small, centre (0,10): one quarter turn, 2 segments
    close(lines('M0,0 A10,10 0 0,0 10,10', 2), [[0, 0, 10 - r, r, 10, 10]]); // small, centre (10,0)
    close(lines('M0,0 A10,10 0 0,1 10,10', 1), [[0, 0, 10, 10]]);
    close(lines('M0,0 A10,10 0 1,1 10,10', 1), [[0, 0, 10, -10, 20, 0, 10, 10]]); // large, centre (10,0), 3 quarter turns
    close(lines('M0,0 A10,10 0 1,0 10,10', 1), [[0, 0, -10, 10, 0, 20, 10, 10]]); // large, centre (0,10)
  });

  it('a rotated ellipse: every point on it', () => {
    // rx 10 along the rotated x axis (90°: pointing down), ry 5: centre (0, 10), the midpoint (5, 10)
    const p = lines('M0,0 A10,5 90 0,1 0,20', 4)[0];
    close([p.slice(8, 10)], [[5, 10]]);
    for (let i = 0; i < p.length; i += 2) expect(((p[i + 1] - 10) / 10) ** 2 + (p[i] / 5) ** 2).toBeCloseTo(1, 5);
  });

  it('a zero radius is a straight line; an arc to its own start point is left out; relative arcs', () => {
    expect(lines('M0,0 A0,5 0 0,1 10,0')).toEqual([[0, 0, 10, 0]]);
    expect(lines('M0,0 L1,0 A5,5 0 0,1 1,0')).toEqual([[0, 0, 1, 0]]);
    close(lines('M10,10 a5,5 0 0,1 10,0', 1), [[10, 10, 15, 5, 20, 10]]);
    close(lines('M0,0 A-5,-5 0 0,1 10,0', 1), [[0, 0, 5, -5, 10, 0]]);
  });
});

describe('malformed data', () => {
  const refuse = (d: unknown, cls: new (...a: never[]) => Error, message: RegExp) => {
    expect(() => fromSvgPath(d as string)).toThrow(cls);
    expect(() => fromSvgPath(d as string)).toThrow(message);
  };

  it('FormatError naming the argument, what was expected and the position', () => {
    refuse('M 10 20 L 30', FormatError, /^fromSvgPath d: expected a number \(y of L\) at position 12, got the end of the data/);
    refuse('M 10 20 X 5 5', FormatError, /fromSvgPath d: expected a command letter \(M, L, H, V, C, S, Q, T, A, Z, or lower case for relative coordinates\) at position 8, got "X"/);
    refuse('M10,,20', FormatError, /expected a number \(y of M\) at position 4, got ","/);
    refuse('M,10 20', FormatError, /expected a number \(x of M\) at position 1, got ","/);
    refuse('L 1 2', FormatError, /expected a moveto \(M or m\) as the first command at position 0, got "L"/);
    refuse('  m1 2 z 5', FormatError, /expected a command letter after Z \(Z takes no numbers\) at position 9, got "5"/);
    refuse('M1 2 A1 1 0 2 1 3 3', FormatError, /expected a flag, 0 or 1 \(large-arc-flag of A\) at position 12, got "2"/);
    refuse('M1 2 a1 1 0 0 x 3 3', FormatError, /expected a flag, 0 or 1 \(sweep-flag of a\) at position 14, got "x"/);
    refuse('M1 2 L3 4,', FormatError, /expected a number after the comma \(the next arguments of L\) at position 10, got the end of the data/);
    refuse('M1e999,0 L1 1', FormatError, /expected a finite number \(x of M\) at position 1, got "1e999"/);
    refuse('M1 2 L-', FormatError, /expected a number \(x of L\) at position 6, got "-"/);
    refuse('M1 2 C1 2 3 4 5', FormatError, /expected a number \(y of C\) at position 15/);
    refuse('M1 2 L3 4 e5', FormatError, /at position 10, got "e"/);
    refuse('M1 2 L3 4e', FormatError, /at position 9, got "e"/);
    refuse('M1 2 L3 4 #', FormatError, /position 10, got "#"/);
  });

  it('the message shows where, in context', () => {
    expect(() => fromSvgPath('M 10 20 L 30 40 L 50 ! 60 L 70 80 L 90 100 L 110 120')).toThrow(
      'fromSvgPath d: expected a number (y of L) at position 21, got "!" ("M 10 20 L 30 40 L 50 ⟨here⟩! 60 L 70 80 L 90 100 L …")');
  });

  it('ShapeError for nothing to draw and for a value that is not a string', () => {
    refuse('', ShapeError, /fromSvgPath d: the path is empty, so it draws nothing/);
    refuse('  \n', ShapeError, /the path is empty/);
    refuse('M1 2', ShapeError, /fromSvgPath d: the path draws nothing \(only movetos, or subpaths without a segment\)/);
    refuse('M1 2 Z', ShapeError, /draws nothing/);
    refuse('M1 2 A5 5 0 0 1 1 2', ShapeError, /draws nothing/);
    refuse(42, ShapeError, /fromSvgPath d: expected a string of SVG path data \(e.g. "M 0,0 L 10,10"\), got number 42/);
    refuse(undefined, ShapeError, /got undefined/);
    expect(() => svgPathPolylines('M0 0 L')).toThrow(/^svgPathPolylines d: expected a number \(x of L\) at position 6/);
  });

  it('options: segments an integer in [1, 1024], unknown keys refused', () => {
    expect(() => fromSvgPath('M0 0 L1 1', { segments: 0 })).toThrow(ConfigError);
    expect(() => fromSvgPath('M0 0 L1 1', { segments: 0 })).toThrow(/fromSvgPath segments: expected an integer in \[1, 1024\], got number 0/);
    expect(() => svgPathPolylines('M0 0 L1 1', { segments: 2.5 })).toThrow(/svgPathPolylines segments: expected an integer in \[1, 1024\]/);
    expect(() => fromSvgPath('M0 0 L1 1', { segment: 4 } as never)).toThrow(/fromSvgPath: unknown option "segment" \(did you mean "segments"\?\)/);
  });
});
