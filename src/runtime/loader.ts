import { ConfigError, NotInitializedError, WasmLoadError } from '../errors.js';
import { checkOptions, is } from '../options.js';
import { Arena } from './arena.js';
import type { Kernels } from './kernels.js';
import type { ThreadHost, ThreadPool } from './threads.js';

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
   * a `file:` URL, or a fetch `Response`. Default: `rnn.wasm` beside the package's entry, read
   * from disk in Node, fetched via `new URL('./rnn.wasm', import.meta.url)` in browsers and
   * workers, and imported precompiled on Cloudflare Workers.
   * Without `wasm`, the build matches `simd` and `threads`: rnn-threads.wasm or
   * rnn-threads-relaxed.wasm where threads can run, else rnn.wasm or rnn-relaxed.wasm. A module
   * given here is used as it is (a single-threaded build runs on one thread).
   */
  wasm?: WasmSource;
  /**
   * Which build to load by default: `'relaxed'` (rnn-relaxed.wasm, fused multiply-add through
   * relaxed SIMD: faster where the engine has it — Chrome ≥ 114, Node ≥ 22, Node 20 with
   * `--experimental-wasm-relaxed-simd`), `'plain'` (rnn.wasm, fixed-width SIMD only), or
   * `'auto'` (default): relaxed when this engine validates relaxed SIMD, else plain.
   */
  simd?: 'auto' | 'relaxed' | 'plain';
  /**
   * Threads that run training and inference: a count (1: the calling thread alone), or
   * `'auto'` (default): the cores the runtime reports, at most 8 — one fewer in a browser's Web
   * Worker, which leaves a core to the page's main thread (measured on 2 cores: a demo's small
   * training worker ran at 0.8× on 2 threads against 1 while its page drew). More than one needs
   * SharedArrayBuffer and workers: Node, Deno, and browsers on cross-origin isolated pages
   * (served with `Cross-Origin-Opener-Policy: same-origin` and
   * `Cross-Origin-Embedder-Policy: require-corp`). Elsewhere (Cloudflare Workers, a page
   * without those headers) rnn-wasm runs on one thread and {@link runtimeInfo} says why.
   * Results are bit-identical for every thread count. Change it later with {@link setThreads}.
   */
  threads?: number | 'auto';
}

/** What {@link init} loaded. */
export interface RuntimeInfo {
  /** The SIMD kind of the build in use: 'relaxed' (fused multiply-add) or 'plain' SIMD. */
  simd: 'relaxed' | 'plain';
  /** 'threads' (shared memory, can run on several threads) or 'single' (one thread only). */
  build: 'threads' | 'single';
  /** Where the module came from. */
  source: string;
  /** Threads the kernels run on now, the calling thread included. */
  threads: number;
  /** Logical cores the runtime reports. */
  cores: number;
  /** Why rnn-wasm runs on one thread only, when that is not by choice. */
  threadsNote?: string;
}

/** @internal */
export interface Runtime {
  kernels: Kernels;
  arena: Arena;
  info: Omit<RuntimeInfo, 'threads' | 'cores'>;
  /** The threaded build's workers; undefined for the single-threaded build. */
  pool?: ThreadPool;
  /** Cores the runtime reports (1 where it does not say). */
  cores: number;
  /** Cores that `'auto'` leaves free (see ThreadHost.reserve). */
  reserve: number;
}

let runtime: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))  — validates only where SIMD exists
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
// — validates only where relaxed SIMD is enabled. relaxed_madd is 0xfd 0x105 (LEB128: 0x85 0x02).
const RELAXED_PROBE = (() => {
  const zero = [253, 12, ...new Array(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 253, 133, 2, 11];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, body.length + 2, 1, body.length, ...body]);
})();

// (module (import "e" "m" (memory 1 1 shared))) — validates only where wasm threads exist
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 9, 1, 1, 101, 1, 109, 2, 3, 1, 1]);

/** True when this engine supports relaxed SIMD (fused multiply-add). */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

/**
 * @internal How an entry point finds and reads the wasm: each runtime's entry (Node, browsers,
 * Cloudflare's workerd) supplies its own, and nothing else differs between them.
 */
export interface Locator {
  /** Where the named build is by default: a URL to read, or a compiled module. */
  locate(file: WasmFile): URL | WebAssembly.Module;
  /** The bytes at a URL. */
  read(url: URL): Promise<Uint8Array>;
  /** What a relative URL string given to init({ wasm }) is resolved against. */
  base(): string | undefined;
  /** How this runtime starts threads, or why it cannot. */
  threads(): Promise<ThreadHost | string>;
}

/** @internal The four builds: single-threaded or threaded, plain or relaxed SIMD. */
export type WasmFile = 'rnn.wasm' | 'rnn-relaxed.wasm' | 'rnn-threads.wasm' | 'rnn-threads-relaxed.wasm';

/**
 * @internal {@link init} of every entry point: idempotent (later calls resolve at once, their
 * options ignored) and retryable (a failure rejects with a {@link WasmLoadError} naming what was
 * tried, and the next call tries again).
 */
export function initWith(options: InitOptions | undefined, locator: Locator): Promise<void> {
  try {
    checkOptions('init', options, { wasm: is.checkedLater, simd: is.oneOf('auto', 'relaxed', 'plain'), threads: is.checkedLater });
    if (options?.threads !== undefined) threadCount('init({ threads })', options.threads, 1);
  } catch (e) {
    return Promise.reject(e);
  }
  if (runtime) return Promise.resolve();
  if (!pending) {
    pending = load(options ?? {}, locator).then(
      (r) => (runtime = r),
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
  }
  return pending.then(() => undefined);
}

/**
 * Which build was loaded, from where, and on how many threads it runs (after {@link init}).
 *
 * @example
 * ```ts
 * await init();
 * const { build, threads, threadsNote } = runtimeInfo();
 * if (threads === 1 && threadsNote) console.log(`one thread: ${threadsNote}`);
 * ```
 */
export function runtimeInfo(): RuntimeInfo {
  const rt = getRuntime();
  return { ...rt.info, threads: rt.pool?.threads ?? 1, cores: rt.cores };
}

/**
 * Run the kernels on `threads` threads from now on (the calling thread included): a count, or
 * `'auto'` (as {@link InitOptions.threads} says). Workers are started as needed; a smaller
 * count leaves the others asleep. Where threads cannot run (the single-threaded build was loaded:
 * see {@link InitOptions.threads}) it stays at 1. Resolves to the count now in use. Results are
 * bit-identical for every count. Call it between calls into models, not during one.
 *
 * @example
 * ```ts
 * await init();
 * await setThreads(1);            // e.g. to leave the other cores to something else
 * ```
 */
export async function setThreads(threads: number | 'auto'): Promise<number> {
  const rt = getRuntime();
  const n = threadCount('setThreads', threads, rt.cores - rt.reserve);
  if (!rt.pool) return 1;
  try {
    await rt.pool.resize(n);
  } catch (cause) {
    throw new WasmLoadError(`setThreads(${n}): could not start a worker thread: ${message(cause)}`, { cause });
  }
  return rt.pool.threads;
}

/**
 * End the worker threads (if any): the kernels run on the calling thread until
 * {@link setThreads} asks for more. Worker threads never keep a Node process alive anyway; this
 * frees them for a long-running program that is done with rnn-wasm.
 *
 * @example
 * ```ts
 * await init();
 * // … train, predict …
 * await terminateThreads();       // runtimeInfo().threads is 1 until setThreads() starts workers again
 * ```
 */
export async function terminateThreads(): Promise<void> {
  await getRuntime().pool?.terminate();
}

/** Most threads `'auto'` picks (more cores than this rarely pay at the batch sizes RNNs train with). */
const AUTO_THREADS_CAP = 8;
/** Most threads one may ask for. */
const MAX_THREADS = 64;

// A thread count option: 'auto' (`free` cores, capped) or an integer in [1, MAX_THREADS].
function threadCount(what: string, v: unknown, free: number): number {
  if (v === 'auto') return Math.max(1, Math.min(free, AUTO_THREADS_CAP));
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_THREADS) {
    throw new ConfigError(`${what}: expected 'auto' or an integer from 1 to ${MAX_THREADS}, got ${typeof v === 'number' ? v : describe(v)}`);
  }
  return v;
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

async function load(options: InitOptions, locator: Locator): Promise<Runtime> {
  if (typeof WebAssembly !== 'object') {
    throw new WasmLoadError('this JavaScript runtime has no WebAssembly support');
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new WasmLoadError(
      'this runtime does not support WebAssembly SIMD (fixed-width 128-bit), which rnn-wasm needs; ' +
        'supported: Node ≥ 16.4, Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4',
    );
  }
  const mode = options.simd ?? 'auto';
  if (mode !== 'auto' && mode !== 'relaxed' && mode !== 'plain') {
    throw new WasmLoadError(`init({ simd }): expected 'auto', 'relaxed' or 'plain', got ${describe(mode)}`);
  }
  const relaxedAvailable = hasRelaxedSimd();
  if (mode === 'relaxed' && !relaxedAvailable) {
    throw new WasmLoadError(
      "init({ simd: 'relaxed' }): this engine does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd; Chrome ≥ 114 and Node ≥ 22 have it); use 'auto' or 'plain'",
    );
  }
  const simd: 'relaxed' | 'plain' = mode === 'plain' ? 'plain' : relaxedAvailable ? 'relaxed' : 'plain';
  // threads: possible where the runtime has workers and shared memory, and the engine wasm threads
  const host = await locator.threads().catch((e: unknown) => `could not load the runtime's worker support: ${message(e)}`);
  const threadsOk = typeof host === 'object' && WebAssembly.validate(THREADS_PROBE);
  const cores = typeof host === 'object' ? Math.max(1, host.cores) : 1;
  const reserve = typeof host === 'object' ? host.reserve : 0;
  const wanted = threadCount('init({ threads })', options.threads ?? 'auto', cores - reserve);
  const file: WasmFile = threadsOk
    ? (simd === 'relaxed' ? 'rnn-threads-relaxed.wasm' : 'rnn-threads.wasm')
    : (simd === 'relaxed' ? 'rnn-relaxed.wasm' : 'rnn.wasm');
  const { source, tried } = await resolveSource(options.wasm, file, locator);
  let module: WebAssembly.Module;
  let exports: Kernels;
  let threaded = false;
  try {
    // WebAssembly itself, not @assemblyscript/loader: the module aborts nowhere (built with
    // noAssert), so the loader would only add its wrappers, which allocate per call, and its check
    // `typeof Response`, which in Node loads the whole fetch implementation (20-30 ms of a cold start)
    module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source as BufferSource);
    // the threaded builds import a shared memory (and a clock, to size each thread's share by its
    // speed); the single-threaded ones make their own memory and import nothing
    threaded = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
    const imports: WebAssembly.Imports = threaded ? { env: { memory: sharedMemory(), now: () => performance.now() } } : {};
    exports = (await WebAssembly.instantiate(module, imports)).exports as unknown as Kernels;
  } catch (cause) {
    const hint = /code generation|disallowed/i.test(message(cause))
      ? ' (this runtime only runs precompiled modules, as Cloudflare Workers do: import the .wasm file, which gives a WebAssembly.Module, and pass it as init({ wasm }))'
      : '';
    throw new WasmLoadError(`could not instantiate the rnn-wasm module from ${tried}: ${message(cause)}${hint}`, { cause });
  }
  for (const name of ['memory', 'gemm', 'lstm_fwd', 'gru_bwd', 'heap_base', 'worker_loop']) {
    if (!(name in exports)) {
      throw new WasmLoadError(`the module loaded from ${tried} is not rnn-wasm's (no export "${name}")`);
    }
  }
  const arena = new Arena(exports.memory, exports.heap_base());
  let threadsNote = typeof host === 'string' ? host
    : !threadsOk ? 'this engine does not support WebAssembly threads (shared memory and atomics)'
      : !threaded ? `the module given to init({ wasm }) is a single-threaded build (${tried}); give rnn-threads.wasm (or rnn-threads-relaxed.wasm) for threads`
        : undefined;
  let pool: ThreadPool | undefined;
  if (threaded && typeof host === 'object') {
    pool = host.pool(module, exports, arena);
    try {
      await pool.resize(wanted);
    } catch (e) {
      // the kernels run on the calling thread alone, as in a runtime without threads
      await pool.terminate().catch(() => undefined);
      threadsNote = `worker threads could not start (${message(e)})`;
    }
  }
  return { kernels: exports, arena, info: { simd, build: threaded ? 'threads' : 'single', source: tried, threadsNote }, pool, cores, reserve };
}

// The threaded builds' memory: shared, with room to grow to 4 GiB (or 1 GiB where an engine
// refuses to reserve that much).
function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: 16, maximum: 16384, shared: true });
  }
}

async function resolveSource(wasm: WasmSource | undefined, file: WasmFile, locator: Locator): Promise<{ source: unknown; tried: string }> {
  if (wasm === undefined) return defaultSource(file, locator);
  if (wasm instanceof WebAssembly.Module) return { source: wasm, tried: 'the WebAssembly.Module given' };
  if (ArrayBuffer.isView(wasm) || wasm instanceof ArrayBuffer) {
    checkMagic(wasm, 'the bytes given');
    return { source: wasm, tried: 'the bytes given' };
  }
  if (typeof wasm === 'string' || wasm instanceof URL) {
    let url: URL;
    try {
      url = new URL(String(wasm), locator.base());
    } catch (cause) {
      throw new WasmLoadError(`init({ wasm }): ${JSON.stringify(String(wasm))} is not a URL, and there is no base URL to resolve it against`, { cause });
    }
    try {
      return { source: await locator.read(url), tried: url.href };
    } catch (cause) {
      if (cause instanceof WasmLoadError) throw cause;
      throw new WasmLoadError(`could not load the rnn-wasm module from ${url.href}: ${message(cause)}`, { cause });
    }
  }
  if (typeof (wasm as PromiseLike<Response>).then === 'function' || (typeof Response === 'function' && wasm instanceof Response)) {
    const response = await wasm;
    return { source: await responseBytes(response, response.url || 'the Response given'), tried: response.url || 'the Response given' };
  }
  throw new WasmLoadError(
    `init({ wasm }): expected a WebAssembly.Module, bytes (ArrayBuffer or typed array), a URL or a Response, got ${describe(wasm)}`,
  );
}

async function defaultSource(file: WasmFile, locator: Locator): Promise<{ source: unknown; tried: string }> {
  const where = locator.locate(file);
  if (where instanceof WebAssembly.Module) return { source: where, tried: `the bundled ${file}` };
  try {
    return { source: await locator.read(where), tried: where.href };
  } catch (e) {
    throw new WasmLoadError(
      `could not find ${file}. Tried:\n  ${where.href}: ${message(e)}\n` +
        'Pass it explicitly: init({ wasm }) with a WebAssembly.Module, its bytes or its URL',
    );
  }
}

/** @internal Fetch a URL's bytes and check they are a wasm module. */
export async function fetchBytes(url: URL): Promise<Uint8Array> {
  if (typeof fetch !== 'function') throw new WasmLoadError(`cannot fetch ${url.href}: no fetch() in this runtime`);
  return responseBytes(await fetch(url), url.href);
}

async function responseBytes(response: Response, what: string): Promise<Uint8Array> {
  if (!response.ok) throw new WasmLoadError(`fetching ${what} failed: HTTP ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(bytes, what);
  return bytes;
}

/** @internal */
export function checkMagic(source: BufferSource, what: string): void {
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
