// GEMM against a plain float64 reference on awkward sizes, in the three forms BPTT uses,
// with and without accumulation and bias. Error bound: the classical forward bound for a
// float32 dot product, |ours − exact| ≤ 2·(K + 2)·u·Σ_k |a_ik·b_kj| with u = 2⁻²⁴.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernels, randoms } from '../support/wasm.js';

let W: Awaited<ReturnType<typeof kernels>>;
beforeAll(async () => { W = await kernels(); });
afterAll(() => W.release());

type Variant = 'NN' | 'NT' | 'TN';
const U = 2 ** -24;

// op(A) [M,K], op(B) [K,N] as stored for the variant: NN A[M,K] B[K,N]; NT A[M,K] B[N,K]; TN A[K,M] B[K,N]
function run(v: Variant, M: number, N: number, K: number, opts: { accumulate?: boolean; bias?: boolean; ldcPad?: number } = {}) {
  const { k, put, alloc, get } = W;
  const A = randoms(M * K, M * 7 + K * 13 + 1);
  const B = randoms(K * N, N * 5 + K * 3 + 2);
  const ldc = N + (opts.ldcPad ?? 0);
  const C0 = randoms(M * ldc, 99);
  const bias = opts.bias ? randoms(N, 42) : undefined;
  const a = put(A), b = put(B), c = put(C0), bp = alloc(k.gemm_packed_size(K, N));
  const biasPtr = bias ? put(bias) : 0;
  if (v === 'NT') k.gemm_pack_b(bp, b, K, N, 1, K);
  else k.gemm_pack_b(bp, b, K, N, N, 1);
  if (v === 'TN') k.gemm(c, ldc, a, 1, M, bp, biasPtr, M, N, K, opts.accumulate ? 1 : 0);
  else k.gemm(c, ldc, a, K, 1, bp, biasPtr, M, N, K, opts.accumulate ? 1 : 0);
  const C = get(c, M * ldc);
  let worst = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < ldc; j++) {
      if (j >= N) { // padding columns of C must be untouched
        expect(C[i * ldc + j]).toBe(C0[i * ldc + j]);
        continue;
      }
      let s = 0, mag = 0;
      for (let kk = 0; kk < K; kk++) {
        const av = v === 'TN' ? A[kk * M + i] : A[i * K + kk];
        const bv = v === 'NT' ? B[j * K + kk] : B[kk * N + j];
        s += av * bv;
        mag += Math.abs(av * bv);
      }
      if (bias) { s += bias[j]; mag += Math.abs(bias[j]); }
      if (opts.accumulate) { s += C0[i * ldc + j]; mag += Math.abs(C0[i * ldc + j]); }
      const err = Math.abs(C[i * ldc + j] - s);
      const bound = 2 * (K + 2) * U * mag + 1e-30;
      worst = Math.max(worst, err / bound);
    }
  }
  return worst; // ≤ 1 means within the bound
}

const SIZES = [1, 3, 7, 13, 33, 129];

describe('gemm on the sizes 1, 3, 7, 13, 33, 129 (all M×N×K combinations)', () => {
  for (const v of ['NN', 'NT', 'TN'] as Variant[]) {
    it(`${v}`, () => {
      let worst = 0;
      for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) {
        if (M * N * K > 129 * 129 * 33) continue; // the largest cubes are covered below
        worst = Math.max(worst, run(v, M, N, K));
      }
      expect(worst).toBeLessThanOrEqual(1);
    });
  }
});

describe('gemm non-square mixes, blocking boundaries, accumulate, bias, strided C', () => {
  const shapes: [number, number, number][] = [
    [129, 129, 129], [2, 257, 300], [200, 9, 513], [97, 64, 256], [96, 8, 257], [5, 2048, 17], [64, 65, 1],
  ];
  for (const v of ['NN', 'NT', 'TN'] as Variant[]) {
    for (const [M, N, K] of shapes) {
      it(`${v} ${M}×${N}×${K}`, () => {
        expect(run(v, M, N, K)).toBeLessThanOrEqual(1);
        expect(run(v, M, N, K, { accumulate: true })).toBeLessThanOrEqual(1);
        expect(run(v, M, N, K, { bias: true, ldcPad: 3 })).toBeLessThanOrEqual(1);
        expect(run(v, M, N, K, { bias: true, accumulate: true, ldcPad: 5 })).toBeLessThanOrEqual(1);
      });
    }
  }
});

describe('gemm K = 0', () => {
  it('writes the bias (or zeros), or leaves C when accumulating without bias', () => {
    const { k, put, alloc, get } = W;
    const c = put([1, 2, 3, 4, 5, 6]);
    const bias = put([10, 20, 30]);
    const bp = alloc(8);
    k.gemm(c, 3, 0, 0, 1, bp, 0, 2, 3, 0, 1);
    expect(Array.from(get(c, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    k.gemm(c, 3, 0, 0, 1, bp, bias, 2, 3, 0, 1);
    expect(Array.from(get(c, 6))).toEqual([11, 22, 33, 14, 25, 36]);
    k.gemm(c, 3, 0, 0, 1, bp, 0, 2, 3, 0, 0);
    expect(Array.from(get(c, 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

/**
 * Check C [M×ldc] = x·Wᵀ (+ bias, or + C0 when accumulating) against the float64 reference:
 * padding columns untouched, and the worst error ÷ the dot-product bound returned (≤ 1 passes).
 * `exact(i, j, s)` may add a per-element check given the reference s.
 */
function ntWorst(
  C: Float32Array, C0: Float32Array, A: Float32Array, lda: number, Wt: Float32Array, bias: Float32Array, acc: number,
  M: number, N: number, K: number, ldc: number, exact?: (i: number, j: number, s: number) => void,
): number {
  let worst = 0;
  for (let i = 0; i < M; i++) for (let j = 0; j < ldc; j++) {
    if (j >= N) { expect(C[i * ldc + j]).toBe(C0[i * ldc + j]); continue; }
    let s = acc ? C0[i * ldc + j] : bias[j], mag = Math.abs(s);
    for (let q = 0; q < K; q++) { s += A[i * lda + q] * Wt[j * K + q]; mag += Math.abs(A[i * lda + q] * Wt[j * K + q]); }
    worst = Math.max(worst, Math.abs(C[i * ldc + j] - s) / (2 * (K + 2) * U * mag + 1e-30));
    exact?.(i, j, s);
  }
  return worst;
}

describe('gemm_nt_rows (unpacked x·Wᵀ for a few rows: streaming)', () => {
  it('matches the reference on M ∈ {1..4} × every N, K from {1, 3, 7, 13, 33, 129}, with bias, accumulation and strides', () => {
    const { k, put, get } = W;
    let worst = 0;
    for (const M of [1, 2, 3, 4]) for (const N of SIZES) for (const K of SIZES) for (const acc of [0, 1]) {
      const lda = K + 2, ldc = N + 1;
      const A = randoms(M * lda, M + K), Wt = randoms(N * K, N * 3 + K), bias = randoms(N, N), C0 = randoms(M * ldc, 5);
      const c = put(C0);
      k.gemm_nt_rows(c, ldc, put(A), lda, put(Wt), acc ? 0 : put(bias), M, N, K, acc);
      worst = Math.max(worst, ntWorst(get(c, M * ldc), C0, A, lda, Wt, bias, acc, M, N, K, ldc));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('gemm_nt_rows on sparse rows (one-hot inputs, zero states: only the nonzero columns are read)', () => {
  it('matches the reference with 0, 1, 2 and K/8 nonzeros per row, with bias, accumulation and strides', () => {
    const { k, put, get } = W;
    let worst = 0;
    for (const M of [1, 3]) for (const N of SIZES) for (const K of [8, 13, 33, 129, 200]) for (const acc of [0, 1]) {
      for (const nnz of [0, 1, 2, Math.floor(K / 8)]) {
        const lda = K + 1, ldc = N + 2;
        const A = new Float32Array(M * lda);
        const r = randoms(M * nnz * 2 + 1, K * 7 + nnz);
        for (let i = 0; i < M; i++) for (let q = 0; q < nnz; q++) A[i * lda + Math.floor(((r[(i * nnz + q) * 2] + 1) / 2) * K) % K] = r[(i * nnz + q) * 2 + 1];
        const Wt = randoms(N * K, N + K * 5), bias = randoms(N, N + 3), C0 = randoms(M * ldc, 6);
        const c = put(C0);
        k.gemm_nt_rows(c, ldc, put(A), lda, put(Wt), acc ? 0 : put(bias), M, N, K, acc);
        worst = Math.max(worst, ntWorst(get(c, M * ldc), C0, A, lda, Wt, bias, acc, M, N, K, ldc));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('linear_fwd (x·Wᵀ + b as layers call it: in place for few or sparse rows, else packed)', () => {
  it('matches the reference for one-hot, sparse, zero and dense rows, every row count from 1 to 40', () => {
    const { k, put, alloc, get } = W;
    let worst = 0;
    for (const M of [1, 5, 13, 40]) for (const N of [1, 7, 33, 129]) for (const K of [8, 65, 129]) {
      for (const kind of ['one-hot', 'sparse', 'zero', 'one dense row'] as const) {
        const lda = K, ldc = N;
        const A = new Float32Array(M * lda);
        const r = randoms(M * 4 + lda, M * 31 + K + N);
        for (let i = 0; i < M; i++) {
          const at = (q: number) => i * lda + Math.floor(((r[i * 4 + q] + 1) / 2) * K) % K;
          if (kind === 'one-hot') A[at(0)] = 1;
          if (kind === 'sparse') { A[at(0)] = r[i * 4 + 2]; A[at(1)] = r[i * 4 + 3]; }
        }
        if (kind === 'one dense row') A.set(randoms(K, K), (M - 1) * lda); // the packed GEMM then
        const Wt = randoms(N * K, N * 3 + K), bias = randoms(N, N + 9), C0 = randoms(M * ldc, 8);
        const c = put(C0);
        k.linear_fwd(c, put(A), put(Wt), put(bias), M, N, K, alloc(k.linear_ws(M, N, K)));
        const C = get(c, M * ldc);
        // one nonzero per row: the product itself, rounded once, plus the bias, as the dense kernels give
        const oneHotExact = (i: number, j: number, s: number) => expect(C[i * ldc + j]).toBe(Math.fround(Math.fround(s - bias[j]) + bias[j]));
        worst = Math.max(worst, ntWorst(C, C0, A, lda, Wt, bias, 0, M, N, K, ldc, kind === 'one-hot' ? oneHotExact : undefined));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('linear_bwd bias gradient (column sums over T·B rows)', () => {
  it('adds the column sums of ∂E/∂y into db on rows × cols from {1, 3, 7, 13, 33, 129}', () => {
    const { k, put, get, alloc } = W;
    let worst = 0;
    for (const rows of SIZES) for (const cols of SIZES) {
      const src = randoms(rows * cols, rows * 11 + cols), d1 = randoms(cols, cols + 1);
      const p1 = put(d1);
      // dW [cols, 1], dx [rows, 1]: a Linear of one input feature
      k.linear_bwd(alloc(cols), p1, alloc(rows), put(src), put(randoms(rows, 2)), put(randoms(cols, 3)), rows, cols, 1, alloc(k.linear_ws(rows, cols, 1)));
      const got1 = get(p1, cols);
      for (let j = 0; j < cols; j++) {
        let s = 0, mag = 0;
        for (let r = 0; r < rows; r++) { s += src[r * cols + j]; mag += Math.abs(src[r * cols + j]); }
        const bound = 2 * (rows + 2) * U * (mag + Math.abs(d1[j])) + 1e-30;
        worst = Math.max(worst, Math.abs(got1[j] - (d1[j] + s)) / bound);
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});
