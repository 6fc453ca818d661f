// What users ship, in bytes: each package entry bundled for the browser as a user's bundler
// would (esbuild --bundle --minify, format esm, the package's "browser" build), plus the wasm
// it loads; raw and gzipped (level 9), as a server sends them. `npm run size` prints the table
// and checks the budgets; test/package/size.test.ts holds them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * The budgets of the issue "Runs everywhere it claims to" (kB = 1,000 bytes), for what a page
 * loads by default. Where threads run (a cross-origin isolated page) init() also loads the pool
 * (a chunk of its own) and the threaded build instead, 4 kB more: that page has its own budget.
 */
export const BUDGET = { wasm: 64_000, entryMin: 100_000, entryGz: 40_000, threadedMin: 105_000 };

export interface EntrySize {
  /** The import specifier. */
  entry: string;
  /** Minified JS of the entry and everything it imports statically: what a page loads at once. */
  jsMin: number;
  jsGz: number;
  /** Minified JS it imports only when needed (dynamic import()): the threads pool. */
  lazyMin: number;
  lazyGz: number;
}

export interface Sizes {
  /** Each .wasm build: the one init() loads is one of them. */
  wasm: { file: string; bytes: number; gz: number }[];
  entries: EntrySize[];
  /** `rnn-wasm` JS + the larger single-threaded build: what a page that imports the package loads. */
  total: { min: number; gz: number };
  /** The same where threads run (a cross-origin isolated page): + the pool's chunk, the larger threaded build instead. */
  threaded: { min: number; gz: number };
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

/**
 * Bundle an entry of dist/ (or several, as one app importing them all) as a bundler that splits
 * dynamic imports into chunks of their own (Vite, webpack, Rollup) does, and measure what loads at
 * once (the entry and its static imports) and what loads only when asked for (dynamic imports).
 */
export async function bundleSize(files: string[]): Promise<{ min: number; gz: number; lazyMin: number; lazyGz: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rnn-wasm-size-'));
  try {
    const entry = path.join(dir, 'app.js');
    writeFileSync(entry, files.map((f) => `export * from ${JSON.stringify(DIST + f)};`).join('\n'));
    const r = await build({
      entryPoints: [entry], outdir: path.join(dir, 'out'), bundle: true, minify: true, splitting: true, format: 'esm',
      platform: 'browser', external: ['node:*', '*.wasm'], write: false, metafile: true, logLevel: 'error',
    });
    const outputs = r.metafile!.outputs;
    const key = (p: string) => path.relative(process.cwd(), p);
    const contents = new Map(r.outputFiles.map((f) => [key(f.path), f.contents]));
    const start = Object.keys(outputs).find((o) => outputs[o].entryPoint)!;
    const eager = new Set<string>(), lazy = new Set<string>();
    const walk = (o: string, set: Set<string>) => {
      if (eager.has(o) || set.has(o)) return;
      set.add(o);
      for (const i of outputs[o].imports) {
        if (i.external) continue;
        if (i.kind === 'dynamic-import') walk(i.path, lazy);
        else walk(i.path, set);
      }
    };
    walk(start, eager);
    const sum = (set: Set<string>, f: (b: Uint8Array) => number) => [...set].filter((o) => !(set === lazy && eager.has(o))).reduce((n, o) => n + f(contents.get(o)!), 0);
    return { min: sum(eager, (b) => b.length), gz: sum(eager, gz), lazyMin: sum(lazy, (b) => b.length), lazyGz: sum(lazy, gz) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureSizes(): Promise<Sizes> {
  const wasm = ['rnn.wasm', 'rnn-relaxed.wasm', 'rnn-threads.wasm', 'rnn-threads-relaxed.wasm'].map((file) => {
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
    entries.push({ entry, jsMin: s.min, jsGz: s.gz, lazyMin: s.lazyMin, lazyGz: s.lazyGz });
  }
  const biggest = (threaded: boolean) => wasm.filter((w) => w.file.includes('threads') === threaded).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const core = entries[0];
  return {
    wasm, entries,
    total: { min: core.jsMin + biggest(false).bytes, gz: core.jsGz + biggest(false).gz },
    threaded: { min: core.jsMin + core.lazyMin + biggest(true).bytes, gz: core.jsGz + core.lazyGz + biggest(true).gz },
  };
}

/** The budget lines, each with whether it holds. */
export function checkBudgets(s: Sizes): { what: string; value: number; limit: number; ok: boolean }[] {
  const line = (what: string, value: number, limit: number) => ({ what, value, limit, ok: value <= limit });
  return [
    ...s.wasm.map((w) => line(`${w.file}`, w.bytes, BUDGET.wasm)),
    line('rnn-wasm JS + wasm, minified', s.total.min, BUDGET.entryMin),
    line('rnn-wasm JS + wasm, gzipped', s.total.gz, BUDGET.entryGz),
    line('rnn-wasm JS + threads + threaded wasm, minified', s.threaded.min, BUDGET.threadedMin),
    line('rnn-wasm JS + threads + threaded wasm, gzipped', s.threaded.gz, BUDGET.entryGz),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = await measureSizes();
  const n = (x: number) => x.toLocaleString('en-US').padStart(9);
  console.log(`${'bytes'.padEnd(32)} minified   gzipped`);
  for (const w of s.wasm) console.log(`${w.file.padEnd(32)}${n(w.bytes)} ${n(w.gz)}`);
  for (const e of s.entries) console.log(`${(e.entry + ' JS').padEnd(32)}${n(e.jsMin)} ${n(e.jsGz)}${e.lazyMin ? `   + ${e.lazyMin.toLocaleString('en-US')} (${e.lazyGz.toLocaleString('en-US')}) loaded for threads` : ''}`);
  console.log(`${'rnn-wasm JS + wasm'.padEnd(32)}${n(s.total.min)} ${n(s.total.gz)}`);
  console.log(`${'… with threads'.padEnd(32)}${n(s.threaded.min)} ${n(s.threaded.gz)}`);
  console.log('\nbudgets:');
  let failed = false;
  for (const b of checkBudgets(s)) {
    console.log(`  ${b.ok ? 'ok  ' : 'OVER'} ${b.what}: ${b.value.toLocaleString('en-US')} ≤ ${b.limit.toLocaleString('en-US')}`);
    failed ||= !b.ok;
  }
  process.exitCode = failed ? 1 : 0;
}
