// Every @example in src/data/ runs as written: the TypeScript is transpiled (types stripped) and
// run with the package's exports (rnn-wasm, rnn-wasm/train, rnn-wasm/node) (and DATA_DIR) in scope, from the repository root.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as train from '../../src/train/index.js';
import * as nodeApi from '../../src/node.js';
import { DATA_DIR } from '../../src/data/files.js';
import { gatherSamples } from '../../src/data/dataset.js';

const dir = new URL('../../src/data/', import.meta.url);
const scope: Record<string, unknown> = { ...api, ...train, ...nodeApi, DATA_DIR, gatherSamples }; // and the internals that have examples
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

describe('TSDoc examples of src/data', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'check.ts');
  it('every exported declaration has one', () => {
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const exported = [...text.matchAll(/^export (?:async )?(?:function|class|interface|type|const) (\w+)/gm)].map((m) => m[1]);
      for (const name of exported) {
        const at = text.search(new RegExp(`^export (?:async )?(?:function|class|interface|type|const) ${name}\\b`, 'm'));
        const doc = text.slice(text.lastIndexOf('/**', at), at);
        expect(doc, `${file}: ${name}`).toMatch(/@example/);
      }
    }
  });

  for (const file of files) {
    for (const { line, code } of examples(file)) {
      it(`${file}:${line} runs`, async () => {
        const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
        await new AsyncFunction(...Object.keys(scope), js)(...Object.values(scope));
      });
    }
  }
});
