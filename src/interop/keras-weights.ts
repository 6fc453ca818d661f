// The weights of a TF.js LayersModel: its `weightsManifest` (groups of weights, each group stored
// across the shard files its `paths` name) and the bytes of those shards. Every value becomes
// float32; weights the converter quantized (uint8 / uint16 with scale and min, or float16) are
// dequantized as TF.js does when it loads them.
import { FormatError } from '../errors.js';
import { describe } from '../layers/validate.js';

/** One weight shard: the bytes of a file named in the manifest's `paths`. */
export type WeightShard = ArrayBuffer | ArrayBufferView;

/**
 * The weight bytes of a TF.js model: one buffer per path of the manifest, in manifest order
 * (group after group, each group's paths in order), or all of them concatenated in that order.
 */
export type KerasWeights = WeightShard | readonly WeightShard[];

/** @internal A decoded weight, float32, row-major in its Keras shape. */
export interface DecodedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

interface Spec {
  name: string;
  shape: number[];
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale: number; min: number };
  bytes: number;
}

const BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;
// A weight larger than this is not one of a recurrent model this library can hold (and the bytes
// would have to be there anyway: this only keeps the size arithmetic exact).
const MAX_ELEMENTS = 2 ** 28;

/** @internal The manifest's weights, decoded from the shards, by name, in manifest order. */
export function decodeWeights(manifest: unknown, shards: KerasWeights): Map<string, DecodedWeight> {
  const groups = parseManifest(manifest);
  const buffers = shardBytes(shards);
  const totalPaths = groups.reduce((n, g) => n + g.paths.length, 0);
  const groupBytes = groups.map((g) => g.specs.reduce((n, s) => n + s.bytes, 0));
  const need = groupBytes.reduce((a, b) => a + b, 0);
  const perGroup: Uint8Array[] = [];
  if (buffers.length === 1 && totalPaths !== 1) {
    // one buffer: every shard concatenated in manifest order
    if (buffers[0].length !== need) {
      throw new FormatError(`importKeras weights: the manifest's weights take ${need} bytes in ${totalPaths} shard file(s) (${groups.flatMap((g) => g.paths).join(', ')}); the one buffer given has ${buffers[0].length}. Pass every shard concatenated in manifest order, or one buffer per path`);
    }
    let at = 0;
    for (const n of groupBytes) { perGroup.push(buffers[0].subarray(at, at + n)); at += n; }
  } else {
    if (buffers.length !== totalPaths) {
      throw new FormatError(`importKeras weights: the manifest names ${totalPaths} shard file(s) (${groups.flatMap((g) => g.paths).join(', ')}), ${buffers.length} buffer(s) were given; pass one per path in manifest order, or one concatenated buffer`);
    }
    let k = 0;
    groups.forEach((g, gi) => {
      const mine = buffers.slice(k, k + g.paths.length);
      k += g.paths.length;
      const got = mine.reduce((n, b) => n + b.length, 0);
      if (got !== groupBytes[gi]) {
        const which = g.paths.map((p, i) => `${p} ${mine[i].length} bytes`).join(', ');
        throw new FormatError(`importKeras weights: weight group ${gi} (${which}) holds ${got} bytes, its ${g.specs.length} weight(s) take ${groupBytes[gi]}${got < groupBytes[gi] ? ' (a shard is short or missing)' : ' (a shard is too long, or from another model)'}`);
      }
      perGroup.push(concat(mine, got));
    });
  }
  const out = new Map<string, DecodedWeight>();
  groups.forEach((g, gi) => {
    const bytes = perGroup[gi];
    let at = 0;
    for (const s of g.specs) {
      out.set(s.name, { name: s.name, shape: s.shape, data: decodeOne(s, bytes.subarray(at, at + s.bytes)) });
      at += s.bytes;
    }
  });
  return out;
}

function parseManifest(manifest: unknown): { paths: string[]; specs: Spec[] }[] {
  if (!Array.isArray(manifest)) {
    throw new FormatError(`importKeras model.json: "weightsManifest" must be a list of weight groups ({ paths, weights }), got ${describe(manifest)}`);
  }
  const seen = new Set<string>();
  return manifest.map((g: unknown, gi) => {
    const group = g as { paths?: unknown; weights?: unknown };
    if (typeof g !== 'object' || g === null || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string') || !Array.isArray(group.weights)) {
      throw new FormatError(`importKeras model.json: weightsManifest[${gi}] must be { paths: string[], weights: [...] }, got ${describe(g)}`);
    }
    const specs = group.weights.map((w: unknown, wi): Spec => {
      const where = `weightsManifest[${gi}].weights[${wi}]`;
      const e = w as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown };
      if (typeof w !== 'object' || w === null || typeof e.name !== 'string' || e.name === '') {
        throw new FormatError(`importKeras model.json: ${where} must have a "name", got ${describe(w)}`);
      }
      const name = e.name;
      if (seen.has(name)) throw new FormatError(`importKeras model.json: the weight "${name}" appears twice in the manifest`);
      seen.add(name);
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new FormatError(`importKeras model.json: weight "${name}": "shape" must be a list of non-negative integers, got ${describe(shape)}`);
      }
      const n = shape.reduce((a: number, b: number) => a * b, 1);
      if (n > MAX_ELEMENTS) throw new FormatError(`importKeras model.json: weight "${name}" has ${n} elements (shape [${shape.join(', ')}]), more than ${MAX_ELEMENTS}`);
      if (e.dtype !== 'float32') {
        throw new FormatError(`importKeras model.json: weight "${name}" has dtype ${JSON.stringify(e.dtype)}; a recurrent model's weights are float32 (optionally quantized)`);
      }
      if (e.quantization === undefined || e.quantization === null) return { name, shape, bytes: n * 4 };
      const q = e.quantization as { dtype?: unknown; scale?: unknown; min?: unknown };
      if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') {
        throw new FormatError(`importKeras model.json: weight "${name}" is quantized to ${JSON.stringify(q.dtype)}; known: uint8, uint16 (with scale and min), float16`);
      }
      let scale = 1, min = 0;
      if (q.dtype !== 'float16') {
        if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
          throw new FormatError(`importKeras model.json: weight "${name}" is quantized to ${q.dtype} without finite "scale" and "min" (got scale ${describe(q.scale)}, min ${describe(q.min)})`);
        }
        scale = q.scale;
        min = q.min;
      }
      return { name, shape, quantization: { dtype: q.dtype, scale, min }, bytes: n * BYTES[q.dtype] };
    });
    return { paths: group.paths as string[], specs };
  });
}

function shardBytes(shards: KerasWeights): Uint8Array[] {
  const list = Array.isArray(shards) ? shards : [shards];
  return (list as unknown[]).map((s, i) => {
    if (s instanceof ArrayBuffer) return new Uint8Array(s);
    if (ArrayBuffer.isView(s)) return new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
    throw new FormatError(`importKeras weights${Array.isArray(shards) ? `[${i}]` : ''}: expected an ArrayBuffer or a Uint8Array (a Node Buffer works) with the bytes of a shard, got ${describe(s)}`);
  });
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// little-endian, as TF.js writes (and reads) its shards
function decodeOne(s: Spec, bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = s.quantization;
  const n = q ? s.bytes / BYTES[q.dtype] : s.bytes / 4;
  const out = new Float32Array(n);
  if (!q) for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else if (q.dtype === 'uint8') for (let i = 0; i < n; i++) out[i] = bytes[i] * q.scale + q.min;
  else if (q.dtype === 'uint16') for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true) * q.scale + q.min;
  else for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) throw new FormatError(`importKeras weights: weight "${s.name}" holds ${out[i]} at element ${i}`);
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
