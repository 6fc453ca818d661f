// Headless Chromium runs the packed package as a web application would: a page bundled by
// esbuild from `import … from 'rnn-wasm'` and 'rnn-wasm/train', the .wasm fetched over http.
// It trains and predicts with the same seeds as this Node process, on the same wasm build, and
// must get the same bits: the same module on the same CPU is deterministic across engines.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dropout, Embedding, GRU, init, Linear, LSTM, runtimeInfo, Sequential, type RuntimeInfo } from '../../src/index.js';
import { splitDataset, textDataset, Trainer } from '../../src/train/index.js';
import { CHROMIUM, hasChromium, launchChromium, serve } from '../support/browser.js';
import { CONSUMER, copyWasmBuilds, ROOT } from '../support/consumer.js';
import { trainAndPredict, trainAndPredictLarge, type Trace } from './browser/workload.js';

const PAGE_SRC = fileURLToPath(new URL('./browser/', import.meta.url));
const OUT = path.join(ROOT, 'build/browser-test');
type Simd = RuntimeInfo['simd'];
const wasmFile = (simd: Simd) => (simd === 'relaxed' ? 'rnn-relaxed.wasm' : 'rnn.wasm');
// runtimeInfo().threadsNote on a page served without COOP/COEP headers
const NOT_ISOLATED = 'SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with the headers ' +
  'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';

/** What page.js puts on `window.rnnTest`. */
interface PageApi {
  train(simd: Simd): Promise<{ info: RuntimeInfo; trace: Trace }>;
  threads(simd: Simd): Promise<{ info: RuntimeInfo; crossOriginIsolated: boolean; traces: { threads: number; trace: Trace }[] }>;
  missingThenRetry(simd: Simd): Promise<{
    failure?: { isWasmLoadError: boolean; name: string; message: string; initialized: boolean };
    info: RuntimeInfo;
    output: Float32Array;
  }>;
}

/**
 * Bundle page.js for browsers as an application's build would, and lay out what a server serves.
 * The page's sources are copied into the consumer project first: inside this repository esbuild
 * resolves 'rnn-wasm' to the repository itself (a package may import itself by its name), never
 * to the installed one. Returns esbuild's metafile.
 */
async function buildPage(): Promise<Metafile> {
  const app = path.join(CONSUMER, 'browser-app');
  for (const dir of [OUT, app]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  for (const f of ['page.js', 'workload.ts']) copyFileSync(path.join(PAGE_SRC, f), path.join(app, f));
  const { metafile, warnings } = await build({
    entryPoints: [path.join(app, 'page.js')],
    outfile: path.join(OUT, 'page.js'),
    absWorkingDir: path.resolve(ROOT), // metafile paths relative to the repository
    bundle: true,
    format: 'esm',
    platform: 'browser', // the "browser" export condition: dist/index.web.js
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
  });
  // any warning here is one a user's build would show too
  expect(warnings.map((w) => w.text)).toEqual([]);
  // esbuild leaves `new URL('./rnn.wasm', import.meta.url)` as it is (now relative to the bundle)
  // and copies nothing: esbuild users copy both builds next to their bundle, as done here
  copyWasmBuilds(OUT);
  copyFileSync(path.join(PAGE_SRC, 'index.html'), path.join(OUT, 'index.html'));
  return metafile;
}

/** Console errors and uncaught exceptions of a page. */
interface PageProblem { kind: 'console' | 'pageerror'; text: string; url?: string }

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serve>> | undefined;
let metafile: Metafile;
let simd: Simd;

/** A fresh page (fresh module state, so init() not yet called) with page.js loaded. */
async function openPage(at = server!): Promise<{ page: Page; problems: PageProblem[] }> {
  const page = await browser!.newPage();
  const problems: PageProblem[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url }); });
  page.on('pageerror', (e) => problems.push({ kind: 'pageerror', text: String(e) }));
  await page.goto(at.url);
  await page.waitForFunction(() => 'rnnTest' in window, undefined, { timeout: 5_000 });
  return { page, problems };
}

/** `window` in the page, for the functions page.evaluate sends there. */
type PageWindow = { rnnTest: PageApi };

/** The elements whose bits differ ("" when none), naming the first few with both values. */
function bitDifferences(what: string, got: unknown, want: Float32Array | Float64Array): string {
  if (!(got instanceof want.constructor)) return `${what}: expected a ${want.constructor.name}, got ${Object.prototype.toString.call(got)}`;
  const g = got as Float32Array | Float64Array;
  if (g.length !== want.length) return `${what}: length ${g.length}, expected ${want.length}`;
  const words = want.BYTES_PER_ELEMENT / 4;
  const gb = new Uint32Array(g.buffer, g.byteOffset, g.length * words);
  const wb = new Uint32Array(want.buffer, want.byteOffset, want.length * words);
  const differ: number[] = [];
  for (let i = 0; i < want.length; i++) {
    for (let w = 0; w < words; w++) if (gb[i * words + w] !== wb[i * words + w]) { differ.push(i); break; }
  }
  if (differ.length === 0) return '';
  const shown = differ.slice(0, 3).map((i) => `[${i}] ${g[i]} vs ${want[i]}`).join(', ');
  return `${what}: ${differ.length} of ${want.length} differ: ${shown}`;
}

/** Every difference between the page's trace and Node's, one line per quantity. */
function traceDifferences(page: Trace, node: Trace): string[] {
  const out = (['losses', 'gradNorms', 'lrs', 'valLosses', 'prediction'] as const).map((k) => bitDifferences(k, page[k], node[k]));
  if (page.sample !== node.sample) out.push(`sample: "${page.sample}" vs "${node.sample}"`);
  expect(Object.keys(page.weights)).toEqual(Object.keys(node.weights));
  for (const [name, w] of Object.entries(node.weights)) out.push(bitDifferences(name, page.weights[name], w));
  return out.filter(Boolean);
}

beforeAll(async () => {
  if (!hasChromium()) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium: apt-get install chromium`);
  await init(); // the build this vitest pass runs on (relaxed under RNN_WASM_SIMD=relaxed); the page is asked for the same
  simd = runtimeInfo().simd;
  metafile = await buildPage();
  [browser, server] = await Promise.all([launchChromium(), serve(OUT)]);
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('in headless Chromium, the packed package bundled by esbuild', () => {
  it("resolves 'rnn-wasm' to the installed package's browser entry, and 'rnn-wasm/train' to its train.js", () => {
    const inputs = Object.keys(metafile.inputs);
    const pkg = 'build/consumer/node_modules/rnn-wasm/dist/';
    expect(inputs).toContain(`${pkg}index.web.js`);
    expect(inputs).toContain(`${pkg}train.js`);
    expect(inputs.filter((f) => /\/index\.(node|workerd)\.js$/.test(f))).toEqual([]);
    // nothing of the repository's src/ or dist/ (and the package has no dependencies)
    expect(inputs.filter((f) => !f.startsWith('build/consumer/'))).toEqual([]);
  }, 1_000);

  it('trains and predicts bit-identically to Node on the same wasm build, loading that build over http with no console errors', async () => {
    const file = wasmFile(simd);
    // Node reads build/, the page the packed dist/: the comparison means something only if they are one file
    expect(readFileSync(path.join(OUT, file)).equals(readFileSync(path.join(ROOT, 'build', file))), `packed ${file} differs from build/${file}: run npm run build`).toBe(true);

    const { page, problems } = await openPage();
    const fromPage = await page.evaluate((mode) => (window as unknown as PageWindow).rnnTest.train(mode), simd);
    const fromNode = await trainAndPredict({ Sequential, Embedding, LSTM, Dropout, GRU, Linear }, { Trainer, textDataset, splitDataset });

    // a page without COOP/COEP headers has no SharedArrayBuffer: the single-threaded build, and why
    expect(fromPage.info).toEqual({ simd, build: 'single', source: `${server!.url}${file}`, threads: 1, cores: expect.any(Number), threadsNote: NOT_ISOLATED });
    // not vacuous: ten finite updates that learned something
    expect(fromNode.losses).toHaveLength(10);
    expect(fromNode.losses.every(Number.isFinite)).toBe(true);
    expect(fromNode.losses[9]).toBeLessThan(fromNode.losses[0]);
    expect(traceDifferences(fromPage.trace, fromNode)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 10_000);

  it('on a cross-origin isolated page (COOP/COEP): the threaded build on Web Workers, the same bits on 1 and 2 threads as Node', async () => {
    const isolated = await serve(OUT, { isolated: true });
    try {
      const { page, problems } = await openPage(isolated);
      const r = await page.evaluate((mode) => (window as unknown as PageWindow).rnnTest.threads(mode), simd);
      const file = simd === 'relaxed' ? 'rnn-threads-relaxed.wasm' : 'rnn-threads.wasm';
      expect(r.crossOriginIsolated).toBe(true);
      expect(r.info).toEqual({ simd, build: 'threads', source: `${isolated.url}${file}`, threads: Math.min(r.info.cores, 8), cores: r.info.cores });
      expect(r.info.cores).toBeGreaterThanOrEqual(2); // this machine's: the pool really has a worker
      expect(r.traces.map((t) => t.threads)).toEqual([1, 2]);
      // the pool's worker is a Web Worker of the page, started from a blob: URL
      expect(page.workers().map((w) => w.url()).filter((u) => u.startsWith('blob:'))).toHaveLength(1);
      const fromNode = await trainAndPredictLarge({ Sequential, Embedding, LSTM, Dropout, GRU, Linear }, { Trainer, textDataset, splitDataset });
      expect(fromNode.losses).toHaveLength(6);
      expect(fromNode.losses[5]).toBeLessThan(fromNode.losses[0]);
      for (const { trace } of r.traces) expect(traceDifferences(trace, fromNode)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await isolated.close();
    }
  }, 30_000);

  it('init() from a URL that answers 404 rejects with a WasmLoadError naming it, and a retry with the right URL works', async () => {
    const { page, problems } = await openPage();
    const r = await page.evaluate((mode) => (window as unknown as PageWindow).rnnTest.missingThenRetry(mode), simd);
    const missing = `${server!.url}missing.wasm`;

    expect(r.failure).toEqual({
      isWasmLoadError: true, name: 'WasmLoadError', initialized: false,
      message: `fetching ${missing} failed: HTTP 404 Not Found`,
    });
    expect(r.info).toEqual({ simd, build: 'single', source: `${server!.url}${wasmFile(simd)}`, threads: 1, cores: expect.any(Number), threadsNote: NOT_ISOLATED });
    expect(r.output).toHaveLength(2 * 3);
    expect(r.output.every(Number.isFinite)).toBe(true);
    // the browser's own report of the failed fetch is the only console error
    expect(problems).toEqual([{ kind: 'console', text: expect.stringMatching(/status of 404/), url: missing }]);
    await page.close();
  }, 5_000);
});
