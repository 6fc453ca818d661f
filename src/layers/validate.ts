import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';

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
  return new NonFiniteError(`${name}: element ${index} is ${show(value)}; only finite numbers are accepted`, name, index);
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
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength} elements`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${show(v)}`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return describe(v);
}

/** @internal Reject option keys we do not know (a typo must not be silently ignored). */
export function checkKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const hint = key === 'projSize' || key === 'proj_size' ? ' (LSTM projections are not supported)' : '';
      throw new ConfigError(`${what}: unknown option "${key}"${hint}; valid options are ${known.join(', ')}`);
    }
  }
}
