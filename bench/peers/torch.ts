// PyTorch rows, optional: bench/peers/torch.py runs in a child process (Debian's python3-torch
// at /usr/bin/python3, one thread) and is driven over a pipe, so its repetitions interleave
// with ours. Missing python3 or torch → the rows are skipped with the reason, never an error.
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

/**
 * Debian's python3-torch does its GEMMs in whatever libblas.so.3 the system provides: by
 * default the reference BLAS (~5 GFLOP/s here), far slower than the MKL inside pip's wheels.
 * So PyTorch runs as found, and — when Debian's OpenBLAS is installed — a second time on
 * OpenBLAS (LD_LIBRARY_PATH for that process only, OPENBLAS_NUM_THREADS=1), which is the
 * realistic comparison; the PyTorch targets are judged on the faster of the two.
 */
export function torchVariants(): { env: Record<string, string> }[] {
  const v: { env: Record<string, string> }[] = [{ env: {} }];
  if (existsSync(path.join(OPENBLAS_DIR, 'libblas.so.3'))) v.push({ env: { LD_LIBRARY_PATH: OPENBLAS_DIR, OPENBLAS_NUM_THREADS: '1' } });
  return v;
}

type Reply = Record<string, unknown> & { error?: string };

export class Torch {
  private readonly pending: ((r: Reply) => void)[] = [];
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'rnn-wasm-bench-'));
  private files = 0;
  info = '';
  version = '';
  /** 'PyTorch OpenBLAS', 'PyTorch ref-BLAS' or 'PyTorch' (other BLAS), from the library it loaded. */
  system = 'PyTorch';
  blas = '';

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

  /** Start the server, or say why PyTorch is not available. */
  static async start(env: Record<string, string> = {}): Promise<Torch | string> {
    if (!existsSync(PYTHON)) return `${PYTHON} not found`;
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', ...env } });
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
    t.blas = libs.find((l) => /openblas/i.test(l)) ?? libs[0] ?? 'unknown';
    t.system = /openblas/i.test(t.blas) ? 'PyTorch OpenBLAS' : /\/blas\/libblas/.test(t.blas) ? 'PyTorch ref-BLAS' : 'PyTorch';
    t.info = `torch ${hello.torch}, Python ${hello.python}, torch.get_num_threads() = ${hello.threads}, BLAS ${t.blas}, ` +
      `its 512³ float32 matmul on one core: ${Number(hello.gemm512).toFixed(1)} GFLOP/s` +
      (Object.keys(env).length ? ` (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})` : '');
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
      system: this.system, tokens: tokens(c), note,
      time: async (calls) => Number((await this.ok({ op: 'time', key, kind, calls })).sec),
    });
    return {
      train: job('train', 'zero_grad, forward, CrossEntropyLoss/MSELoss, backward, SGD step'),
      infer: job('infer', 'inference_mode forward → logits'),
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
