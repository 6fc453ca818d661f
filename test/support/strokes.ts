// Shared by test/sketch/dtw.test.ts and tools/recognizer-accuracy.ts: the perturbed copies of
// glyphs and the random scribbles the recogniser is measured on.
import { Rng } from '../../src/rng.js';
import { augmentScale, dropPoints, fromPolylines, toPolylines } from '../../src/sketch/strokes.js';

/**
 * A glyph as a person might copy it: stretched by up to ±15 % in x and y independently, 10 % of
 * its eligible points dropped, every point moved by N(0, 0.3²) font units (capitals are 21 high).
 */
export function perturbGlyph(d: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed * 7919 + 1);
  const noise = new Float32Array(1);
  const out = dropPoints(augmentScale(d, { factor: 0.15, seed }), { probability: 0.1, seed: seed + 1 });
  return fromPolylines(toPolylines(out).map((p) => p.map((v) => {
    rng.normal(noise);
    return v + 0.3 * noise[0];
  })));
}

/** Random scribbles: 1–3 strokes, each a random walk of 5–34 unit steps with a wandering heading. */
export function scribbles(count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  const out: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const lines: number[][] = [];
    const strokes = 1 + Math.floor(rng.next() * 3);
    for (let s = 0; s < strokes; s++) {
      const n = 5 + Math.floor(rng.next() * 30);
      let x = 20 * rng.next(), y = 20 * rng.next(), a = 2 * Math.PI * rng.next();
      const p = [x, y];
      for (let i = 1; i < n; i++) {
        a += (rng.next() - 0.5) * 1.5;
        x += Math.cos(a);
        y += Math.sin(a);
        p.push(x, y);
      }
      lines.push(p);
    }
    out.push(fromPolylines(lines));
  }
  return out;
}
