// GEMM cases: C = op(A)·op(B) through the packed-B API, each checked against a float64 JS
// reference before it is timed, then timed as pack alone, gemm alone and pack + gemm.
import { getRuntime } from '../src/runtime/loader.js';
import { item, type Item } from './timing.js';
import { randoms } from '../test/support/wasm.js';

export type Variant = 'NN' | 'NT' | 'TN';

export interface GemmCase {
  readonly name: string;
  readonly v: Variant;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** Timed items, keyed `${name}:gemm`, `${name}:pack`, `${name}:pack+gemm`. */
  readonly items: Item[];
  /** Human-readable call, for the table. */
  readonly config: string;
  /** max |C − ref| / max |ref| of the check. */
  readonly relErr: number;
}

export const REL_TOL = 1e-4;

// the same seeded uniform(−1, 1) values as the tests
export { randoms };

/**
 * Strides per variant, as the layers use them:
 *   NN  A [M,K], B [K,N]            : sai = K, sak = 1;  pack sbk = N, sbj = 1
 *   NT  A [M,K], B stored [N,K] (Bᵀ) : sai = K, sak = 1;  pack sbk = 1, sbj = K
 *   TN  A stored [K,M] (Aᵀ), B [K,N] : sai = 1, sak = M;  pack sbk = N, sbj = 1
 */
function strides(v: Variant, M: number, K: number, N: number) {
  return {
    sai: v === 'TN' ? 1 : K,
    sak: v === 'TN' ? M : 1,
    sbk: v === 'NT' ? 1 : N,
    sbj: v === 'NT' ? K : 1,
  };
}

/**
 * float64 reference: densify op(A) and op(B) row-major, then i-k-j loops (contiguous inner
 * loop, so 512³ takes well under a second).
 */
function reference(A: Float32Array, B: Float32Array, v: Variant, M: number, K: number, N: number): Float64Array {
  const { sai, sak, sbk, sbj } = strides(v, M, K, N);
  const a = new Float64Array(M * K);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) a[i * K + k] = A[i * sai + k * sak];
  const b = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) b[k * N + j] = B[k * sbk + j * sbj];
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      const bk = k * N;
      for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

export function gemmCase(name: string, v: Variant, M: number, K: number, N: number, seed: number): GemmCase {
  const { kernels: k, arena } = getRuntime();
  const { sai, sak, sbk, sbj } = strides(v, M, K, N);
  const A = randoms(M * K, seed);
  const B = randoms(K * N, seed + 1);
  const a = arena.alloc(M * K * 4, `bench ${name} A`);
  const b = arena.alloc(K * N * 4, `bench ${name} B`);
  const bp = arena.alloc(k.gemm_packed_size(K, N) * 4, `bench ${name} packed B`);
  const c = arena.alloc(M * N * 4, `bench ${name} C`);
  // views after all allocs: an alloc may grow memory and detach earlier views
  arena.f32(a, M * K).set(A);
  arena.f32(b, K * N).set(B);
  arena.f32(c, M * N).fill(NaN); // an output the kernel never writes shows up as NaN

  k.gemm_pack_b(bp, b, K, N, sbk, sbj);
  k.gemm(c, N, a, sai, sak, bp, 0, M, N, K, 0);
  const C = arena.f32(c, M * N);
  const ref = reference(A, B, v, M, K, N);
  let maxRef = 0, maxErr = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    const e = Math.abs(C[i] - ref[i]);
    maxErr = Number.isNaN(e) ? Infinity : Math.max(maxErr, e);
  }
  const relErr = maxErr / maxRef;
  if (!(relErr < REL_TOL)) {
    throw new Error(
      `bench: GEMM ${name} (${v}, M=${M} K=${K} N=${N}) is WRONG: max |C − ref| / max |ref| = ${relErr} ` +
        `(tolerance ${REL_TOL}); refusing to time a wrong kernel. Rebuild build/rnn.wasm and run the tests.`,
    );
  }

  const flops = 2 * M * N * K;
  const pack = () => k.gemm_pack_b(bp, b, K, N, sbk, sbj);
  const gemm = () => k.gemm(c, N, a, sai, sak, bp, 0, M, N, K, 0);
  const items = [
    item(`${name}:gemm`, flops, gemm),
    item(`${name}:pack`, flops, pack), // work = the GEMM's flops, unused: only its time is reported
    item(`${name}:pack+gemm`, flops, () => { pack(); gemm(); }),
  ];
  const opA = v === 'TN' ? `Aᵀ, A[${K},${M}]` : `A[${M},${K}]`;
  const opB = v === 'NT' ? `Bᵀ, B[${N},${K}]` : `B[${K},${N}]`;
  const config = `${M}×${K}·${K}×${N}: ${opA} · ${opB} (sai ${sai}, sak ${sak}; pack sbk ${sbk}, sbj ${sbj})`;
  return { name, v, M, K, N, items, config, relErr };
}
