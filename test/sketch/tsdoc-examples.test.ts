// Every @example in the stroke files of src/sketch/ runs as written: the TypeScript is transpiled
// (types stripped) and run with those files' exports, DATA_DIR, readText and checkDataset in scope,
// from the repository root. Every public export has an example.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, readText } from '../../src/data/files.js';
import { checkDataset } from '../../src/data/dataset.js';
import * as strokes from '../../src/sketch/strokes.js';
import * as svg from '../../src/sketch/svg.js';
import * as hershey from '../../src/sketch/hershey.js';
import * as dtw from '../../src/sketch/dtw.js';

const FILES = ['strokes.ts', 'svg.ts', 'hershey.ts', 'dtw.ts'];
const dir = new URL('../../src/sketch/', import.meta.url);
const scope: Record<string, unknown> = { ...strokes, ...svg, ...hershey, ...dtw, DATA_DIR, readText, checkDataset };
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

function examples(file: string): { line: number; code: string }[] {
  const text = readFileSync(new URL(file, dir), 'utf8');
  const out: { line: number; code: string }[] = [];
  for (const m of text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    const code = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
    out.push({ line: text.slice(0, m.index).split('\n').length, code });
  }
  return out;
}

describe('TSDoc examples of src/sketch (strokes, svg, hershey, dtw)', () => {
  it('every public export has one; the four files export no name twice', () => {
    const names = new Set<string>();
    for (const file of FILES) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/^export (?:async )?(?:function|class|interface|type|const) (\w+)/gm)) {
        expect(names.has(m[1]), `${m[1]} exported twice`).toBe(false);
        names.add(m[1]);
        const doc = text.slice(text.lastIndexOf('/**', m.index), m.index);
        if (doc.includes('@internal')) continue;
        expect(doc, `${file}: ${m[1]}`).toMatch(/@example/);
      }
    }
    expect(names.size).toBeGreaterThan(40);
  });

  for (const file of FILES) {
    for (const { line, code } of examples(file)) {
      it(`${file}:${line} runs`, async () => {
        const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
        await new AsyncFunction(...Object.keys(scope), js)(...Object.values(scope));
      });
    }
  }
});
