// What users ship, in bytes: each package entry bundled for the browser as a user's bundler
// would (esbuild --bundle --minify, format esm, the package's "browser" build), plus the wasm
// it loads; raw and gzipped (level 9), as a server sends them. `npm run size` prints the table
// and checks the budgets; test/package/size.test.ts holds them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** The budgets of the issue "Runs everywhere it claims to" (kB = 1,000 bytes). */
export const BUDGET = { wasm: 64_000, entryMin: 100_000, entryGz: 40_000 };

export interface EntrySize {
  /** The import specifier. */
  entry: string;
  /** Minified JS of the entry and everything it imports. */
  jsMin: number;
  jsGz: number;
}

export interface Sizes {
  /** Each .wasm build: the one init() loads is one of them. */
  wasm: { file: string; bytes: number; gz: number }[];
  entries: EntrySize[];
  /** `rnn-wasm` JS + the larger wasm build: what a page that imports the package loads. */
  total: { min: number; gz: number };
}

/** Bytes gzipped at level 9, as a server would send them. */
export const gz = (b: Uint8Array): number => gzipSync(b, { level: 9 }).length;

/** An app's JS (`contents`, resolved from `resolveDir`) bundled and minified for browsers. */
export async function minifiedBundle(contents: string, resolveDir: string): Promise<Uint8Array> {
  const r = await build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', external: ['node:*', '*.wasm'], write: false, logLevel: 'error',
  });
  return r.outputFiles[0].contents;
}

/** Bundle an entry of dist/ (or several, as one app importing them all) and measure it. */
export async function bundleSize(files: string[]): Promise<{ min: number; gz: number }> {
  const js = await minifiedBundle(files.map((f) => `export * from ${JSON.stringify(DIST + f)};`).join('\n'), DIST);
  return { min: js.length, gz: gz(js) };
}

export async function measureSizes(): Promise<Sizes> {
  const wasm = ['rnn.wasm', 'rnn-relaxed.wasm'].map((file) => {
    const b = readFileSync(DIST + file);
    return { file, bytes: b.length, gz: gz(b) };
  });
  const specs: [string, string[]][] = [
    ['rnn-wasm', ['index.web.js']],
    ['rnn-wasm + /train', ['index.web.js', 'train.js']],
    ['rnn-wasm + /worker', ['index.web.js', 'worker.js']],
    ['rnn-wasm + /train + /worker', ['index.web.js', 'train.js', 'worker.js']],
    ['rnn-wasm + /seq2seq', ['index.web.js', 'seq2seq.js']],
    ['rnn-wasm + /interop', ['index.web.js', 'interop.js']],
    ['rnn-wasm + /sketch', ['index.web.js', 'sketch.js']],
  ];
  const entries: EntrySize[] = [];
  for (const [entry, files] of specs) {
    const s = await bundleSize(files);
    entries.push({ entry, jsMin: s.min, jsGz: s.gz });
  }
  const biggest = wasm.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { wasm, entries, total: { min: entries[0].jsMin + biggest.bytes, gz: entries[0].jsGz + biggest.gz } };
}

/** The budget lines, each with whether it holds. */
export function checkBudgets(s: Sizes): { what: string; value: number; limit: number; ok: boolean }[] {
  const line = (what: string, value: number, limit: number) => ({ what, value, limit, ok: value <= limit });
  return [
    ...s.wasm.map((w) => line(`${w.file}`, w.bytes, BUDGET.wasm)),
    line('rnn-wasm JS + wasm, minified', s.total.min, BUDGET.entryMin),
    line('rnn-wasm JS + wasm, gzipped', s.total.gz, BUDGET.entryGz),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = await measureSizes();
  const n = (x: number) => x.toLocaleString('en-US').padStart(9);
  console.log(`${'bytes'.padEnd(32)} minified   gzipped`);
  for (const w of s.wasm) console.log(`${w.file.padEnd(32)}${n(w.bytes)} ${n(w.gz)}`);
  for (const e of s.entries) console.log(`${(e.entry + ' JS').padEnd(32)}${n(e.jsMin)} ${n(e.jsGz)}`);
  console.log(`${'rnn-wasm JS + wasm'.padEnd(32)}${n(s.total.min)} ${n(s.total.gz)}`);
  console.log('\nbudgets:');
  let failed = false;
  for (const b of checkBudgets(s)) {
    console.log(`  ${b.ok ? 'ok  ' : 'OVER'} ${b.what}: ${b.value.toLocaleString('en-US')} ≤ ${b.limit.toLocaleString('en-US')}`);
    failed ||= !b.ok;
  }
  process.exitCode = failed ? 1 : 0;
}
