// Builds dist/ from src/ (after `asc` has built build/*.wasm):
//  - ESM, one module graph with shared chunks, so `rnn-wasm`, `rnn-wasm/train`, `rnn-wasm/node`,
//    `rnn-wasm/worker`, `rnn-wasm/interop`, `rnn-wasm/seq2seq` and `rnn-wasm/sketch` share one runtime (one wasm instance, one arena, one init);
//    one entry per runtime (Node, web, workerd) that differ only in how init() finds the wasm
//  - CommonJS for require(): one bundle of everything in dist/cjs/, and per-entry files that
//    re-export its names (again one shared runtime)
//  - declarations (tsc) in dist/types/, copied to dist/cjs/types/ where a package.json with
//    "type": "commonjs" makes TypeScript read them as CommonJS
//  - the two .wasm builds beside the entries, where new URL('./rnn.wasm', import.meta.url) finds them
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url).pathname;
const DIST = `${ROOT}dist/`;
rmSync(DIST, { recursive: true, force: true });

const common = {
  bundle: true,
  target: 'es2022',
  external: ['node:*', '*.wasm'],
  logLevel: 'warning',
  legalComments: 'none',
};

const ENTRIES = {
  'index.node': 'src/index.ts',
  'index.web': 'src/index.web.ts',
  'index.workerd': 'src/index.workerd.ts',
  train: 'src/train/index.ts',
  node: 'src/node.ts',
  worker: 'src/worker/index.ts',
  interop: 'src/interop/index.ts',
  seq2seq: 'src/seq2seq.ts',
  sketch: 'src/sketch/index.ts',
  cli: 'src/cli.ts',
};
const esm = await build({
  ...common,
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  outdir: DIST,
  format: 'esm',
  platform: 'neutral',
  splitting: true,
  chunkNames: 'shared-[hash]',
  metafile: true,
});
// esbuild keeps chunk evaluation order with bare `import "./shared-….js"` lines; with
// "sideEffects": false bundlers drop them anyway and warn once per line. Nothing in dist/ needs
// that order: every chunk a module uses is also imported by name.
for (const out of Object.keys(esm.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const file = `${ROOT}${out}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^import "\.\/shared-[A-Z0-9]+\.js";\n/gm, ''));
}
chmodSync(`${DIST}cli.js`, 0o755);

// CommonJS has no import.meta.url: it is defined as the URL of a file in dist/ (index.cjs, which
// need not exist), so that new URL('./rnn.wasm', import.meta.url) finds the wasm there.
await build({
  ...common,
  absWorkingDir: ROOT,
  stdin: {
    contents: ['index', 'train/index', 'node', 'worker/index', 'interop/index', 'seq2seq', 'sketch/index'].map((m) => `export * from './src/${m}.js';`).join('\n'),
    resolveDir: ROOT,
    sourcefile: 'rnn-wasm.cjs.ts',
    loader: 'ts',
  },
  outfile: `${DIST}cjs/rnn-wasm.js`,
  format: 'cjs',
  platform: 'node',
  define: { 'import.meta.url': '__rnnWasmModuleUrl' },
  banner: { js: "const __rnnWasmModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'index.cjs')).href;" },
});
writeFileSync(`${DIST}cjs/package.json`, '{ "type": "commonjs" }\n');
for (const [name, src] of Object.entries(ENTRIES)) {
  if (name === 'cli' || name.startsWith('index.') && name !== 'index.node') continue;
  const out = Object.entries(esm.metafile.outputs).find(([, o]) => o.entryPoint === src)[1];
  const file = name === 'index.node' ? 'index' : name;
  writeFileSync(`${DIST}cjs/${file}.js`, `'use strict';\nconst all = require('./rnn-wasm.js');\n${out.exports.map((n) => `exports.${n} = all.${n};`).join('\n')}\n`);
}

execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`], { stdio: 'inherit' });
cpSync(`${DIST}types`, `${DIST}cjs/types`, { recursive: true });
for (const f of ['rnn.wasm', 'rnn-relaxed.wasm', 'rnn-threads.wasm', 'rnn-threads-relaxed.wasm']) copyFileSync(`${ROOT}build/${f}`, `${DIST}${f}`);
