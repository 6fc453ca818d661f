import { instantiate } from '@assemblyscript/loader';
import { NotInitializedError, WasmLoadError } from '../errors.js';
import { Arena } from './arena.js';
import type { Kernels } from './kernels.js';

/** Where the WebAssembly module comes from. */
export type WasmSource =
  | WebAssembly.Module
  | BufferSource
  | URL
  | string
  | Response
  | PromiseLike<Response>;

/** Options of {@link init}. */
export interface InitOptions {
  /**
   * The compiled module (`WebAssembly.Module`, required on Cloudflare Workers, which forbid
   * compiling bytes at run time), its bytes, a URL (string or `URL`) to fetch or, in Node,
   * a `file:` URL, or a fetch `Response`. Default: `rnn.wasm` next to this module, read
   * from disk in Node and fetched via `new URL('../rnn.wasm', import.meta.url)` elsewhere.
   */
  wasm?: WasmSource;
}

/** @internal */
export interface Runtime {
  kernels: Kernels;
  arena: Arena;
}

let runtime: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))  — validates only where SIMD exists
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/**
 * Load and instantiate the WebAssembly kernels. Call once before creating layers.
 *
 * Idempotent: later calls resolve at once (their options are ignored once loading has
 * succeeded). Retryable: if loading fails, the promise rejects with a {@link WasmLoadError}
 * naming what was tried, and the next call tries again.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'rnn-wasm';
 * await init();                                   // Node or browser: finds rnn.wasm itself
 * await init({ wasm: await fetch('/assets/rnn.wasm') });   // a custom location
 * ```
 */
export function init(options: InitOptions = {}): Promise<void> {
  if (runtime) return Promise.resolve();
  if (!pending) {
    pending = load(options).then(
      (r) => (runtime = r),
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
  }
  return pending.then(() => undefined);
}

/** True once {@link init} has completed. */
export function isInitialized(): boolean {
  return runtime !== undefined;
}

/** @internal The loaded runtime; throws a clear error before init(). */
export function getRuntime(): Runtime {
  if (!runtime) {
    throw new NotInitializedError(
      'rnn-wasm is not initialised: call `await init()` once (e.g. at startup) before creating or using layers',
    );
  }
  return runtime;
}

async function load(options: InitOptions): Promise<Runtime> {
  if (typeof WebAssembly !== 'object') {
    throw new WasmLoadError('this JavaScript runtime has no WebAssembly support');
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new WasmLoadError(
      'this runtime does not support WebAssembly SIMD (fixed-width 128-bit), which rnn-wasm needs; ' +
        'supported: Node ≥ 16.4, Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4',
    );
  }
  const { source, tried } = await resolveSource(options.wasm);
  let exports: Kernels;
  try {
    const result = await instantiate<Record<string, unknown>>(source as never, {});
    exports = result.exports as unknown as Kernels;
  } catch (cause) {
    throw new WasmLoadError(`could not instantiate the rnn-wasm module from ${tried}: ${message(cause)}`, { cause });
  }
  for (const name of ['memory', 'gemm', 'lstm_fwd', 'gru_bwd', 'heap_base']) {
    if (!(name in exports)) {
      throw new WasmLoadError(`the module loaded from ${tried} is not rnn-wasm's (no export "${name}")`);
    }
  }
  return { kernels: exports, arena: new Arena(exports.memory, exports.heap_base()) };
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function resolveSource(wasm: WasmSource | undefined): Promise<{ source: unknown; tried: string }> {
  if (wasm === undefined) return defaultSource();
  if (wasm instanceof WebAssembly.Module) return { source: wasm, tried: 'the WebAssembly.Module given' };
  if (ArrayBuffer.isView(wasm) || wasm instanceof ArrayBuffer) {
    checkMagic(wasm, 'the bytes given');
    return { source: wasm, tried: 'the bytes given' };
  }
  if (typeof wasm === 'string' || wasm instanceof URL) {
    const url = new URL(String(wasm), isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
    try {
      return { source: await fetchBytes(url), tried: url.href };
    } catch (cause) {
      if (cause instanceof WasmLoadError) throw cause;
      throw new WasmLoadError(`could not load rnn.wasm from ${url.href}: ${message(cause)}`, { cause });
    }
  }
  if (typeof (wasm as PromiseLike<Response>).then === 'function' || wasm instanceof Response) {
    const response = await wasm;
    return { source: await responseBytes(response, response.url || 'the Response given'), tried: response.url || 'the Response given' };
  }
  throw new WasmLoadError(
    `init({ wasm }): expected a WebAssembly.Module, bytes (ArrayBuffer or typed array), a URL or a Response, got ${describe(wasm)}`,
  );
}

async function defaultSource(): Promise<{ source: unknown; tried: string }> {
  // Installed package: dist/runtime/loader.js → dist/rnn.wasm.
  // Source checkout (tests, tsx): src/runtime/loader.ts → build/rnn.wasm.
  const candidates = [new URL('../rnn.wasm', import.meta.url), new URL('../../build/rnn.wasm', import.meta.url)];
  const errors: string[] = [];
  for (const url of candidates) {
    try {
      return { source: await fetchBytes(url), tried: url.href };
    } catch (e) {
      errors.push(`${url.href}: ${message(e)}`);
    }
  }
  throw new WasmLoadError(
    `could not find rnn.wasm. Tried:\n  ${errors.join('\n  ')}\n` +
      'Pass it explicitly: init({ wasm }) with a WebAssembly.Module, its bytes or its URL',
  );
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:' && isNode) {
    const fs = await import('node:fs/promises');
    const bytes = new Uint8Array(await fs.readFile(url));
    checkMagic(bytes, url.href);
    return bytes;
  }
  if (typeof fetch !== 'function') throw new WasmLoadError(`cannot fetch ${url.href}: no fetch() in this runtime`);
  return responseBytes(await fetch(url), url.href);
}

async function responseBytes(response: Response, what: string): Promise<Uint8Array> {
  if (!response.ok) throw new WasmLoadError(`fetching ${what} failed: HTTP ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(bytes, what);
  return bytes;
}

function checkMagic(source: BufferSource, what: string): void {
  const b = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, Math.min(4, source.byteLength))
    : new Uint8Array(source, 0, Math.min(4, source.byteLength));
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    const head = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const hint = b[0] === 0x3c ? ' (it looks like HTML: the server answered with a page, not the .wasm file)' : '';
    throw new WasmLoadError(`${what} is not a WebAssembly module: expected magic 00 61 73 6d, found "${head}"${hint}`);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
