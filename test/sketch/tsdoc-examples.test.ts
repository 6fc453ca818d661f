// Every public export of rnn-wasm/sketch (src/sketch/index.ts) has a TSDoc @example, and every
// @example in the files behind it runs as written: the TypeScript is transpiled (types stripped,
// import lines dropped) and run with the package's exports (rnn-wasm, rnn-wasm/train,
// rnn-wasm/seq2seq, rnn-wasm/sketch) in scope.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as seq2seq from '../../src/seq2seq.js';
import * as sketch from '../../src/sketch/index.js';
import * as train from '../../src/train/index.js';

const dir = new URL('../../src/sketch/', import.meta.url);
const FILES = ['index.ts', 'mdn.ts', 'sample.ts']; // this entry's own files (the stroke helpers have their own test)
const scope: Record<string, unknown> = { ...api, ...train, ...seq2seq, ...sketch };
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
  it('every public export has one', () => {
    const names = Object.keys(sketch);
    const types = ['MdnLossOptions', 'PenDatasetOptions', 'PenModel', 'SketchStreamOptions', 'SketchSampleOptions', 'SketchSample'];
    expect(names.sort()).toEqual(['MDN_BOUNDS', 'SketchStream', 'mdnLoss', 'mdnOutputSize', 'penDataset', 'sampleSketch']);
    for (const name of [...names, ...types]) {
      const file = FILES.map((f) => [f, readFileSync(new URL(f, dir), 'utf8')] as const).find(([, t]) => new RegExp(`^export (?:async )?(?:function|class|interface|type|const) ${name}\\b`, 'm').test(t));
      expect(file, name).toBeDefined();
      const [, text] = file!;
      const at = text.search(new RegExp(`^export (?:async )?(?:function|class|interface|type|const) ${name}\\b`, 'm'));
      expect(text.slice(text.lastIndexOf('/**', at), at), `${name}`).toMatch(/@example/);
    }
    expect(readFileSync(new URL('index.ts', dir), 'utf8')).toMatch(/@packageDocumentation/);
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
