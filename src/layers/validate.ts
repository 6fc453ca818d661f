import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { unknownKey } from '../options.js';

/** Numbers accepted as tensor data: a typed array or a plain array of numbers. */
export type NumericArray = Float32Array | Float64Array | ArrayLike<number>;

/** `[a, b, c]` for messages. @internal */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** @internal */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** @internal A positive (or, with `allowZero`, non-negative) integer option. */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: expected an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

/** @internal */
export function checkBool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${name}: expected true or false, got ${show(value)}`);
  return value;
}

/** @internal Throws ShapeError unless `value` is an array of numbers of exactly `expected` shape's size. */
export function checkArray(name: string, value: unknown, expected: readonly number[]): NumericArray {
  const n = product(expected);
  if (!isNumericArray(value)) {
    const nested = Array.isArray(value) && value.length > 0 && typeof value[0] === 'object';
    throw new ShapeError(
      `${name}: expected a Float32Array (or Float64Array / number[]) of shape ${fmtShape(expected)} (${n} values), ` +
        `got ${describe(value)}${nested ? ' — nested arrays are not accepted; flatten to row-major order' : ''}`,
    );
  }
  if (value.length !== n) {
    throw new ShapeError(`${name}: expected shape ${fmtShape(expected)} (${n} values), got ${value.length} values`);
  }
  return value;
}

/** @internal Throws NonFiniteError at the first NaN/±Infinity. */
export function checkFinite(name: string, value: NumericArray): void {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw nonFinite(name, i, v);
  }
}

/** @internal */
export function nonFinite(name: string, index: number, value: unknown): NonFiniteError {
  const why = typeof value === 'number' && Number.isFinite(value) ? `${value}, beyond the float32 range (±3.4e38)` : show(value);
  return new NonFiniteError(`${name}: element ${index} is ${why}; only finite numbers are accepted`, name, index);
}

/** @internal */
export function isNumericArray(v: unknown): v is NumericArray {
  if (v instanceof Float32Array || v instanceof Float64Array) return true;
  if (ArrayBuffer.isView(v)) return !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number');
}

/** @internal A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of ${v.length} elements`;
  if (ArrayBuffer.isView(v)) return `a ${constructorName(v)} of ${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength} elements`;
  if (typeof v === 'object') return `an object (${constructorName(v)})`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'bigint') return `bigint ${v}n`;
  return `${typeof v} ${String(v)}`;
}

// An object's class name, safely: proxies and odd prototypes may throw or give anything.
function constructorName(v: object): string {
  try {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name ? name : 'Object';
  } catch {
    return 'Object';
  }
}

/** @internal A value as it reads in a message: numbers and strings as they are, anything else described. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return describe(v);
}

/** @internal Reject option keys we do not know (a typo must not be silently ignored); see options.ts. */
export function checkKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) if (!known.includes(key)) throw unknownKey(what, key, known);
}

/**
 * @internal Throws NonFiniteError at the first element that is not a finite float32: NaN,
 * ±Infinity, a magnitude beyond float32's range (1e39 in a Float64Array becomes Infinity), or
 * not a number at all. Checks the caller's own array, so the index is in the caller's layout.
 */
export function checkFinite32(name: string, value: NumericArray): void {
  const i = firstNonFinite32(value);
  if (i >= 0) throw nonFinite(name, i, value[i]);
}

/** @internal Index of the first element that is not a finite float32, or −1. */
export function firstNonFinite32(a: NumericArray): number {
  const n = a.length;
  if (a instanceof Float32Array) {
    // NaN·0 and ±Infinity·0 are NaN, every finite x·0 is ±0: one branch-free pass
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i] * 0;
    if (s === 0) return -1;
    for (let i = 0; i < n; i++) if (!Number.isFinite(a[i])) return i;
    return -1;
  }
  if (a instanceof Int32Array || a instanceof Uint8Array || a instanceof Int16Array || a instanceof Uint16Array ||
    a instanceof Int8Array || a instanceof Uint8ClampedArray || a instanceof Uint32Array) return -1;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) return i;
  }
  return -1;
}

/** @internal Throws ShapeError unless `lengths` holds B integers in [min, T]. Returns it. */
export function checkLengths(name: string, lengths: unknown, T: number, B: number, min = 0): NumericArray {
  const ls = checkArray(name, lengths, [B]);
  for (let b = 0; b < B; b++) {
    if (!Number.isInteger(ls[b]) || ls[b] < min || ls[b] > T) {
      throw new ShapeError(`${name}: element ${b} is ${show(ls[b])}; lengths must be integers in [${min}, ${T}] (T)` +
        (min > 0 ? " (output 'last' needs every sequence to have at least one valid step)" : ''));
    }
  }
  return ls;
}
