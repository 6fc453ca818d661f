// Builds the demo page into a folder any static server can serve:
//   npm run build && node examples/web/build.mjs [--out build/web-demo] [--package <dir with node_modules/rnn-wasm>]
// Bundles main.ts and train-worker.ts with esbuild from the package imports (rnn-wasm,
// rnn-wasm/train, rnn-wasm/worker): by default the repository's own build (the package's
// self-reference to dist/), with --package the copy installed under <dir>/node_modules (the
// tests use the packed package in build/consumer). esbuild does not copy the targets of
// new URL('./rnn.wasm', import.meta.url), so the wasm builds (all four: a cross-origin isolated
// server gets the threaded ones) are copied beside the bundles,
// where that URL points. Also writes seed.txt (the first ~10 KB of tinyshakespeare) and copies
// the handwriting section's files: the pen model examples/handwriting.ts trained
// (handwriting.safetensors, handwriting.json beside it) and the Hershey glyphs (data/hershey.json).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const { values } = parseArgs({ options: { out: { type: 'string' }, package: { type: 'string' } } });
const out = path.resolve(ROOT, values.out ?? 'build/web-demo');
// where `rnn-wasm` is resolved from: a folder whose node_modules holds it, or the repository itself
const from = values.package ? path.resolve(ROOT, values.package) : ROOT;

/** Resolve rnn-wasm and its subpaths (exports map, 'browser' condition) from `from`. */
const packageFrom = {
  name: 'rnn-wasm-from',
  setup(b) {
    b.onResolve({ filter: /^rnn-wasm(\/.*)?$/ }, (args) => {
      if (args.pluginData === 'inner') return undefined;
      return b.resolve(args.path, { kind: args.kind, resolveDir: from, pluginData: 'inner' });
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { main: path.join(HERE, 'main.ts'), 'train-worker': path.join(HERE, 'train-worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  plugins: [packageFrom],
  metafile: true,
  logLevel: 'warning',
});

const require = createRequire(path.join(from, 'noop.js'));
for (const file of ['rnn.wasm', 'rnn-relaxed.wasm', 'rnn-threads.wasm', 'rnn-threads-relaxed.wasm']) copyFileSync(require.resolve(`rnn-wasm/${file}`), path.join(out, file));
copyFileSync(path.join(HERE, 'index.html'), path.join(out, 'index.html'));
for (const file of ['handwriting.safetensors', 'handwriting.json']) copyFileSync(path.join(HERE, file), path.join(out, file));
copyFileSync(path.join(ROOT, 'data/hershey.json'), path.join(out, 'hershey.json'));
const shakespeare = readFileSync(path.join(ROOT, 'data/tinyshakespeare.txt'), 'utf8');
writeFileSync(path.join(out, 'seed.txt'), shakespeare.slice(0, shakespeare.indexOf('\n\n', 10_000) + 1));

const bundled = Object.keys(result.metafile.inputs).filter((f) => /rnn-wasm|dist\//.test(f));
const used = path.relative(ROOT, path.dirname(require.resolve('rnn-wasm/package.json')));
console.log(`built ${path.relative(process.cwd(), out) || '.'}/ (index.html, main.js, train-worker.js, rnn.wasm, rnn-relaxed.wasm, seed.txt, handwriting.safetensors, handwriting.json, hershey.json) from ${bundled.length} files of rnn-wasm in ${used || '.'}`);
console.log(`serve it, e.g.: npx http-server ${path.relative(process.cwd(), out)}   or   python3 -m http.server -d ${path.relative(process.cwd(), out)}`);
