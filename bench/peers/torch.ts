// PyTorch rows, optional: bench/peers/torch.py runs in a child process (Debian's python3-torch
// at /usr/bin/python3) per variant — the reference BLAS on one thread, OpenBLAS on one thread
// and on N — driven over a pipe, so its repetitions interleave with ours. A variant that cannot
// run is reported as "not run: <why>", never dropped and never an error.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Job } from '../compare.js';
import { STREAM, streamIds, tokens, type Config, type Data } from '../suite.js';

export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch.py', import.meta.url));
/** Debian's OpenBLAS (package libopenblas0-pthread), when installed. */
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
/** Debian's reference BLAS (netlib, package libblas3), when installed. */
const REFBLAS_DIR = '/usr/lib/x86_64-linux-gnu/blas';
export const REFBLAS_TEXT = 'reference BLAS (netlib, no optimised kernels)';

export type BlasKind = 'openblas' | 'reference';

/** A PyTorch process to start: which BLAS (forced by LD_LIBRARY_PATH for that process only) and how many threads. */
export interface TorchVariant {
  /** The system's name in the tables: 'PyTorch OpenBLAS', 'PyTorch OpenBLAS 2 threads', 'PyTorch ref-BLAS'. */
  system: string;
  blas: BlasKind;
  threads: number;
  env: Record<string, string>;
  /** Why it cannot run here (then it is a "not run" column, not a missing one). */
  notRun?: string;
}

export const torchSystem = (blas: BlasKind, threads: number): string =>
  `PyTorch ${blas === 'openblas' ? 'OpenBLAS' : 'ref-BLAS'}${threads > 1 ? ` ${threads} threads` : ''}`;

/**
 * Debian's python3-torch does its GEMMs in whatever libblas.so.3 the system provides (the
 * alternatives link): the reference BLAS (~5 GFLOP/s here) or OpenBLAS, 20× apart. Each
 * variant forces its library with LD_LIBRARY_PATH and sets its threads (OPENBLAS_NUM_THREADS,
 * OMP_NUM_THREADS, torch.set_num_threads); torch.py reports what took effect. The reference
 * BLAS is single-threaded and runs at one thread only; OpenBLAS at 1 and at N threads.
 */
export function torchVariants(n: number): TorchVariant[] {
  const v: TorchVariant[] = [];
  const env = (dir: string, k: number) => ({ LD_LIBRARY_PATH: dir, OPENBLAS_NUM_THREADS: String(k), OMP_NUM_THREADS: String(k), BENCH_TORCH_THREADS: String(k) });
  const ref = existsSync(path.join(REFBLAS_DIR, 'libblas.so.3'));
  v.push({ system: torchSystem('reference', 1), blas: 'reference', threads: 1, env: env(REFBLAS_DIR, 1),
    notRun: ref ? undefined : `the ${REFBLAS_TEXT} is not installed here (no ${REFBLAS_DIR}/libblas.so.3, Debian package libblas3); this machine's libblas.so.3 is OpenBLAS` });
  const ob = existsSync(path.join(OPENBLAS_DIR, 'libblas.so.3'));
  for (const k of n > 1 ? [1, n] : [1]) {
    v.push({ system: torchSystem('openblas', k), blas: 'openblas', threads: k, env: env(OPENBLAS_DIR, k),
      notRun: ob ? undefined : `OpenBLAS is not installed here (no ${OPENBLAS_DIR}/libblas.so.3, Debian package libopenblas0-pthread)` });
  }
  return v;
}

/** What torch.py found about its BLAS. */
export interface BlasInfo { kind: 'openblas' | 'reference' | 'other' | 'unknown'; path: string; corename?: string; config?: string; threads?: number }

type Reply = Record<string, unknown> & { error?: string };

export class Torch {
  private readonly pending: ((r: Reply) => void)[] = [];
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'rnn-wasm-bench-'));
  private files = 0;
  info = '';
  version = '';
  /** The variant's system name (see torchSystem). */
  system = 'PyTorch';
  /** The BLAS library file loaded. */
  blas = '';
  blasInfo: BlasInfo = { kind: 'unknown', path: '' };
  /** torch.get_num_threads() as reported. */
  threads = 1;
  /** The BLAS kernel in words: 'OpenBLAS Haswell' or the reference BLAS text. */
  kernel = '';
  /** Header label: 'PyTorch OpenBLAS (Haswell, 2 threads)'. */
  label = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly stderr: string[], readonly env: Record<string, string>) {
    createInterface({ input: child.stdout }).on('line', (line) => this.pending.shift()?.(JSON.parse(line) as Reply));
    const fail = (why: string) => {
      this.dead = why;
      for (const p of this.pending.splice(0)) p({ error: why });
    };
    child.on('exit', (code) => fail(`python exited (${code}): ${this.stderr.join('').trim().split('\n').pop() ?? ''}`));
    child.on('error', (e) => fail(e.message));
    child.stdin.on('error', () => { /* EPIPE when python died: reported by 'exit' */ });
  }
  private dead?: string;

  /**
   * Start the server for a variant, or say why it cannot run: python3 or torch missing, or the
   * BLAS or the thread count that took effect not the ones asked for.
   */
  static async start(v: TorchVariant): Promise<Torch | string> {
    if (v.notRun) return v.notRun;
    if (!existsSync(PYTHON)) return `${PYTHON} not found`;
    const env = v.env;
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const stderr: string[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b.toString()));
    const t = new Torch(child, stderr, env);
    let timer: NodeJS.Timeout | undefined;
    const hello = await Promise.race([
      t.request({ op: 'hello' }),
      new Promise<Reply>((r) => { timer = setTimeout(() => r({ error: 'no answer within 60 s' }), 60_000); }),
    ]);
    clearTimeout(timer);
    if (hello.error) { t.close(); return `PyTorch unavailable (${hello.error})`; }
    t.version = String(hello.torch);
    const libs = (hello.blas as string[]) ?? [];
    t.blasInfo = hello.blasInfo as BlasInfo;
    t.blas = t.blasInfo.path || (libs.find((l) => /openblas/i.test(l)) ?? libs[0] ?? 'unknown');
    t.threads = Number(hello.threads);
    t.system = v.system;
    const b = t.blasInfo;
    t.kernel = b.kind === 'openblas' ? `OpenBLAS ${b.corename}` : b.kind === 'reference' ? REFBLAS_TEXT : `unknown BLAS ${b.path}`;
    const th = `${t.threads} thread${t.threads > 1 ? 's' : ''}`;
    t.label = `${v.blas === 'openblas' ? 'PyTorch OpenBLAS' : 'PyTorch ref-BLAS'} (${b.kind === 'openblas' ? b.corename : b.kind === 'reference' ? 'reference BLAS' : 'unknown BLAS'}, ${th})`;
    t.info = `torch ${hello.torch}, Python ${hello.python}; BLAS kernel: **${t.kernel}** (${t.blas}` +
      (b.kind === 'openblas' ? `; openblas_get_config(): "${b.config}"; openblas_get_num_threads() = ${b.threads}` : '') +
      `); torch.get_num_threads() = ${t.threads}; its 512³ float32 matmul on ${th}: ${Number(hello.gemm512).toFixed(1)} GFLOP/s` +
      ` (${Object.entries(env).map(([k, val]) => `${k}=${val}`).join(' ')})`;
    // what took effect must be what was asked for, or the column would claim what it is not
    const wrongBlas = v.blas === 'openblas' ? b.kind !== 'openblas' : b.kind !== 'reference';
    const wrongThreads = t.threads !== v.threads || (b.kind === 'openblas' && b.threads !== v.threads);
    if (wrongBlas || wrongThreads) {
      t.close();
      return `asked for ${v.blas === 'openblas' ? 'OpenBLAS' : REFBLAS_TEXT} on ${v.threads} thread(s), got ${t.kernel} with torch.get_num_threads() = ${t.threads}` +
        (b.kind === 'openblas' ? `, openblas_get_num_threads() = ${b.threads}` : '');
    }
    return t;
  }

  request(req: object): Promise<Reply> {
    return new Promise((resolve) => {
      if (this.dead) return resolve({ error: this.dead });
      this.pending.push(resolve);
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  private async ok(req: object): Promise<Reply> {
    const r = await this.request(req);
    if (r.error) throw new Error(`bench: PyTorch ${JSON.stringify(req).slice(0, 80)}: ${r.error}`);
    return r;
  }

  /** Raw array → a file torch.py reads with torch.frombuffer (same bytes, same data). */
  private file(a: Float32Array | Int32Array): string {
    const p = path.join(this.dir, `${this.files++}.bin`);
    writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }

  async row(c: Config, d: Data): Promise<{ train: Job; infer: Job; check(steps: number): Promise<number[]> }> {
    const key = c.id;
    await this.ok({ op: 'setup', key, cfg: c, x: this.file(d.x), y: this.file(c.loss === 'ce' ? d.yIds! : d.y) });
    const job = (kind: 'train' | 'infer', note: string): Job => ({
      system: this.system, tokens: tokens(c), note, threads: this.threads,
      time: async (calls) => Number((await this.ok({ op: 'time', key, kind, calls })).sec),
    });
    return {
      train: job('train', 'zero_grad, forward, CrossEntropyLoss/MSELoss, backward, SGD step'),
      infer: job('infer', 'inference_mode forward → logits'),
      check: async (steps) => (await this.ok({ op: 'check', key, steps })).losses as number[],
    };
  }

  /** The character-LM recipe's training step (bench/charlm.ts): ids in, next ids as targets. */
  async charlmRow(cfg: { B: number; T: number; V: number; E: number; H: number; lr: number; clip: number }, x: Int32Array, y: Int32Array, note: string): Promise<{ train: Job; check(steps: number): Promise<number[]> }> {
    const key = 'charlm';
    await this.ok({ op: 'setup_charlm', key, cfg, x: this.file(x), y: this.file(y) });
    return {
      train: {
        system: this.system, tokens: cfg.B * cfg.T, note, threads: this.threads,
        time: async (calls) => Number((await this.ok({ op: 'time', key, kind: 'train', calls })).sec),
      },
      check: async (steps) => (await this.ok({ op: 'check', key, steps })).losses as number[],
    };
  }

  /** `steps` more steps of the stream; µs per step as measured in Python. */
  async stream(steps: number): Promise<number[]> {
    const ids = this.streamIdsFile ??= this.file(streamIds());
    return (await this.ok({ op: 'stream', cfg: STREAM, ids, steps })).us as number[];
  }
  private streamIdsFile?: string;

  close(): void {
    this.child.stdin.end();
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
