// The README's "Pen strokes (mixture density)" program runs as written against the built package
// (transpiled, run with node from the repository root, where 'rnn-wasm' resolves to dist/) and
// prints what its comments say: a square of four sides then the end, and the continuation of a
// triangle's first side.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const start = readme.indexOf('## Pen strokes (mixture density)');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const programs = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README: Pen strokes (mixture density)', () => {
  it('has one program, and it runs and prints what its comments say', () => {
    expect(start).toBeGreaterThan(0);
    expect(programs.length).toBe(1);
    mkdirSync(new URL('build/', root), { recursive: true });
    const file = new URL('build/readme-sketch.mjs', root);
    writeFileSync(file, ts.transpileModule(programs[0], { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText);
    const lines = execFileSync(process.execPath, [file.pathname], { cwd: root.pathname, encoding: 'utf8' }).trim().split('\n');
    expect(lines[0]).toBe('[ 5, 5 ] true');
    const points = lines.slice(1).map((l) => JSON.parse(l) as number[]);
    const want = [[-0.5, 0.87, 1, 0, 0], [-0.5, -0.87, 0, 1, 0], [0, 0, 0, 0, 1]];
    expect(points.length).toBe(3);
    points.forEach((p, i) => {
      expect(p.slice(2), `point ${i}: pen`).toEqual(want[i].slice(2));
      for (const k of [0, 1]) expect(Math.abs(p[k] - want[i][k]), `point ${i}: ${p}`).toBeLessThan(0.15);
    });
  }, 600_000);
});
