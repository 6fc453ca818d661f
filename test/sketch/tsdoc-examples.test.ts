// Every public export of rnn-wasm/sketch (src/sketch/index.ts and the files behind it) has a
// TSDoc @example, the entry re-exports every public name of its files, and every @example runs as
// written: the TypeScript is transpiled (types stripped, import lines dropped) and run from the
// repository root with the package's exports (rnn-wasm, rnn-wasm/train, rnn-wasm/seq2seq,
// rnn-wasm/sketch) and DATA_DIR, readText and checkDataset in scope.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as seq2seq from '../../src/seq2seq.js';
import * as sketch from '../../src/sketch/index.js';
import * as train from '../../src/train/index.js';
import { DATA_DIR, readText } from '../../src/data/files.js';
import { checkDataset } from '../../src/data/dataset.js';

const dir = new URL('../../src/sketch/', import.meta.url);
const FILES = ['index.ts', 'mdn.ts', 'sample.ts', 'strokes.ts', 'svg.ts', 'hershey.ts', 'dtw.ts'];
const scope: Record<string, unknown> = { ...api, ...train, ...seq2seq, ...sketch, DATA_DIR, readText, checkDataset };
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

function examples(file: string): { line: number; code: string }[] {
  const text = readFileSync(new URL(file, dir), 'utf8');
  const out: { line: number; code: string }[] = [];
  for (const m of text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    const code = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).filter((l) => !/^import /.test(l)).join('\n');
    out.push({ line: text.slice(0, m.index).split('\n').length, code });
  }
  return out;
}

describe('TSDoc examples of rnn-wasm/sketch', () => {
  it('every public export has one, the entry re-exports them all, and no name is exported twice', () => {
    const index = readFileSync(new URL('index.ts', dir), 'utf8');
    expect(index).toMatch(/@packageDocumentation/);
    const names = new Set<string>();
    for (const file of FILES.slice(1)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/^export (?:async )?(?:function|class|interface|type|const) (\w+)/gm)) {
        expect(names.has(m[1]), `${m[1]} exported twice`).toBe(false);
        names.add(m[1]);
        const doc = text.slice(text.lastIndexOf('/**', m.index), m.index);
        if (doc.includes('@internal')) continue;
        expect(doc, `${file}: ${m[1]}`).toMatch(/@example/);
        expect(index, `index.ts re-exports ${m[1]}`).toMatch(new RegExp(`\\b${m[1]}\\b`));
      }
    }
    expect(names.size).toBeGreaterThan(50);
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
