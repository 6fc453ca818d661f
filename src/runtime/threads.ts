import type { Arena } from './arena.js';
import type { Kernels } from './kernels.js';

/**
 * @internal How a runtime starts the threads of the threaded build: Node's worker_threads or
 * Web Workers. Each worker instantiates the same compiled module on the same shared memory and
 * runs its `worker_loop` (assembly/parallel.ts) until the pool ends. Browsers load this (and the
 * pool) only where threads can run: the loader imports nothing of it but types.
 */
export interface ThreadHost {
  /** Logical cores the runtime reports. */
  cores: number;
  /** Cores `threads: 'auto'` leaves free: 1 in a browser's Web Worker (its page's main thread needs one), else 0. */
  reserve: number;
  /** Whether the calling thread may sleep in `Atomics.wait` (not a browser's main thread: it spins there). */
  mayBlock: boolean;
  /** Start worker `tid`; resolves once it waits for jobs. */
  spawn(start: WorkerStart): Promise<PoolWorker>;
  /** The pool of this host's workers for a loaded threaded build. */
  pool(module: WebAssembly.Module, kernels: Kernels, arena: Arena): ThreadPool;
}

/** @internal What a worker gets. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  /** Its thread-local scratch (gemm's packed block), from the arena. */
  scratch: number;
}

/** @internal A started worker. */
export interface PoolWorker {
  /** Ends the thread; resolves when it has exited. */
  terminate(): Promise<void>;
}

/**
 * @internal The script every worker runs, for `new Worker` of either kind: `post(0)` once it is
 * ready (the job generation it starts from is read before that, so no job can slip past it),
 * then the wasm loop, which returns only when the pool ends.
 */
export const WORKER_BODY = `
  const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory, now: () => performance.now() } }).exports;
  k.thread_setup(d.scratch);
  const gen = k.worker_generation();
  post(0);
  k.worker_loop(d.tid, gen);`;

/**
 * @internal The workers of the threaded build. Thread 0 is the caller; workers 1 … n−1 wait for
 * jobs in wasm. A smaller count leaves the extra workers parked (asleep, no CPU); `terminate`
 * ends them all.
 */
export class ThreadPool {
  private workers: { worker: PoolWorker; scratch: number }[] = [];
  private size = 1;

  constructor(
    private readonly host: ThreadHost,
    private readonly module: WebAssembly.Module,
    private readonly kernels: Kernels,
    private readonly arena: Arena,
  ) {
    kernels.set_may_block(host.mayBlock ? 1 : 0);
  }

  get threads(): number {
    return this.size;
  }

  get cores(): number {
    return this.host.cores;
  }

  /** Use `n` threads (the caller included), starting workers as needed. */
  async resize(n: number): Promise<void> {
    while (this.workers.length < n - 1) {
      const scratch = this.arena.alloc(this.kernels.thread_scratch_bytes(), 'thread scratch');
      try {
        const worker = await this.host.spawn({ module: this.module, memory: this.kernels.memory, tid: this.workers.length + 1, scratch });
        this.workers.push({ worker, scratch });
      } catch (e) {
        this.arena.free(scratch);
        throw e;
      }
    }
    this.size = n;
    this.kernels.set_pool(n);
  }

  /** End every worker; the caller alone runs the kernels until the next resize. */
  async terminate(): Promise<void> {
    this.size = 1;
    this.kernels.set_pool(1);
    if (this.workers.length === 0) return;
    this.kernels.pool_exit(); // their loops return
    const ending = this.workers;
    this.workers = [];
    await Promise.all(ending.map((w) => w.worker.terminate()));
    for (const w of ending) this.arena.free(w.scratch);
    this.kernels.pool_reset();
  }
}
