// The README's "Coming from TensorFlow.js" section runs as written against the built package:
// its programs are transpiled (types stripped) and run with node from the repository root,
// where 'rnn-wasm' resolves to this package (dist/), and every rnn-wasm snippet of its table is
// part of those programs. importKeras's own @example runs too.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import * as interop from '../../src/interop/index.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const start = readme.indexOf('## Coming from TensorFlow.js');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const programs = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const js = (code: string) => ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;

describe('README: Coming from TensorFlow.js', () => {
  it('has the table and the two programs', () => {
    expect(start).toBeGreaterThan(0);
    expect(programs.length).toBe(2);
  });

  it('every rnn-wasm snippet of the table is part of the programs', () => {
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| concept'));
    expect(rows.length).toBe(8);
    const code = programs.join('\n');
    for (const row of rows) {
      const ours = row.split(' | ').at(-1)!;
      const spans = [...ours.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(spans.length, row).toBeGreaterThan(0);
      for (const s of spans) expect(code, `${row}\n→ ${s}`).toContain(s);
    }
  });

  programs.forEach((code, i) => {
    it(`program ${i + 1} runs and prints what its comments say`, () => {
      mkdirSync(new URL('build/', root), { recursive: true });
      const file = new URL(`build/readme-tfjs-${i + 1}.mjs`, root);
      writeFileSync(file, js(code));
      const out = execFileSync(process.execPath, [file.pathname], { cwd: root.pathname, encoding: 'utf8' });
      if (i === 0) expect(out).toBe('true\ntrue\n');
      else expect(out).toMatch(/^\[ null, 5 \] softmax\nSequential\(rnn: LSTM\(.*numLayers 2.*\), dropout: Dropout\(p 0\.25\), rnn1: LSTM\(.*\), head: Linear\(.*\)\)\n$/);
    }, 60_000);
  });
});

describe('importKeras @example', () => {
  beforeAll(() => init());
  it('runs as written', async () => {
    const text = readFileSync(new URL('src/interop/keras.ts', root), 'utf8');
    const m = /@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/.exec(text)!;
    // its imports come from the modules it names, the rest (importKeras) from rnn-wasm/interop
    const modules: Record<string, Record<string, unknown>> = { 'node:fs': fs };
    const scope: Record<string, unknown> = { ...interop };
    const code = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n')
      .replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_, names: string, mod: string) => {
        for (const n of names.split(',').map((x) => x.trim())) scope[n] = modules[mod][n];
        return '';
      });
    expect(Object.keys(scope)).toContain('readFileSync');
    const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction(...Object.keys(scope), js(code))(...Object.values(scope));
  });
});
