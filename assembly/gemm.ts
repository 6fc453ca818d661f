// C (+)= op(A) · op(B) (+ bias), f32, row-major C, SIMD f32x4, register-blocked 4×8.
//
// op(B) is first packed into panels 8 columns wide, [ceil(N/8)][K][8], zero padded, so
// the inner loop reads B as two contiguous f32x4 per k whatever B's own layout was
// (B as stored, or Bᵀ). op(A) is read in place through element strides, which covers
// A and Aᵀ: element (i, k) of op(A) is at A + 4·(i·sai + k·sak).
//
// The three products backpropagation through time needs, with W [G·H, I] as PyTorch stores it:
//   forward   X·Wᵀ   : A = X (sai = ld, sak = 1),  B packed from W with sbk = 1,  sbj = ld
//   input grad δ·W   : A = δ (sai = ld, sak = 1),  B packed from W with sbk = ld, sbj = 1
//   weight grad δᵀ·X : A = δ (sai = 1, sak = ld),  B packed from X with sbk = ld, sbj = 1
//
// op(A) is packed too, per MC×KC block, into 4-row panels [MC/4][KC][4]: the micro-kernel
// then reads A through one pointer advancing 16 bytes per k whatever A's strides were (for
// Aᵀ, the weight-gradient form, that turns a 2 KB stride per k into a contiguous stream).
// The block is packed once and reused across all N/8 panels of B. Rows left over from the
// 4-row groups are read in place by a 1-row kernel.
//
// Blocking: K in slabs of KC (a slab of one panel stays in L1 while every row block of A
// streams past it), M in blocks of MC rows (an A block stays in L2 across all panels).

import { madd } from './fma';
import { barrier, shareStart } from './parallel';
import { ld, st } from './activations';

const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 96;

// Thread-local scratch (kernels never allocate): the packed MC×KC block of op(A), the column tail
// of C (fewer than 8 valid columns) and sparseRow's nonzero indices. The static blocks are the
// calling thread's; each worker's instance is pointed at blocks of its own by thread_setup.
const APACK_BYTES: usize = MC * KC * 4;
const SPARSE_MAX: i32 = 16;
let APACK: usize = memory.data(<i32>APACK_BYTES, 64);
let TAIL: usize = memory.data(32, 16);
let NZ: usize = memory.data(SPARSE_MAX * 4, 16);

// Bytes of thread-local scratch a worker needs (64-byte aligned).
export function thread_scratch_bytes(): i32 {
  return <i32>APACK_BYTES + 32 + SPARSE_MAX * 4;
}

// Point this instance's scratch at `p` (thread_scratch_bytes() bytes, 64-byte aligned).
export function thread_setup(p: usize): void {
  APACK = p;
  TAIL = p + APACK_BYTES;
  NZ = TAIL + 32;
}

// Pack rows [0, 4·groups) × k [0, kc) of op(A) (at a, byte strides sai, sak) as [g][k][4].
// (Not inlined, nor is kernel1x8: once per block or per left-over row, and gemm alone compiles faster.)
function packA(a: usize, sai: usize, sak: usize, groups: i32, kc: i32): void {
  let d = APACK;
  for (let g = 0; g < groups; g++) {
    const r = a + <usize>(4 * g) * sai;
    if (sai == 4) {
      // Aᵀ: the 4 rows of a group are adjacent floats at every k
      let s = r;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        s += sak;
        d += 16;
      }
    } else {
      let s0 = r, s1 = r + sai, s2 = r + 2 * sai, s3 = r + 3 * sai;
      let k = 0;
      if (sak == 4) {
        // rows stored with k contiguous (activations, gradients): four k at a time, a 4×4
        // transpose in registers
        for (; k + 4 <= kc; k += 4) {
          const r0 = v128.load(s0), r1 = v128.load(s1), r2 = v128.load(s2), r3 = v128.load(s3);
          const a = i32x4.shuffle(r0, r1, 0, 4, 1, 5), b = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
          const c = i32x4.shuffle(r0, r1, 2, 6, 3, 7), e = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          v128.store(d, i32x4.shuffle(a, b, 0, 1, 4, 5));
          v128.store(d, i32x4.shuffle(a, b, 2, 3, 6, 7), 16);
          v128.store(d, i32x4.shuffle(c, e, 0, 1, 4, 5), 32);
          v128.store(d, i32x4.shuffle(c, e, 2, 3, 6, 7), 48);
          s0 += 16; s1 += 16; s2 += 16; s3 += 16;
          d += 64;
        }
      }
      for (; k < kc; k++) {
        store<f32>(d, load<f32>(s0));
        store<f32>(d, load<f32>(s1), 4);
        store<f32>(d, load<f32>(s2), 8);
        store<f32>(d, load<f32>(s3), 12);
        s0 += sak; s1 += sak; s2 += sak; s3 += sak;
        d += 16;
      }
    }
  }
}

// Floats a packed op(B) of K×N occupies.
export function gemm_packed_size(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) & ~(NR - 1));
}

// Pack op(B) (K×N, element (k, j) at B + 4·(k·sbk + j·sbj)) into dst as 8-wide panels.
export function gemm_pack_b(dst: usize, B: usize, K: i32, N: i32, sbk: i32, sbj: i32): void {
  packPanels(dst, B, K, N, sbk, sbj, 0, (N + NR - 1) / NR);
}

// Thread tid of n packs its share of the panels of op(B) (the others pack the rest; a barrier
// must pass before the packed B is read).
export function packShare(dst: usize, B: usize, K: i32, N: i32, sbk: i32, sbj: i32, tid: i32, n: i32): void {
  const panels = (N + NR - 1) / NR;
  packPanels(dst, B, K, N, sbk, sbj, shareStart(panels, 1, tid, n), shareStart(panels, 1, tid + 1, n));
}

// Panels [p0, p1) of op(B).
function packPanels(dst: usize, B: usize, K: i32, N: i32, sbk: i32, sbj: i32, p0: i32, p1: i32): void {
  const bk = <usize>sbk << 2;
  const bj = <usize>sbj << 2;
  for (let p = p0; p < p1; p++) {
    const j0 = p * NR;
    const w = min(NR, N - j0);
    let d = dst + (<usize>p * <usize>K * NR << 2);
    const col0 = B + <usize>j0 * bj;
    if (w == NR && sbj == 1) {
      let s = col0;
      for (let k = 0; k < K; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += bk;
        d += NR << 2;
      }
    } else if (sbk == 1) {
      // B stored with k contiguous (the Wᵀ case): walk each source row once.
      for (let jj = 0; jj < NR; jj++) {
        let o = d + (<usize>jj << 2);
        if (jj < w) {
          let s = col0 + <usize>jj * bj;
          for (let k = 0; k < K; k++) {
            store<f32>(o, load<f32>(s));
            s += 4;
            o += NR << 2;
          }
        } else {
          for (let k = 0; k < K; k++) {
            store<f32>(o, 0);
            o += NR << 2;
          }
        }
      }
    } else {
      let s = col0;
      for (let k = 0; k < K; k++) {
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(d + (<usize>jj << 2), jj < w ? load<f32>(s + <usize>jj * bj) : 0);
        }
        s += bk;
        d += NR << 2;
      }
    }
  }
}

// Write one row of the 4×8 tile: c = v (+ bias) (+ c when acc), first `w` columns.
// @ts-ignore: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, bias: usize, acc: bool, w: i32): void {
  if (w == NR) {
    if (bias) {
      v0 = f32x4.add(v0, v128.load(bias));
      v1 = f32x4.add(v1, v128.load(bias, 16));
    }
    if (acc) {
      v0 = f32x4.add(v0, v128.load(c));
      v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else {
    v128.store(TAIL, v0);
    v128.store(TAIL, v1, 16);
    storeTail(c, bias, acc, w);
  }
}

// The first w < 8 columns of a tile row (the last panel of a width not a multiple of 8), from
// TAIL. Not inlined: eight copies of this loop in gemm made V8's optimising compile of gemm
// slower, which a fresh process waits for.
function storeTail(c: usize, bias: usize, acc: bool, w: i32): void {
  for (let j = 0; j < w; j++) {
    const o = <usize>j << 2;
    let x = load<f32>(TAIL + o);
    if (bias) x += load<f32>(bias + o);
    if (acc) x += load<f32>(c + o);
    store<f32>(c + o, x);
  }
}

// 4 rows × 8 columns over kc steps of k; a: packed A, 4 floats per k.
// @ts-ignore: decorator
@inline function kernel4x8(
  c: usize, ldc: usize, a: usize, b: usize, kc: i32, bias: usize, acc: bool, w: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = a + (<usize>kc << 4);
  while (a < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a += 16;
    b += NR << 2;
  }
  storeRow(c, c00, c01, bias, acc, w);
  storeRow(c + ldc, c10, c11, bias, acc, w);
  storeRow(c + 2 * ldc, c20, c21, bias, acc, w);
  storeRow(c + 3 * ldc, c30, c31, bias, acc, w);
}

// 1 row × 8 columns: the rows left over when M is not a multiple of 4 (and GEMV, M = 1).
function kernel1x8(
  c: usize, a: usize, sak: usize, b: usize, kc: i32, bias: usize, acc: bool, w: i32,
): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0); // second chain: halves the add latency chain
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    const x = v128.load32_splat(a);
    const y = v128.load32_splat(a + sak);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    d0 = madd(y, v128.load(b, 32), d0);
    d1 = madd(y, v128.load(b, 48), d1);
    a += 2 * sak;
    b += 2 * NR << 2;
  }
  if (k < kc) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
  }
  storeRow(c, f32x4.add(c0, d0), f32x4.add(c1, d1), bias, acc, w);
}

// C[M×N] (row stride ldc) = or += op(A)[M×K] · op(B)[K×N] (+ bias[N] broadcast over rows).
// Bp: op(B) packed by gemm_pack_b. bias: 0 for none. accumulate: 0 → C =, 1 → C +=.
// K = 0 is allowed: then C = bias (or 0), or is left as is when accumulating.
export function gemm(
  C: usize, ldc: i32, A: usize, sai: i32, sak: i32, Bp: usize, bias: usize,
  M: i32, N: i32, K: i32, accumulate: i32,
): void {
  const panels = (N + NR - 1) / NR;
  const ldcB = <usize>ldc << 2;
  const saiB = <usize>sai << 2;
  const sakB = <usize>sak << 2;
  if (K == 0) {
    if (accumulate && !bias) return;
    for (let i = 0; i < M; i++) {
      const c = C + <usize>i * ldcB;
      for (let j = 0; j < N; j++) {
        const o = <usize>j << 2;
        let v: f32 = bias ? load<f32>(bias + o) : 0;
        if (accumulate) v += load<f32>(c + o);
        store<f32>(c + o, v);
      }
    }
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const acc = accumulate != 0 || k0 > 0;
    const bs = k0 == 0 ? bias : 0;
    const aK = A + <usize>k0 * sakB;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const i1 = min(M, i0 + MC);
      const groups = (i1 - i0) >> 2;
      packA(aK + <usize>i0 * saiB, saiB, sakB, groups, kc);
      const iRest = i0 + 4 * groups;
      for (let p = 0; p < panels; p++) {
        const j0 = p * NR;
        const w = min(NR, N - j0);
        const b = Bp + ((<usize>p * <usize>K + <usize>k0) * NR << 2);
        const biasP = bs ? bs + (<usize>j0 << 2) : 0;
        const cP = C + (<usize>j0 << 2);
        for (let g = 0; g < groups; g++) {
          kernel4x8(cP + <usize>(i0 + 4 * g) * ldcB, ldcB, APACK + (<usize>(g * kc) << 4), b, kc, biasP, acc, w);
        }
        for (let i = iRest; i < i1; i++) {
          kernel1x8(cP + <usize>i * ldcB, aK + <usize>i * saiB, sakB, b, kc, biasP, acc, w);
        }
      }
    }
  }
}

// Horizontal sum of four lanes.
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, i32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

// C[M×N] (row stride ldc) = or += A[M×K] (row stride lda) · Wᵀ (+ bias[N]), with W [N×K] as
// stored (row-major, PyTorch's layout) and NOT packed: for calls with a handful of rows
// (streaming one step at a time, batch 1), where packing W would cost more than the product.
// Eight rows of W at a time, dot products along K in f32x4. A row of A that is almost all zeros
// (a one-hot input, a zero initial state) reads only the columns of W under its nonzeros: reading
// all of W is what a step costs at batch 1, so a one-hot x·W_ihᵀ becomes a column gather.
export function gemm_nt_rows(
  C: usize, ldc: i32, A: usize, lda: i32, W: usize, bias: usize, M: i32, N: i32, K: i32, accumulate: i32,
): void {
  const rowW = <usize>K << 2;
  const K4 = K & ~3;
  for (let i = 0; i < M; i++) {
    const a = A + (<usize>i * <usize>lda << 2);
    const c = C + (<usize>i * <usize>ldc << 2);
    if (sparseRow(c, a, W, bias, N, K, accumulate)) continue;
    let n = 0;
    // eight rows of W per pass: one load of x feeds eight independent multiply-add chains
    for (; n + 8 <= N; n += 8) {
      const w0 = W + <usize>n * rowW;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const av = v128.load(a + o);
        const w = w0 + o;
        s0 = madd(av, v128.load(w), s0);
        s1 = madd(av, v128.load(w + rowW), s1);
        s2 = madd(av, v128.load(w + 2 * rowW), s2);
        s3 = madd(av, v128.load(w + 3 * rowW), s3);
        s4 = madd(av, v128.load(w + 4 * rowW), s4);
        s5 = madd(av, v128.load(w + 5 * rowW), s5);
        s6 = madd(av, v128.load(w + 6 * rowW), s6);
        s7 = madd(av, v128.load(w + 7 * rowW), s7);
      }
      let lo = f32x4(hsum(s0), hsum(s1), hsum(s2), hsum(s3));
      let hi = f32x4(hsum(s4), hsum(s5), hsum(s6), hsum(s7));
      if (K4 < K) {
        // scalar tail of K: the same for the eight rows
        let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0, t4: f32 = 0, t5: f32 = 0, t6: f32 = 0, t7: f32 = 0;
        for (let k = K4; k < K; k++) {
          const o = <usize>k << 2;
          const x = load<f32>(a + o);
          const w = w0 + o;
          t0 += x * load<f32>(w); t1 += x * load<f32>(w + rowW);
          t2 += x * load<f32>(w + 2 * rowW); t3 += x * load<f32>(w + 3 * rowW);
          t4 += x * load<f32>(w + 4 * rowW); t5 += x * load<f32>(w + 5 * rowW);
          t6 += x * load<f32>(w + 6 * rowW); t7 += x * load<f32>(w + 7 * rowW);
        }
        lo = f32x4.add(lo, f32x4(t0, t1, t2, t3));
        hi = f32x4.add(hi, f32x4(t4, t5, t6, t7));
      }
      const co = c + (<usize>n << 2);
      if (bias) {
        lo = f32x4.add(lo, v128.load(bias + (<usize>n << 2)));
        hi = f32x4.add(hi, v128.load(bias + (<usize>n << 2), 16));
      }
      if (accumulate) {
        lo = f32x4.add(lo, v128.load(co));
        hi = f32x4.add(hi, v128.load(co, 16));
      }
      v128.store(co, lo);
      v128.store(co, hi, 16);
    }
    for (; n < N; n++) {
      const w = W + <usize>n * rowW;
      let s = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) s = madd(v128.load(a + (<usize>k << 2)), v128.load(w + (<usize>k << 2)), s);
      let r = hsum(s);
      for (let k = K4; k < K; k++) r += load<f32>(a + (<usize>k << 2)) * load<f32>(w + (<usize>k << 2));
      if (bias) r += load<f32>(bias + (<usize>n << 2));
      if (accumulate) r += load<f32>(c + (<usize>n << 2));
      store<f32>(c + (<usize>n << 2), r);
    }
  }
}

// Whether every row of A [M×K] (row stride lda) has at most sparseLimit(K) nonzeros; stops at
// the first row that has more (a dense input costs a look at its first few values).
export function allRowsSparse(A: usize, lda: i32, M: i32, K: i32): bool {
  const limit = sparseLimit(K);
  if (limit == 0) return false;
  for (let i = 0; i < M; i++) {
    if (nonzeros(A + (<usize>i * <usize>lda << 2), K, limit) < 0) return false;
  }
  return true;
}

// The indices of a's nonzeros into NZ, and how many; -1 (stopping there) when more than `limit`.
function nonzeros(a: usize, K: i32, limit: i32): i32 {
  let nnz = 0;
  for (let k = 0; k < K; k++) {
    if (load<f32>(a + (<usize>k << 2)) != 0) {
      if (nnz == limit) return -1;
      store<i32>(NZ + (<usize>nnz << 2), k);
      nnz++;
    }
  }
  return nnz;
}

// @ts-ignore: decorator
@inline function sparseLimit(K: i32): i32 {
  return min(SPARSE_MAX, K >> 3);
}

// Where at most K/8 (and at most SPARSE_MAX) of a's K values are nonzero: c[n] (=|+=) Σ over
// those k of a[k]·W[n, k] (+ bias[n]), in the order the dense loop adds (products, bias, then c),
// so a single nonzero gives the same bits either way. Returns false (nothing written) otherwise.
function sparseRow(c: usize, a: usize, W: usize, bias: usize, N: i32, K: i32, accumulate: i32): bool {
  const nnz = nonzeros(a, K, sparseLimit(K));
  if (nnz < 0) return false;
  const rowW = <usize>K << 2;
  if (nnz == 1) {
    // one-hot: a column of W, scaled
    const o = <usize>load<i32>(NZ) << 2;
    const x = load<f32>(a + o);
    let w = W + o;
    for (let n = 0; n < N; n++) {
      let r = x * load<f32>(w);
      if (bias) r += load<f32>(bias + (<usize>n << 2));
      if (accumulate) r += load<f32>(c + (<usize>n << 2));
      store<f32>(c + (<usize>n << 2), r);
      w += rowW;
    }
    return true;
  }
  for (let n = 0; n < N; n++) {
    const w = W + <usize>n * rowW;
    let r: f32 = 0;
    for (let q = 0; q < nnz; q++) {
      const o = <usize>load<i32>(NZ + (<usize>q << 2)) << 2;
      r += load<f32>(a + o) * load<f32>(w + o);
    }
    if (bias) r += load<f32>(bias + (<usize>n << 2));
    if (accumulate) r += load<f32>(c + (<usize>n << 2));
    store<f32>(c + (<usize>n << 2), r);
  }
  return true;
}

// Rows at or below which x·Wᵀ skips packing (gemm_nt_rows); above it, packing pays for itself.
export const SMALL_ROWS: i32 = 4;

// ——— shares of one product for thread tid of n (see parallel.ts) ———
// Rows are shared in whole groups of 4, so a row gets the same kernel (4×8 or the left-over
// 1×8) as in a single call over all M rows, and so the same bits.

// Thread tid's rows of gemm(C, …, M, N, K, …); op(B) packed beforehand.
export function gemmShare(
  C: usize, ldc: i32, A: usize, sai: i32, sak: i32, Bp: usize, bias: usize,
  M: i32, N: i32, K: i32, accumulate: i32, tid: i32, n: i32,
): void {
  const r0 = shareStart(M, 4, tid, n), r1 = shareStart(M, 4, tid + 1, n);
  if (r1 > r0) gemm(C + (<usize>r0 * <usize>ldc << 2), ldc, A + (<usize>r0 * <usize>sai << 2), sai, sak, Bp, bias, r1 - r0, N, K, accumulate);
}

// How x·Wᵀ (matmulShare) runs, decided once for all M rows so every thread's share takes the same
// path: MATMUL_PACKED packs W and runs the blocked GEMM; MATMUL_ROWS reads W in place row by row
// (a few rows, where packing W would cost more than the product); MATMUL_SPARSE, when every row of
// x is sparse (one-hot inputs), gathers for each row the rows of Wᵀ under its nonzeros.
export const MATMUL_PACKED: i32 = 0;
export const MATMUL_ROWS: i32 = 1;
export const MATMUL_SPARSE: i32 = 2;
export function matmulMode(A: usize, lda: i32, M: i32, K: i32): i32 {
  if (M <= SMALL_ROWS) return MATMUL_ROWS;
  return allRowsSparse(A, lda, M, K) ? MATMUL_SPARSE : MATMUL_PACKED;
}

// Thread tid's share of C[M×N] (=|+=) A[M×K] · Wᵀ (+ bias), W [N×K] as stored (all n threads call
// it; it may pass a barrier). `mode`: matmulMode of the whole product. ws: gemm_packed_size(K, N)
// floats (the packed W, or Wᵀ).
export function matmulShare(
  C: usize, ldc: i32, A: usize, lda: i32, W: usize, bias: usize, M: i32, N: i32, K: i32, accumulate: i32, ws: usize,
  mode: i32, tid: i32, n: i32,
): void {
  const r0 = shareStart(M, 4, tid, n), r1 = shareStart(M, 4, tid + 1, n);
  if (mode == MATMUL_ROWS) {
    if (r1 > r0) gemm_nt_rows(C + (<usize>r0 * <usize>ldc << 2), ldc, A + (<usize>r0 * <usize>lda << 2), lda, W, bias, r1 - r0, N, K, accumulate);
    return;
  }
  if (mode == MATMUL_SPARSE) {
    transposeShare(ws, W, N, K, tid, n);
    barrier(n);
    for (let i = r0; i < r1; i++) sparseRowT(C + (<usize>i * <usize>ldc << 2), A + (<usize>i * <usize>lda << 2), ws, bias, N, K, accumulate);
    return;
  }
  packShare(ws, W, K, N, 1, K, tid, n);
  barrier(n);
  gemmShare(C, ldc, A, lda, 1, ws, bias, M, N, K, accumulate, tid, n);
}

// Thread tid's rows k of Wt [K×N] = Wᵀ, W [N×K].
function transposeShare(Wt: usize, W: usize, N: i32, K: i32, tid: i32, n: i32): void {
  const k1 = shareStart(K, 1, tid + 1, n);
  for (let k = shareStart(K, 1, tid, n); k < k1; k++) {
    let w = W + (<usize>k << 2), d = Wt + (<usize>k * <usize>N << 2);
    for (let j = 0; j < N; j++) {
      store<f32>(d, load<f32>(w));
      w += <usize>K << 2;
      d += 4;
    }
  }
}

// sparseRow through Wt = Wᵀ [K×N]: the rows of Wt under a's nonzeros are contiguous, so four
// outputs at a time. Each output is a multiply then adds in sparseRow's order (a single nonzero:
// its product; more: 0 plus each product in turn; then the bias, then c), never a fused
// multiply-add: the same bits as sparseRow. Every row of a is sparse (matmulMode said so).
function sparseRowT(c: usize, a: usize, Wt: usize, bias: usize, N: i32, K: i32, accumulate: i32): void {
  const nnz = nonzeros(a, K, sparseLimit(K)); // ≥ 0: matmulMode saw every row sparse
  const row = <usize>N << 2;
  for (let j = 0; j < N; j += 4) {
    const w = N - j, o = <usize>j << 2;
    let v: v128;
    if (nnz == 1) {
      const k = load<i32>(NZ);
      v = f32x4.mul(f32x4.splat(load<f32>(a + (<usize>k << 2))), ld(Wt + <usize>k * row + o, w));
    } else {
      v = f32x4.splat(0);
      for (let q = 0; q < nnz; q++) {
        const k = load<i32>(NZ + (<usize>q << 2));
        v = f32x4.add(v, f32x4.mul(f32x4.splat(load<f32>(a + (<usize>k << 2))), ld(Wt + <usize>k * row + o, w)));
      }
    }
    if (bias) v = f32x4.add(v, ld(bias + o, w));
    if (accumulate) v = f32x4.add(v, ld(c + o, w));
    st(c + o, v, w);
  }
}
