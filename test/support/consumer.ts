// The package as a user installs it: `npm pack` of the built repository, unpacked into
// build/consumer/node_modules/rnn-wasm. Tests of the package, the browser, workers and edge
// runtimes import 'rnn-wasm' from there, never from src/. Made once per vitest run by
// test/support/global-setup.ts. The package has no dependencies; the tools the tests use
// (esbuild, miniflare, …) resolve from the repository's node_modules, two folders up.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A folder with node_modules/rnn-wasm: put consumer code here (or in a sub-folder) to import it. */
export const CONSUMER = path.join(ROOT, 'build/consumer');
/** The unpacked package. */
export const PACKAGE = path.join(CONSUMER, 'node_modules/rnn-wasm');

/** What `npm pack --json` reported. */
export interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/** Pack dist/ (already built by `pretest`) and unpack it as a consumer would install it. */
export function makeConsumer(): PackInfo {
  rmSync(CONSUMER, { recursive: true, force: true });
  mkdirSync(PACKAGE, { recursive: true });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', CONSUMER], { cwd: ROOT, encoding: 'utf8' });
  const info = (JSON.parse(out) as PackInfo[])[0];
  execFileSync('tar', ['xzf', path.join(CONSUMER, info.filename), '-C', PACKAGE, '--strip-components=1']);
  writeFileSync(path.join(CONSUMER, 'pack.json'), JSON.stringify(info, null, 2));
  writeFileSync(path.join(CONSUMER, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  return info;
}

/** The `npm pack` report of this run's consumer. */
export function packInfo(): PackInfo {
  return JSON.parse(readFileSync(path.join(CONSUMER, 'pack.json'), 'utf8')) as PackInfo;
}

/** The wasm builds the package ships: single-threaded and threaded, plain and relaxed SIMD. */
export const WASM_BUILDS = ['rnn.wasm', 'rnn-relaxed.wasm', 'rnn-threads.wasm', 'rnn-threads-relaxed.wasm'] as const;

/**
 * Copy the wasm builds of the installed package into `dir`, found through its "./rnn.wasm"
 * exports as a user's build script would: bundlers that do not copy the targets of
 * new URL('./rnn.wasm', import.meta.url) (esbuild) need them beside the bundle.
 */
export function copyWasmBuilds(dir: string): void {
  const require = createRequire(path.join(CONSUMER, 'package.json'));
  for (const f of WASM_BUILDS) copyFileSync(require.resolve(`rnn-wasm/${f}`), path.join(dir, f));
}
