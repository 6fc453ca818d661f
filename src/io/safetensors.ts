import { FormatError } from '../errors.js';

/** Tensor element types read from safetensors files (all converted to float32). */
export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64';

/** A tensor as read from a file: its stored dtype, shape and values as float32. */
export interface Tensor { dtype: Dtype; shape: number[]; data: Float32Array }

/** Limits that keep a hostile file from exhausting memory or time. */
export interface DecodeLimits {
  /** Largest accepted JSON header, bytes. Default 100 MiB (the safetensors reference limit). */
  maxHeaderBytes?: number;
}

const ITEM: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64'];
const DEFAULT_MAX_HEADER = 100 * 1024 * 1024;

/**
 * Write tensors as a safetensors file: u64 little-endian header length, the JSON header
 * (padded with spaces so the payload starts 8-byte aligned), then the raw little-endian
 * float32 data in the given order.
 */
export function encodeSafetensors(tensors: Record<string, { shape: readonly number[]; data: Float32Array }>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

/**
 * Read a safetensors file, validating everything before converting anything: a header
 * length beyond the file or the limit, invalid UTF-8 or JSON, unknown or unsupported dtypes,
 * shapes that disagree with their byte ranges, offsets out of range, overlapping or leaving
 * holes. Each problem is a {@link FormatError} that says what is wrong.
 */
export function decodeSafetensors(input: Uint8Array | ArrayBuffer, limits: DecodeLimits = {}): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (!bytes) throw new FormatError(`expected the file's bytes as a Uint8Array or ArrayBuffer, got ${input === null ? 'null' : typeof input}`);
  if (bytes.length < 8) throw new FormatError(`file too short (${bytes.length} bytes): a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  const max = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  const declared = hi * 2 ** 32 + lo;
  if (declared > max) {
    throw new FormatError(`header length ${declared} bytes exceeds the limit of ${max} bytes: not a model file, or a hostile one`);
  }
  if (8 + declared > bytes.length) {
    throw new FormatError(`header length ${declared} bytes runs past the end of the file (${bytes.length - 8} bytes after the length field): truncated or corrupt`);
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + declared));
    if (!text.startsWith('{')) throw new Error('it does not start with "{"');
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`the header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatError('the header must be a JSON object');

  const metadata: Record<string, string> = {};
  const payloadStart = 8 + declared;
  const payloadLength = bytes.length - payloadStart;
  const entries: { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new FormatError(`__metadata__["${k}"] must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new FormatError(`tensor "${name}": expected { dtype, shape, data_offsets }`);
    if (typeof e.dtype !== 'string' || !(e.dtype in ITEM)) {
      const known = typeof e.dtype === 'string' && OTHER_DTYPES.includes(e.dtype);
      throw new FormatError(`tensor "${name}": ${known ? 'unsupported' : 'unknown'} dtype ${JSON.stringify(e.dtype)}; rnn-wasm reads F32, F16, BF16 and F64`);
    }
    const dtype = e.dtype as Dtype;
    if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0 && d <= 2 ** 31)) {
      throw new FormatError(`tensor "${name}": shape must be a list of at most 8 non-negative integers, got ${JSON.stringify(e.shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw new FormatError(`tensor "${name}": data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as number[];
    if (end > payloadLength) {
      throw new FormatError(`tensor "${name}": data_offsets [${begin}, ${end}] run past the payload (${payloadLength} bytes): truncated or corrupt`);
    }
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (count * ITEM[dtype] !== end - begin) {
      throw new FormatError(`tensor "${name}": shape ${JSON.stringify(e.shape)} of ${dtype} needs ${count * ITEM[dtype]} bytes but data_offsets give ${end - begin}`);
    }
    entries.push({ name, dtype, shape: e.shape as number[], begin, end });
  }
  // the byte ranges must tile the payload exactly: no overlaps, no holes
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    if (t.begin < pos) throw new FormatError(`tensors "${sorted[i - 1].name}" and "${t.name}" overlap (bytes ${t.begin}–${pos})`);
    if (t.begin > pos) throw new FormatError(`payload bytes ${pos}–${t.begin} belong to no tensor (before "${t.name}")`);
    pos = t.end;
  }
  if (pos !== payloadLength) throw new FormatError(`payload bytes ${pos}–${payloadLength} belong to no tensor (trailing data)`);

  const tensors = new Map<string, Tensor>();
  for (const t of entries) {
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: convert(view, payloadStart + t.begin, t.dtype, (t.end - t.begin) / ITEM[t.dtype]) });
  }
  return { tensors, metadata };
}

function convert(view: DataView, at: number, dtype: Dtype, n: number): Float32Array {
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true);
      break;
    case 'BF16': {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(at + 2 * i, true) << 16;
      break;
    }
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      break;
  }
  return out;
}

/** IEEE 754 binary16 → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
