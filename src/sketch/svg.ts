/**
 * SVG path data (`<path d="M 10,20 L 30,40 …">`) as pen strokes: every subpath becomes a
 * polyline, curves and arcs flattened into line segments, and the polylines become a stroke-3
 * drawing.
 * @packageDocumentation
 */
import { FormatError, ShapeError } from '../errors.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';
import { polylinesToStroke3, type Polyline, type Stroke3 } from './strokes.js';

/**
 * Options of {@link fromSvgPath} and {@link svgPathPolylines}.
 * @example
 * ```ts
 * const options: SvgPathOptions = { segments: 16 };
 * ```
 */
export interface SvgPathOptions {
  /**
   * Line segments per curve: each C, S, Q or T command becomes this many segments (equal steps
   * of the curve parameter t); an arc (A) gets this many per quarter turn it sweeps (rounded
   * up, at least one). An integer in [1, 1024]. Default 8.
   */
  segments?: number;
}

const RULES = { segments: is.int(1, 1024) };

/**
 * SVG path data → stroke-3: {@link svgPathPolylines}, then each point's offset from the previous
 * one (the first from (0, 0), so positions are kept; offsets are computed in float64), `p = 1`
 * at the end of every subpath. Coordinates are the path's own: y points down, as in SVG.
 *
 * @param d path data, e.g. the `d` attribute of an SVG `<path>`
 * @example
 * ```ts
 * fromSvgPath('M 10,20 L 10,30 H 15 M 0,0 l 5 5');
 * // Float32Array [10,20,0,  0,10,0,  5,0,1,  -15,-30,0,  5,5,1]
 * ```
 */
export function fromSvgPath(d: string, options: SvgPathOptions = {}): Stroke3 {
  const o = checkOptions<SvgPathOptions>('fromSvgPath', options, RULES);
  const lines = parse('fromSvgPath d', d, o.segments ?? 8);
  const out = polylinesToStroke3(lines);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`fromSvgPath d: the offset at element ${bad} of the drawing overflows float32 (±3.4e38); expected coordinates closer together`);
  return out;
}

/**
 * SVG path data → the absolute points of each subpath, one {@link Polyline} `[x0, y0, x1, y1, …]`
 * per subpath. All commands of SVG path data are read, absolute (upper case) and relative (lower
 * case): M, L, H, V and Z; cubic (C, S) and quadratic (Q, T) Béziers and elliptical arcs (A),
 * flattened into `segments` line segments (per quarter turn for arcs), with SVG's rules for arcs
 * (radii scaled up when too small, zero radii a straight line, an arc to its own start point
 * left out) and for the reflected control points of S and T. Numbers as SVG writes them: signs,
 * decimals without a leading digit (`.5`), exponents (`1e-3`), separators by whitespace and/or
 * one comma, or none where the next number's sign or dot ends the previous one (`10-5.5.5`);
 * arc flags as a single `0`/`1`; a command's letter may be left out for its next set of
 * arguments (after M, implicit L).
 *
 * Subpaths: M starts one; Z closes it with a segment back to its start (left out when the pen is
 * already there), and a drawing command after Z starts the next subpath at that start point. A
 * subpath that draws nothing (a lone moveto) is left out.
 *
 * Malformed data throws a `FormatError` naming the position (0-based) in the string and what
 * was expected there; a path that draws nothing throws a `ShapeError`.
 *
 * @param d path data
 * @example
 * ```ts
 * svgPathPolylines('M0,0 L10,0 10,10 Z m 2,2 h 1');
 * // [Float32Array [0,0, 10,0, 10,10, 0,0], Float32Array [2,2, 3,2]]
 * ```
 */
export function svgPathPolylines(d: string, options: SvgPathOptions = {}): Polyline[] {
  const o = checkOptions<SvgPathOptions>('svgPathPolylines', options, RULES);
  return parse('svgPathPolylines d', d, o.segments ?? 8).map((p) => {
    const f = Float32Array.from(p);
    const bad = f.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ShapeError(`svgPathPolylines d: coordinate ${p[bad]} overflows float32 (±3.4e38)`);
    return f;
  });
}

const ARGS: Record<string, number> = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 };
const NAMES: Record<string, string[]> = {
  m: ['x', 'y'], l: ['x', 'y'], h: ['x'], v: ['y'], c: ['x1', 'y1', 'x2', 'y2', 'x', 'y'], s: ['x2', 'y2', 'x', 'y'],
  q: ['x1', 'y1', 'x', 'y'], t: ['x', 'y'], a: ['rx', 'ry', 'x-axis-rotation', 'large-arc-flag', 'sweep-flag', 'x', 'y'],
};
const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const isWsp = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
const startsNumber = (c: string) => (c >= '0' && c <= '9') || c === '+' || c === '-' || c === '.';

// The parser: reads `d` into float64 polylines. Throws FormatError at the first malformed token.
function parse(name: string, d: unknown, segments: number): number[][] {
  if (typeof d !== 'string') throw new ShapeError(`${name}: expected a string of SVG path data (e.g. "M 0,0 L 10,10"), got ${describe(d)}`);
  let pos = 0;
  const fail = (what: string, at = pos, token?: string): never => {
    const got = token !== undefined ? `"${token}"` : at >= d.length ? 'the end of the data' : `"${d[at]}"`;
    const from = Math.max(0, at - 24), to = Math.min(d.length, at + 24);
    const context = `${from > 0 ? '…' : ''}${d.slice(from, at)}⟨here⟩${d.slice(at, to)}${to < d.length ? '…' : ''}`;
    throw new FormatError(`${name}: expected ${what} at position ${at}, got ${got} (${JSON.stringify(context)})`);
  };
  const skipWsp = () => { while (pos < d.length && isWsp(d[pos])) pos++; };
  const number = (what: string): number => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(d);
    if (!m) return fail(`a number (${what})`);
    const v = Number(m[0]);
    if (!Number.isFinite(v)) return fail(`a finite number (${what})`, pos, m[0]);
    pos += m[0].length;
    return v;
  };
  const flag = (what: string): number => {
    if (d[pos] !== '0' && d[pos] !== '1') return fail(`a flag, 0 or 1 (${what})`);
    return d[pos++] === '1' ? 1 : 0;
  };
  // between two arguments: whitespace and at most one comma, all optional
  const separator = () => {
    skipWsp();
    if (d[pos] === ',') { pos++; skipWsp(); }
  };

  const lines: number[][] = [];
  let line: number[] | null = null; // the open subpath's points
  let cx = 0, cy = 0, sx = 0, sy = 0; // current point, start of the subpath
  let prev = ''; // the previous command (lower case), for S and T
  let ctrlX = 0, ctrlY = 0; // its last control point
  const finish = () => {
    if (line && line.length >= 4) lines.push(line);
    line = null;
  };
  const lineTo = (x: number, y: number) => {
    if (!line) line = [cx, cy]; // a drawing command after Z: a new subpath from the start point
    line.push(x, y);
    cx = x;
    cy = y;
  };

  skipWsp();
  if (pos >= d.length) throw new ShapeError(`${name}: the path is empty, so it draws nothing; expected path data such as "M 0,0 L 10,10"`);
  if (d[pos] !== 'M' && d[pos] !== 'm') fail('a moveto (M or m) as the first command');
  while (pos < d.length) {
    const letter = d[pos];
    const cmd = letter.toLowerCase();
    if (!(cmd in ARGS)) fail('a command letter (M, L, H, V, C, S, Q, T, A, Z, or lower case for relative coordinates)');
    pos++;
    const rel = letter !== letter.toUpperCase();
    if (cmd === 'z') {
      if (line && (cx !== sx || cy !== sy)) line.push(sx, sy);
      finish();
      cx = sx;
      cy = sy;
      prev = 'z';
      skipWsp();
      if (pos < d.length && (startsNumber(d[pos]) || d[pos] === ',')) fail('a command letter after Z (Z takes no numbers)');
      continue;
    }
    let repeat = cmd;
    for (;;) {
      skipWsp();
      const args: number[] = [];
      const names = NAMES[repeat];
      for (let k = 0; k < ARGS[repeat]; k++) {
        if (k > 0) separator();
        const what = `${names[k]} of ${rel ? repeat : repeat.toUpperCase()}`;
        args.push(repeat === 'a' && (k === 3 || k === 4) ? flag(what) : number(what));
      }
      const ox = rel ? cx : 0, oy = rel ? cy : 0;
      switch (repeat) {
        case 'm':
          finish();
          cx = sx = args[0] + ox;
          cy = sy = args[1] + oy;
          line = [cx, cy];
          break;
        case 'l': lineTo(args[0] + ox, args[1] + oy); break;
        case 'h': lineTo(args[0] + ox, cy); break;
        case 'v': lineTo(cx, args[0] + oy); break;
        case 'c': case 's': {
          const reflect = prev === 'c' || prev === 's';
          const [x1, y1] = repeat === 'c' ? [args[0] + ox, args[1] + oy] : reflect ? [2 * cx - ctrlX, 2 * cy - ctrlY] : [cx, cy];
          const a = repeat === 'c' ? 2 : 0;
          const x2 = args[a] + ox, y2 = args[a + 1] + oy, x = args[a + 2] + ox, y = args[a + 3] + oy;
          const x0 = cx, y0 = cy;
          for (let k = 1; k < segments; k++) {
            const t = k / segments, u = 1 - t;
            const b0 = u * u * u, b1 = 3 * u * u * t, b2 = 3 * u * t * t, b3 = t * t * t;
            lineTo(b0 * x0 + b1 * x1 + b2 * x2 + b3 * x, b0 * y0 + b1 * y1 + b2 * y2 + b3 * y);
          }
          lineTo(x, y);
          ctrlX = x2;
          ctrlY = y2;
          break;
        }
        case 'q': case 't': {
          const reflect = prev === 'q' || prev === 't';
          const [x1, y1] = repeat === 'q' ? [args[0] + ox, args[1] + oy] : reflect ? [2 * cx - ctrlX, 2 * cy - ctrlY] : [cx, cy];
          const a = repeat === 'q' ? 2 : 0;
          const x = args[a] + ox, y = args[a + 1] + oy;
          const x0 = cx, y0 = cy;
          for (let k = 1; k < segments; k++) {
            const t = k / segments, u = 1 - t;
            lineTo(u * u * x0 + 2 * u * t * x1 + t * t * x, u * u * y0 + 2 * u * t * y1 + t * t * y);
          }
          lineTo(x, y);
          ctrlX = x1;
          ctrlY = y1;
          break;
        }
        case 'a':
          arc(cx, cy, args[0], args[1], args[2], args[3], args[4], args[5] + ox, args[6] + oy, segments, lineTo);
          break;
      }
      prev = repeat;
      if (repeat === 'm') repeat = 'l'; // a moveto's further pairs are linetos
      // another set of arguments for the same command follows, or the next command
      skipWsp();
      if (d[pos] === ',') {
        pos++;
        skipWsp();
        if (!startsNumber(d[pos] ?? '')) fail(`a number after the comma (the next arguments of ${rel ? repeat : repeat.toUpperCase()})`);
        continue;
      }
      if (pos < d.length && startsNumber(d[pos])) continue;
      break; // the next command's letter (checked at the top of the loop) or the end
    }
  }
  finish();
  if (lines.length === 0) throw new ShapeError(`${name}: the path draws nothing (only movetos, or subpaths without a segment); expected at least one line or curve`);
  return lines;
}

/**
 * An elliptical arc from (x1, y1) to (x2, y2) as line segments, by the endpoint-to-center
 * conversion of the SVG specification (implementation notes, "elliptical arc implementation").
 */
function arc(x1: number, y1: number, rx: number, ry: number, rotation: number, large: number, sweep: number,
  x2: number, y2: number, segments: number, lineTo: (x: number, y: number) => void): void {
  if (x1 === x2 && y1 === y2) return; // an arc to its own start point is left out
  rx = Math.abs(rx);
  ry = Math.abs(ry);
  if (rx === 0 || ry === 0) {
    lineTo(x2, y2);
    return;
  }
  const phi = ((rotation % 360) * Math.PI) / 180, cos = Math.cos(phi), sin = Math.sin(phi);
  const dx = (x1 - x2) / 2, dy = (y1 - y2) / 2;
  const x1p = cos * dx + sin * dy, y1p = -sin * dx + cos * dy;
  const lambda = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  const num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
  const den = rx * rx * y1p * y1p + ry * ry * x1p * x1p;
  const coef = (large === sweep ? -1 : 1) * Math.sqrt(Math.max(0, num / den));
  const cxp = (coef * rx * y1p) / ry, cyp = (-coef * ry * x1p) / rx;
  const cx = cos * cxp - sin * cyp + (x1 + x2) / 2, cy = sin * cxp + cos * cyp + (y1 + y2) / 2;
  const ux = (x1p - cxp) / rx, uy = (y1p - cyp) / ry, vx = (-x1p - cxp) / rx, vy = (-y1p - cyp) / ry;
  const theta1 = Math.atan2(uy, ux);
  let delta = Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  if (sweep === 0 && delta > 0) delta -= 2 * Math.PI;
  else if (sweep === 1 && delta < 0) delta += 2 * Math.PI;
  const n = Math.max(1, Math.ceil((segments * Math.abs(delta)) / (Math.PI / 2) - 1e-9));
  for (let k = 1; k < n; k++) {
    const theta = theta1 + (delta * k) / n;
    const ex = rx * Math.cos(theta), ey = ry * Math.sin(theta);
    lineTo(cos * ex - sin * ey + cx, sin * ex + cos * ey + cy);
  }
  lineTo(x2, y2);
}
