// The kernels against the machine: f32x4 peak, GEMM and single recurrent layers, timed in one
// interleaved series of rounds (see timing.ts), so the fractions of peak compare numbers taken
// under the same machine conditions. The peak is always measured: every GFLOP/s of the
// comparison rows is also given as a fraction of it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runtimeInfo, setThreads } from '../src/index.js';
import { gemmCase, REL_TOL, type GemmCase } from './gemm.js';
import { LAYER, layerCase } from './layers.js';
import { CHAINS, ITERS, peakItems, STEPS, type Chains } from './peak.js';
import { REP_MS, runRounds, stats, WARMUP_MS, warmUp, type Item, type Stats } from './timing.js';
import { G, ms, pct, table } from './format.js';

const REPS = 9;

export interface Micro {
  /** Median f32x4 peak, flop/s: mul+add, or fused multiply-add on the relaxed build (peakKind). */
  peak: number;
  /** The chain count that gave it (the rows' references use the same kernel). */
  peakChains: Chains;
  /** GEMM NN 512³ median, flop/s (when the GEMM part ran). */
  gemm512?: number;
  /** Markdown sections. */
  lines: string[];
  /** What the peak chains do. */
  peakKind: string;
  /** Facts about the build for the header. */
  wasmInfo: string;
  warnings: string[];
}

export async function runMicro(parts: { gemm: boolean; layers: boolean }): Promise<Micro> {
  const t0 = performance.now();
  // init() picks the relaxed-SIMD build where the runtime has it (Node 20: behind a flag); the
  // peak is then the fused multiply-add one, the ceiling of that build's kernels
  // one thread: this section sets the kernels against the one-core peak (threads: see the rows)
  await setThreads(1);
  const info = runtimeInfo();
  const relaxed = info.simd === 'relaxed';
  const peakKind = relaxed ? 'f32x4 fused multiply-add (relaxed_madd)' : 'f32x4 mul+add';
  const peak = await peakItems(relaxed);

  // Verification happens here, at construction: a case that fails throws before anything is timed.
  const cases: GemmCase[] = !parts.gemm ? [] : [
    gemmCase('NN 512³', 'NN', 512, 512, 512, 11),
    gemmCase('NT 512³', 'NT', 512, 512, 512, 21),
    gemmCase('TN 512³', 'TN', 512, 512, 512, 31),
    gemmCase('LSTM NN', 'NN', 32, 512, 2048, 41),
    gemmCase('LSTM NT', 'NT', 32, 512, 2048, 51), // the layer's own form: X·Wᵀ with W [4H, I]
  ];
  // TN packs B exactly as NN does; its pack alone would time the same thing twice
  const gemmItems = cases.flatMap((c) => c.items.filter((it) => !(c.v === 'TN' && it.key.endsWith(':pack'))));

  const layers = !parts.layers ? [] : [layerCase('LSTM'), layerCase('GRU'), layerCase('RNN (tanh)')];
  const layerItems = layers.flatMap((l) => [l.fwd, l.fwdBwd]);

  const all: Item[] = [...peak, ...gemmItems, ...layerItems];
  const tWarm = performance.now();
  for (const it of all) warmUp(it);
  const tRounds = performance.now();
  runRounds(all, REPS);
  const tEnd = performance.now();

  const S = new Map<string, Stats>(all.map((it) => [it.key, stats(it)]));
  const get = (key: string): Stats => {
    const s = S.get(key);
    if (!s) throw new Error(`bench: no result for ${key}`);
    return s;
  };

  // the build init() loaded (Node: the threaded one)
  const wasmPath = info.source.startsWith('file:') ? new URL(info.source) : new URL(`../build/${info.build === 'threads' ? 'rnn-threads' : 'rnn'}${info.simd === 'relaxed' ? '-relaxed' : ''}.wasm`, import.meta.url);
  const file = wasmPath.pathname.split('/').pop();
  const wasm = readFileSync(wasmPath);
  const wasmInfo = `rnn-wasm kernels: ${info.simd} SIMD, ${info.build === 'threads' ? 'threaded' : 'single-threaded'} build, build/${file} ${wasm.length} B, sha256 ${createHash('sha256').update(wasm).digest('hex').slice(0, 12)}, built ${statSync(wasmPath).mtime.toISOString()}`;

  // The kernels are timed as built: say so when assembly/ changed after the last build.
  const srcDir = new URL('../assembly/', import.meta.url);
  const newer = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && statSync(new URL(f, srcDir)).mtimeMs > statSync(wasmPath).mtimeMs);
  const warnings = newer.length
    ? [`**WARNING: assembly/${newer.join(', assembly/')} changed after build/${file} was built; these numbers are for the old build** (rebuild: npm run build)`]
    : [];

  const peakStats = CHAINS.map((n) => ({ n, s: get(`peak${n}`) }));
  const best = peakStats.reduce((a, b) => (b.s.rate > a.s.rate ? b : a));
  const PEAK = best.s.rate;

  const out: string[] = [];
  out.push(`Method: each item warmed up ≥ ${WARMUP_MS} ms, then ${REPS} repetitions of ≥ ${REP_MS} ms, taken round-robin over all items; ` +
    'median (and best = fastest repetition) shown. One thread (setThreads(1)): this section sets the kernels against the one-core peak measured in the same rounds.');
  out.push('');
  out.push(`### ${peakKind} peak (bench/assembly/peak.ts: N independent register chains acc = acc + acc·b, 2 flops/lane)`);
  out.push('');
  out.push(table(
    ['chains', 'config', 'median GFLOP/s', 'best GFLOP/s', 'ms/call'],
    peakStats.map(({ n, s }) => [n, `${n} chains × ${ITERS} iterations × ${STEPS} steps × 4 lanes × 2 flops, ${s.calls} calls/rep`, G(s.rate), G(s.bestRate), ms(s.median)]),
  ));
  out.push('');
  out.push(`**Peak = ${G(PEAK)} GFLOP/s** (${best.n} chains, median). All "% peak" are medians over this.`);
  out.push('');

  let GEMM512: number | undefined;
  if (cases.length) {
    out.push('### GEMM (C = op(A)·op(B), f32, packed B; flops = 2·M·N·K)');
    out.push('');
    const gemmRows = cases.map((c) => {
      const g = get(`${c.name}:gemm`);
      const pg = get(`${c.name}:pack+gemm`);
      const p = get(c.v === 'TN' ? cases.find((x) => x.v === 'NN' && x.M === c.M && x.K === c.K && x.N === c.N)!.name + ':pack' : `${c.name}:pack`);
      return [
        c.name, c.config, `${ms(g.median)} (${ms(g.min)})`, G(g.rate), G(g.bestRate), pct(g.rate / PEAK),
        `${ms(p.median)}${c.v === 'TN' ? ' (as NN)' : ''}`, `${ms(pg.median)}`, G(pg.rate), pct(pg.rate / PEAK),
        c.relErr.toExponential(1),
      ];
    });
    out.push(table(
      ['case', 'config', 'gemm ms median (min)', 'GFLOP/s', 'best', '% peak', 'pack ms', 'pack+gemm ms', 'GFLOP/s incl. pack', '% peak incl. pack', 'check err'],
      gemmRows,
    ));
    out.push('');
    out.push(`check err = max |C − ref| / max |ref| against a float64 JS reference on the same shape, before timing (must be < ${REL_TOL}).`);
    out.push('');
    GEMM512 = get('NN 512³:gemm').rate;
  }

  if (layers.length) {
    out.push(`### Layers (public API, I=${LAYER.I}, H=${LAYER.H}, T=${LAYER.T}, B=${LAYER.B}, tokens = T·B = ${LAYER.T * LAYER.B}, training mode)`);
    out.push('');
    const layerRows = layers.flatMap((l) => {
      const f = get(l.fwd.key), fb = get(l.fwdBwd.key);
      const line = (pass: string, s: Stats, flopsPerToken: number, formula: string) => {
        const gf = s.rate * flopsPerToken;
        return [l.name, pass, `${ms(s.median)} (${ms(s.min)})`, Math.round(s.rate).toLocaleString('en-US'),
          Math.round(s.bestRate).toLocaleString('en-US'), `${formula} = ${flopsPerToken.toLocaleString('en-US')}`, G(gf),
          GEMM512 ? pct(gf / GEMM512) : '—', pct(gf / PEAK)];
      };
      return [
        line('forward', f, l.fwdFlopsPerToken, `2·${l.G}H·(I+H)`),
        line('forward+backward', fb, 3 * l.fwdFlopsPerToken, `3·2·${l.G}H·(I+H)`),
      ];
    });
    out.push(table(
      ['layer', 'pass', 'ms/call median (min)', 'tokens/s', 'best tokens/s', 'flops/token', 'eff. GFLOP/s', 'vs GEMM NN 512³', '% peak'],
      layerRows,
    ));
    out.push('');
    out.push(`${GEMM512 ? `GEMM NN 512³ (median, excl. pack) = ${G(GEMM512)} GFLOP/s. ` : ''}Effective GFLOP/s count only the GEMM flops of the formula; elementwise work is ignored.`);
    out.push('');
  }
  out.push(`_Kernels: ${((tEnd - t0) / 1000).toFixed(1)} s: setup + checks ${((tWarm - t0) / 1000).toFixed(1)} s, warm-up ${((tRounds - tWarm) / 1000).toFixed(1)} s, timed rounds ${((tEnd - tRounds) / 1000).toFixed(1)} s._`);
  for (const l of layers) l.dispose();
  return { peak: PEAK, peakChains: best.n, peakKind, gemm512: GEMM512, lines: out, wasmInfo, warnings };
}
