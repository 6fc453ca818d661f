// The packed package (build/consumer) on edge runtimes, for real: a Cloudflare Worker bundled as
// Wrangler bundles it and run by workerd (through miniflare), and the same fetch handler run by
// Deno. Both must answer exactly what Node computes for the same saved model.
// Tested with workerd 1.20260426.1 (miniflare 4.20260426.0) and Deno 2.9.5 (V8 15.0.245.2).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, Linear, LSTM, runtimeInfo, save, Sequential, ShapeError } from '../../src/index.js';
import { CONSUMER, copyWasmBuilds, PACKAGE, ROOT } from '../support/consumer.js';
import { parityError, PARITY_TOLERANCE } from '../support/metric.js';
import { randoms } from '../support/wasm.js';

const SOURCES = path.join(ROOT, 'test/runtimes/edge');
const DENO = path.join(ROOT, 'node_modules/.bin/deno');

type Build = 'relaxed' | 'plain';
interface Answer { status: number; body: { output?: number[]; error?: string; message?: string; simd?: Build; source?: string } }

// Three inputs: one unbatched sequence, a batch, and a longer batch (I = 3 features).
const CASES = [[5, 3], [7, 3, 3], [40, 2, 3]].map((shape, i) => ({
  shape,
  x: Array.from(randoms(shape.reduce((a, b) => a * b), 100 + i)),
}));
const BAD = { x: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 4] }; // 4 features where the model takes 3

let modelFile: Uint8Array;
let nodeBuild: Build;
let expected: number[][]; // Node's predictions, through JSON as the runtimes send them
let badMessage: string;

beforeAll(async () => {
  await init();
  nodeBuild = runtimeInfo().simd;
  const model = new Sequential([
    new LSTM({ inputSize: 3, hiddenSize: 16, numLayers: 2, seed: 7 }),
    new Linear({ inFeatures: 16, outFeatures: 2, seed: 8 }),
  ]);
  modelFile = save(model);
  expected = CASES.map(({ x, shape }) => JSON.parse(JSON.stringify(Array.from(model.predict(x, { shape })))) as number[]);
  try {
    model.predict(BAD.x, { shape: BAD.shape });
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    badMessage = (e as Error).message;
  }
  expect(badMessage).toMatch(/shape/);
  model.dispose();
});

/**
 * The runtime's predictions equal Node's bit for bit on the same wasm build. Across builds they
 * differ in the last bits (relaxed fuses multiply-add: one rounding instead of two), so there
 * they must agree to the parity tolerance the builds meet against PyTorch.
 */
function expectNodePredictions(answers: Answer[], build: Build, want = expected): void {
  expect(answers.map((a) => a.status)).toEqual(want.map(() => 200));
  const outputs = answers.map((a) => a.body.output!);
  if (build === nodeBuild) {
    expect(outputs).toEqual(want);
  } else {
    outputs.forEach((o, i) => expect(parityError(o, want[i])).toBeLessThan(PARITY_TOLERANCE));
  }
}

describe('Cloudflare Worker (workerd via miniflare)', () => {
  const dir = path.join(CONSUMER, 'edge-worker');
  const out = path.join(dir, 'dist');
  let mf: Miniflare | undefined;
  let bundled: string[]; // the bundle's input files, relative to build/consumer

  beforeAll(async () => {
    // The user's project sits beside build/consumer/node_modules, so 'rnn-wasm' is the packed package.
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    for (const f of ['app.js', 'worker.js']) copyFileSync(path.join(SOURCES, f), path.join(dir, 'src', f));
    // Wrangler's settings: its export conditions, .wasm and data files left as imports for workerd.
    const { metafile } = await build({
      absWorkingDir: CONSUMER,
      metafile: true,
      entryPoints: [path.join(dir, 'src/worker.js')],
      outfile: path.join(out, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      external: ['*.wasm', '*.safetensors'],
      logLevel: 'silent',
    });
    bundled = Object.keys(metafile.inputs);
    // What Wrangler uploads beside the bundle: the package's wasm builds and the model.
    copyWasmBuilds(out);
    writeFileSync(path.join(out, 'model.safetensors'), modelFile);

    const worker = (name: 'auto' | 'plain', bindings: Record<string, string>): WorkerOptions => ({
      name,
      routes: [`${name}.worker.test/*`],
      scriptPath: path.join(out, 'worker.js'),
      modules: true,
      modulesRoot: out,
      modulesRules: [
        { type: 'ESModule', include: ['**/*.js'] },
        { type: 'CompiledWasm', include: ['**/*.wasm'] },
        { type: 'Data', include: ['**/*.safetensors'] },
      ],
      compatibilityDate: '2026-04-01',
      bindings,
    });
    // 'auto' is the Worker as users deploy it; 'plain' pins the plain build (see worker.js).
    // Each gets its own route, so dispatchFetch reaches it as a real request would.
    mf = new Miniflare({ workers: [worker('auto', {}), worker('plain', { SIMD: 'plain' })] });
    await mf.ready;
  }, 30_000);

  afterAll(async () => {
    await mf?.dispose();
  });

  async function ask(worker: 'auto' | 'plain', method: string, pathname: string, body?: string): Promise<Answer> {
    const response = await mf!.dispatchFetch(`http://${worker}.worker.test${pathname}`, { method, body });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  it('init() with no options instantiates the bundled, precompiled module (relaxed build where workerd validates it)', async () => {
    expect(bundled).toContain('node_modules/rnn-wasm/dist/index.workerd.js'); // the `workerd` condition of the packed package
    expect(bundled).not.toContain('node_modules/rnn-wasm/dist/index.web.js');
    const auto = await ask('auto', 'GET', '/info');
    expect(auto.status).toBe(200);
    expect(auto.body.simd).toBe('relaxed'); // workerd's V8 ships relaxed SIMD
    expect(auto.body.source).toBe('the bundled rnn-relaxed.wasm');
    const plain = await ask('plain', 'GET', '/info');
    // one thread, and why: the single-threaded build, never the threaded one
    expect(plain.body).toEqual({
      simd: 'plain', build: 'single', source: 'the bundled rnn.wasm', threads: 1, cores: 1,
      threadsNote: 'Cloudflare Workers run one thread (no Web Workers or shared memory)',
    });
  }, 10_000);

  it("answers POST /predict with Node's predictions for the saved model, on both builds", async () => {
    for (const w of ['auto', 'plain'] as const) {
      const answers = await Promise.all(CASES.map((c) => ask(w, 'POST', '/predict', JSON.stringify(c))));
      expectNodePredictions(answers, w === 'plain' ? 'plain' : 'relaxed');
    }
  }, 10_000);

  it("answers a wrong shape (and a body that is not JSON) with 400 and the library's ShapeError message, and keeps serving", async () => {
    expect(await ask('auto', 'POST', '/predict', JSON.stringify(BAD))).toEqual({ status: 400, body: { error: 'ShapeError', message: badMessage } });
    expect(await ask('auto', 'POST', '/predict', '{"x": [1,')).toEqual({ status: 400, body: { error: 'BadRequest', message: 'the body is not JSON' } });
    expectNodePredictions([await ask('auto', 'POST', '/predict', JSON.stringify(CASES[0]))], 'relaxed', expected.slice(0, 1));
  }, 10_000);
});

describe('Deno', () => {
  const dir = path.join(CONSUMER, 'edge-deno');

  // One-shot: deno runs the handler on the requests in a file and prints the answers as JSON.
  async function runDeno(simd?: Build): Promise<{ entry: string; answers: Answer[] }> {
    const requests = [
      { method: 'GET', path: '/info' },
      ...CASES.map((body) => ({ method: 'POST', path: '/predict', body })),
      { method: 'POST', path: '/predict', body: BAD },
    ];
    const requestsFile = path.join(dir, `requests-${simd ?? 'auto'}.json`);
    writeFileSync(requestsFile, JSON.stringify(requests));
    const args = [
      'run', '--no-remote', '--no-lock', '--no-prompt', '--node-modules-dir=manual', `--allow-read=${CONSUMER}`,
      path.join(dir, 'deno.js'), path.join(dir, 'model.safetensors'), requestsFile, ...(simd ? [simd] : []),
    ];
    const { stdout } = await promisify(execFile)(DENO, args, {
      cwd: CONSUMER,
      timeout: 15_000,
      // offline and self-contained: no update check, caches under build/
      env: { ...process.env, DENO_DIR: path.join(CONSUMER, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    return JSON.parse(stdout) as { entry: string; answers: Answer[] };
  }

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    for (const f of ['app.js', 'deno.js']) copyFileSync(path.join(SOURCES, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'model.safetensors'), modelFile);
  });

  it("resolves bare 'rnn-wasm' from node_modules and answers Node's predictions, on both builds", async () => {
    const [auto, plain] = await Promise.all([runDeno(), runDeno('plain')]);
    // Deno resolves npm exports with the conditions 'deno', 'node', 'import': the Node entry,
    // which reads the wasm beside it through node:fs (hence --allow-read).
    expect(auto.entry).toBe(pathToFileURL(path.join(PACKAGE, 'dist/index.node.js')).href);
    for (const [{ answers }, build] of [[auto, 'relaxed'], [plain, 'plain']] as const) {
      const [info, ...rest] = answers;
      // Deno has worker_threads and shared memory: the threaded build, on every core (at most 8)
      const body = info.body as { cores: number };
      expect(info.body).toEqual({
        simd: build, build: 'threads', source: pathToFileURL(path.join(PACKAGE, 'dist', build === 'relaxed' ? 'rnn-threads-relaxed.wasm' : 'rnn-threads.wasm')).href,
        threads: Math.min(body.cores, 8), cores: body.cores,
      });
      expectNodePredictions(rest.slice(0, CASES.length), build);
      expect(rest[CASES.length]).toEqual({ status: 400, body: { error: 'ShapeError', message: badMessage } });
    }
  }, 20_000);
});
