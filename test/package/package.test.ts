// The npm package as users get it (`npm pack` of dist/, unpacked into build/consumer by the
// global setup): what it contains, and that every entry loads and works from ESM, CommonJS and
// TypeScript (node16/nodenext resolution, both module kinds).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSUMER, packInfo, ROOT } from '../support/consumer.js';

const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
  exports: Record<string, unknown>; bin: Record<string, string>; dependencies?: Record<string, string>; scripts: Record<string, string>;
};

/** Every file path the exports map can resolve to. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')];
  return Object.values(value as Record<string, unknown>).flatMap(exportTargets);
}

function run(file: string, code: string, args: string[] = []): string {
  const full = path.join(CONSUMER, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, code);
  return execFileSync(process.execPath, [...args, full], { cwd: CONSUMER, encoding: 'utf8', timeout: 600_000 });
}

describe('npm package', () => {
  it('ships dist/, the PyTorch export script, package.json and the README only, with every export target and the bin inside', () => {
    const info = packInfo();
    const files = info.files.map((f) => f.path);
    console.log(`npm pack: ${files.length} files, ${(info.size / 1000).toFixed(1)} kB packed, ${(info.unpackedSize / 1000).toFixed(1)} kB unpacked`);
    for (const f of files) expect(f, f).toMatch(/^(dist\/|tools\/torch_export\.py$|package\.json$|README\.md$|LICENSE$)/);
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
    for (const target of [...exportTargets(pkg.exports), ...Object.values(pkg.bin).map((b) => b.replace(/^\.\//, ''))]) {
      expect(files, target).toContain(target);
    }
    // the packed tarball (149 kB when written; 247 kB before rnn-wasm/sketch, 265 kB with it, 324 kB
    // with the two threaded wasm builds): no stray files
    expect(info.size).toBeLessThan(360_000);
  });

  it('works from ESM: every entry imports, and a model trained with rnn-wasm/train saves and loads through rnn-wasm/node', () => {
    const out = run('esm/check.mjs', `
      import { init, runtimeInfo, Sequential, LSTM, Linear } from 'rnn-wasm';
      import { Trainer } from 'rnn-wasm/train';
      import { saveFile, loadFile } from 'rnn-wasm/node';
      import { TrainingWorker, serveTraining } from 'rnn-wasm/worker';
      import { fileURLToPath } from 'node:url';
      await init();
      const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 4, outFeatures: 1, seed: 2 })]);
      const x = Float32Array.from({ length: 8 * 5 * 2 }, (_, i) => Math.sin(i));
      const y = Float32Array.from({ length: 8 * 5 }, (_, i) => Math.cos(i));
      const h = await new Trainer(model, { loss: 'mse', optimizer: { type: 'adam', lr: 0.01 } }).fit({ x, xShape: [8, 5, 2], y, yShape: [8, 5, 1] }, { epochs: 3, batchSize: 4 });
      const file = fileURLToPath(new URL('model.safetensors', import.meta.url));
      await saveFile(model, file);
      const back = await loadFile(file);
      const a = model.predict(x, { shape: [8, 5, 2] }), b = back.predict(x, { shape: [8, 5, 2] });
      console.log(JSON.stringify({ source: runtimeInfo().source, steps: h.steps, same: a.every((v, i) => v === b[i]), worker: typeof TrainingWorker + typeof serveTraining }));
    `);
    const r = JSON.parse(out);
    // Node has threads: the threaded build beside the entry
    expect(r.source).toBe(`file://${CONSUMER}/node_modules/rnn-wasm/dist/rnn-threads.wasm`);
    expect(r).toMatchObject({ steps: 6, same: true, worker: 'functionfunction' });
  }, 600_000);

  it('works from CommonJS: require() of every entry, one shared runtime across them', () => {
    const out = run('cjs/check.cjs', `
      const { init, isInitialized, runtimeInfo, Sequential, GRU, Linear } = require('rnn-wasm');
      const { Trainer } = require('rnn-wasm/train');
      const { loadFile } = require('rnn-wasm/node');
      const { TrainingWorker } = require('rnn-wasm/worker');
      init().then(async () => {
        const model = new Sequential([new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 4, outFeatures: 2, seed: 2 })], { output: 'last' });
        const x = Float32Array.from({ length: 4 * 6 * 3 }, (_, i) => Math.sin(i));
        const y = Int32Array.from({ length: 4 }, (_, i) => i % 2);
        const h = await new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 } }).fit({ x, xShape: [4, 6, 3], y, yShape: [4] }, { epochs: 2, batchSize: 2 });
        console.log(JSON.stringify({ init: isInitialized(), source: runtimeInfo().source, steps: h.steps, loadFile: typeof loadFile, worker: typeof TrainingWorker }));
      });
    `);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ init: true, steps: 4, loadFile: 'function', worker: 'function' });
    expect(r.source).toBe(`file://${CONSUMER}/node_modules/rnn-wasm/dist/rnn-threads.wasm`);
  }, 600_000);

  it('type-checks in TypeScript consumers, ESM and CommonJS (module nodenext), with the types of each entry', () => {
    const dir = path.join(CONSUMER, 'types');
    mkdirSync(dir, { recursive: true });
    const body = `
      const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, seed: 1 }), new Linear({ inFeatures: 4, outFeatures: 1 })]);
      const t: Trainer = new Trainer(model, { loss: 'mse', optimizer: { type: 'adam', lr: 1e-3 } });
      const f: (m: Saveable, p: string) => Promise<void> = saveFile;
      const w: typeof TrainingWorker = TrainingWorker;
      const e: WasmLoadError = new WasmLoadError('x');
      // typed loaders: a model file gives a Sequential whose predict type-checks
      const loaded: Sequential = load(new Uint8Array(0), { expect: 'Sequential' });
      const p: Float32Array = loaded.predict({ x: new Float32Array(4), xShape: [1, 2, 2] });
      const layer: LSTM | RNN | GRU | RecurrentLayer = load(new Uint8Array(0), { expect: 'layer' });
      export const used = [t, f, w, e, init, p, layer];`;
    writeFileSync(path.join(dir, 'esm.mts'), `
      import { init, load, Sequential, LSTM, GRU, RNN, RecurrentLayer, Linear, WasmLoadError, type Saveable } from 'rnn-wasm';
      import { Trainer } from 'rnn-wasm/train';
      import { saveFile } from 'rnn-wasm/node';
      import { TrainingWorker } from 'rnn-wasm/worker';${body}`);
    writeFileSync(path.join(dir, 'cjs.cts'), `
      import { init, load, Sequential, LSTM, GRU, RNN, RecurrentLayer, Linear, WasmLoadError, type Saveable } from 'rnn-wasm';
      import { Trainer } from 'rnn-wasm/train';
      import { saveFile } from 'rnn-wasm/node';
      import { TrainingWorker } from 'rnn-wasm/worker';${body}`);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [] },
      files: ['esm.mts', 'cjs.cts'],
    }));
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(diagnostics).toBe('');
  }, 600_000);

  it('rnn-wasm/sketch works from ESM, CommonJS and TypeScript: the mixture density loss trains through rnn-wasm/train, a sketch is drawn', () => {
    const body = (imports: string) => `${imports}
      (async () => {
        await init();
        const model = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 8, batchFirst: true, seed: 1 }), new Linear({ inFeatures: 8, outFeatures: mdnOutputSize(2), seed: 2 })]);
        const data = penDataset(Float32Array.of(1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1), { shape: [1, 3, 5] });
        const h = await new Trainer(model, { loss: { type: 'mixtureDensity', components: 2 }, optimizer: { type: 'adam', lr: 0.01 } }).fit(data, { epochs: 3 });
        const s = sampleSketch(model, { seed: 1, maxLength: 5, prefix: [1, 0, 1, 0, 0] });
        console.log(JSON.stringify({ steps: h.steps, finite: h.epochs.every((e) => Number.isFinite(e.loss)), rows: s.shape[0] > 0 && s.strokes.length === 5 * s.shape[0] }));
      })();`;
    const esm = run('esm/sketch.mjs', body(`
      import { init, Sequential, LSTM, Linear } from 'rnn-wasm';
      import { Trainer } from 'rnn-wasm/train';
      import { mdnOutputSize, penDataset, sampleSketch } from 'rnn-wasm/sketch';`));
    const cjs = run('cjs/sketch.cjs', body(`
      const { init, Sequential, LSTM, Linear } = require('rnn-wasm');
      const { Trainer } = require('rnn-wasm/train');
      const { mdnOutputSize, penDataset, sampleSketch } = require('rnn-wasm/sketch');`));
    for (const out of [esm, cjs]) expect(JSON.parse(out)).toEqual({ steps: 3, finite: true, rows: true });
    const dir = path.join(CONSUMER, 'types-sketch');
    mkdirSync(dir, { recursive: true });
    const code = `
      import { Sequential } from 'rnn-wasm';
      import { sampleSketch, SketchStream, mdnLoss, type SketchSample, type PenModel } from 'rnn-wasm/sketch';
      declare const model: Sequential;
      const pen: PenModel = model;
      const s: SketchSample = sampleSketch(pen, { temperature: 0.5, maxLength: 10 });
      const stream: SketchStream = new SketchStream(pen, { seed: 1 });
      const l: number = mdnLoss(new Float32Array(15), new Float32Array(5), { components: 2, shape: [1, 1] }).loss;
      export const used = [s, stream, l];`;
    writeFileSync(path.join(dir, 'esm.mts'), code);
    writeFileSync(path.join(dir, 'cjs.cts'), code);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [] },
      files: ['esm.mts', 'cjs.cts'],
    }));
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(diagnostics).toBe('');
  }, 600_000);

  it('has no runtime dependencies and no install scripts (npm runs preinstall, install, postinstall and prepare in consumers)', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(Object.keys(pkg.scripts)).not.toContain(s);
  });

  it('ships declarations without internal members', () => {
    const dts = packInfo().files.filter((f) => f.path.endsWith('.d.ts'));
    expect(dts.length).toBeGreaterThan(10);
    for (const f of dts) expect(readFileSync(path.join(CONSUMER, 'node_modules/rnn-wasm', f.path), 'utf8'), f.path).not.toMatch(/@internal/);
  });
});
