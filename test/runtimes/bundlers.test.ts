// The packed package through the bundlers people use, for real: the one small app in
// test/runtimes/bundlers/ (init() with no options, Embedding → LSTM → Linear trained by Trainer,
// a prediction) is built by Vite, webpack 5 and Rollup from each one's config file beside it,
// served from build/bundlers/<name> on localhost and run in headless Chromium; and once more on
// Vite's dev server. Each page must load the relaxed-SIMD build the bundler emitted, fetch it
// once, log no error, and compute the very bits Node computes with that build.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gz } from '../../tools/size.js';
import { CHROMIUM, hasChromium, launchChromium, serve } from '../support/browser.js';
import { CONSUMER, ROOT, WASM_BUILDS } from '../support/consumer.js';

const SRC = fileURLToPath(new URL('./bundlers/', import.meta.url));
/** The app's sources, copied into the consumer project so that 'rnn-wasm' resolves to the packed package. */
const APP = path.join(CONSUMER, 'bundlers-app');
const OUT = path.join(ROOT, 'build/bundlers');
const requireFromApp = createRequire(path.join(APP, 'package.json'));
/** The package's two builds, as installed. */
const packaged = Object.fromEntries(WASM_BUILDS.map((f) => [f, readFileSync(requireFromApp.resolve(`rnn-wasm/${f}`))])) as
  Record<(typeof WASM_BUILDS)[number], Buffer>;

/** What the app computes (app.js), and what runtimeInfo() said. */
interface Result {
  info: { simd: 'relaxed' | 'plain'; source: string };
  losses: number[];
  gradNorms: number[];
  prediction: number[];
}
const numbers = ({ losses, gradNorms, prediction }: Result) => ({ losses, gradNorms, prediction });

/** The app in Node (node.js) on the packed package and one wasm file, relaxed SIMD enabled whatever this process has. */
async function runInNode(wasm: string, simd: 'relaxed' | 'plain'): Promise<Result> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-wasm-relaxed-simd', path.join(APP, 'node.js'), wasm, simd], { cwd: APP });
  return JSON.parse(stdout) as Result;
}

/** A config file of the app, as its bundler would load it. */
async function config<T>(file: string): Promise<T> {
  return ((await import(pathToFileURL(path.join(APP, file)).href)) as { default: T }).default;
}

/** Build the app into `out`; resolves with the bundler's version and every warning it gave. */
type Builder = (out: string) => Promise<{ version: string; warnings: string[] }>;

const BUILDERS: Record<string, Builder> = {
  async vite(out) {
    const { build, createLogger, version } = await import('vite');
    const warnings: string[] = [];
    const customLogger = { ...createLogger('silent'), warn: (m: string) => void warnings.push(m), warnOnce: (m: string) => void warnings.push(m) };
    await build({ root: APP, configFile: path.join(APP, 'vite.config.js'), logLevel: 'warn', customLogger, build: { outDir: out, emptyOutDir: true } });
    return { version, warnings };
  },
  async webpack(out) {
    const { default: webpack } = await import('webpack');
    const base = await config<import('webpack').Configuration>('webpack.config.js');
    const compiler = webpack({ ...base, output: { ...base.output, path: out } });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
      compiler.run((err, s) => compiler.close(() => (err || !s ? reject(err) : resolve(s)))));
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    copyFileSync(path.join(APP, 'index.html'), path.join(out, 'index.html')); // after output.clean
    return { version: webpack.version ?? '?', warnings: (stats.toJson({ all: false, warnings: true }).warnings ?? []).map((w) => w.message) };
  },
  async rollup(out) {
    const { rollup, VERSION } = await import('rollup');
    const base = await config<import('rollup').RollupOptions & { output: import('rollup').OutputOptions }>('rollup.config.js');
    const warnings: string[] = [];
    rmSync(out, { recursive: true, force: true });
    const bundle = await rollup({ ...base, onwarn: (w) => void warnings.push(w.message) });
    await bundle.write({ ...base.output, dir: out });
    await bundle.close();
    copyFileSync(path.join(APP, 'index.html'), path.join(out, 'index.html'));
    return { version: VERSION, warnings };
  },
};

/** Every file under a folder, relative to it. */
const filesIn = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));

/** Bytes and gzip bytes of what a bundler emitted, per kind. */
interface Sizes { bundler: string; version: string; js: number; jsGz: number; wasm: number; wasmGz: number }
const sizes: Sizes[] = [];

/** Console errors and uncaught exceptions of a page, and the .wasm URLs it requested. */
interface PageRun { result: Result; problems: string[]; wasmRequests: string[] }

let browser: Browser;
let relaxedInNode: Promise<Result>;
let plainInNode: Promise<Result>;

/** Open `url` in a fresh context (empty cache) and wait for the app's #result, or fail with its #error. */
async function runInChromium(url: string): Promise<PageRun> {
  const page = await browser.newPage();
  const problems: string[] = [], wasmRequests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('.wasm')) wasmRequests.push(r.url()); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('result')?.textContent || document.getElementById('error')?.textContent,
      undefined, { timeout: 20_000 });
    const error = await page.textContent('#error');
    if (error) throw new Error(`the page failed: ${error}`);
    return { result: JSON.parse((await page.textContent('#result')) ?? '') as Result, problems, wasmRequests };
  } finally {
    await page.context().close();
  }
}

beforeAll(async () => {
  if (!hasChromium()) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium: apt-get install chromium`);
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });
  for (const f of readdirSync(SRC)) copyFileSync(path.join(SRC, f), path.join(APP, f));
  relaxedInNode = runInNode(requireFromApp.resolve('rnn-wasm/rnn-relaxed.wasm'), 'relaxed');
  plainInNode = runInNode(requireFromApp.resolve('rnn-wasm/rnn.wasm'), 'plain');
  browser = await launchChromium();
}, 20_000);

afterAll(async () => {
  await browser?.close();
  if (sizes.length === 0) return;
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  console.log([
    'bundler          JS (gzip)              wasm fetched (gzip)    total (gzip)',
    ...sizes.map((s) => `${`${s.bundler} ${s.version}`.padEnd(17)}${`${kB(s.js)} (${kB(s.jsGz)})`.padEnd(23)}` +
      `${`${kB(s.wasm)} (${kB(s.wasmGz)})`.padEnd(23)}${kB(s.js + s.wasm)} (${kB(s.jsGz + s.wasmGz)})`),
  ].join('\n'));
});

describe('the packed package in apps built by real bundlers, run in headless Chromium', () => {
  it('(Node) the app on the relaxed and on the plain build: finite losses that fall, and bits that tell the builds apart', async () => {
    const [relaxed, plain] = await Promise.all([relaxedInNode, plainInNode]);
    expect(relaxed.losses).toHaveLength(6); // 12 windows in batches of 4, two epochs
    expect([...relaxed.losses, ...relaxed.gradNorms, ...relaxed.prediction].every(Number.isFinite)).toBe(true);
    expect(relaxed.losses[5]).toBeLessThan(relaxed.losses[0]);
    expect(relaxed.prediction).toHaveLength(2 * 10 * 7);
    // fused and unfused multiply-adds round differently: equality with one build below is not luck
    expect(numbers(relaxed)).not.toEqual(numbers(plain));
  }, 10_000);

  it.each(Object.keys(BUILDERS))('%s: builds without warnings, emits the four wasm builds unchanged, and the page computes the bits Node does', async (name) => {
    const out = path.join(OUT, name);
    const { version, warnings } = await BUILDERS[name](out);
    expect(warnings).toEqual([]);

    const files = filesIn(out);
    const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(path.join(out, f)));
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    // every build, byte for byte: the page picks one at run time (an engine without relaxed SIMD needs
    // rnn.wasm; a cross-origin isolated page loads a threaded one)
    const sameAs = (f: string) => WASM_BUILDS.find((b) => packaged[b].equals(readFileSync(path.join(out, f)))) ?? `${f}: none of the package's`;
    expect(wasm.map(sameAs).sort()).toEqual([...WASM_BUILDS].sort());
    // the browser entry, not the Node one (which imports node:fs)
    expect(js.filter((b) => /["']node:/.test(b.toString()))).toEqual([]);

    const server = await serve(out);
    try {
      const { result, problems, wasmRequests } = await runInChromium(server.url);
      // init() with no options, in an engine with relaxed SIMD: the relaxed build, from where the bundler put it
      expect(result.info.simd).toBe('relaxed');
      const fetched = server.requests.filter((p) => p.endsWith('.wasm'));
      expect(fetched).toHaveLength(1);
      expect(wasmRequests).toEqual([`${server.url}${fetched[0].slice(1)}`]);
      expect(result.info.source).toBe(wasmRequests[0]);
      const served = readFileSync(path.join(out, fetched[0]));
      expect(served.equals(packaged['rnn-relaxed.wasm']), `${fetched[0]} is not the package's rnn-relaxed.wasm`).toBe(true);
      expect(problems).toEqual([]);
      expect(numbers(result)).toEqual(numbers(await relaxedInNode));

      const s: Sizes = {
        bundler: name, version,
        js: js.reduce((n, b) => n + b.length, 0), jsGz: js.reduce((n, b) => n + gz(b), 0),
        wasm: served.length, wasmGz: gz(served),
      };
      sizes.push(s);
      // minified: core + train today ~81 kB (26 kB gzipped); the budget leaves room, not a regression
      expect(s.js).toBeLessThanOrEqual(110_000);
      expect(s.jsGz).toBeLessThanOrEqual(36_000);
      expect(s.js + s.wasm).toBeLessThanOrEqual(150_000);
      expect(s.jsGz + s.wasmGz).toBeLessThanOrEqual(48_000);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("Vite's dev server: pre-bundling keeps the wasm URL right with no configuration, one fetch, the same bits", async () => {
    const { createServer } = await import('vite');
    const dev = await createServer({
      root: APP, configFile: path.join(APP, 'vite.config.js'), logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      optimizeDeps: { force: true }, // pre-bundle afresh: no cache of an earlier run
    });
    try {
      await dev.listen();
      const { result, problems, wasmRequests } = await runInChromium(dev.resolvedUrls!.local[0]);
      expect(result.info.simd).toBe('relaxed');
      expect(wasmRequests).toEqual([result.info.source]);
      // served from the installed package itself, not from a copy in Vite's cache
      expect(new URL(result.info.source).pathname).toBe(`/@fs${requireFromApp.resolve('rnn-wasm/rnn-relaxed.wasm')}`);
      expect(problems).toEqual([]);
      expect(numbers(result)).toEqual(numbers(await relaxedInNode));
    } finally {
      await dev.close();
    }
  }, 30_000);
});
