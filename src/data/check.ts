/**
 * Argument checks shared by the data helpers (internal). Messages follow the library's
 * rule: the argument's name, what was expected, what was given.
 * @internal
 * @packageDocumentation
 */
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';

// Shared with the layers: one definition of the message helpers.
import { describe } from '../layers/validate.js';
import { checkOptions as checkOptionsWith, is } from '../options.js';
export { describe, fmtShape, product } from '../layers/validate.js';

/** @internal An integer option in [min, max]. */
export function checkInt(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ConfigError(`${name}: expected an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

/** @internal One of the given string values. */
export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${name}: expected ${choices.map((c) => `'${c}'`).join(' or ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** @internal */
export function checkBool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${name}: expected true or false, got ${describe(value)}`);
  return value;
}

/** @internal An options object (or undefined → {}), with no unknown keys (values are checked by the caller). */
export function checkOptions<T extends object>(what: string, options: unknown, known: readonly string[]): Partial<T> {
  return checkOptionsWith<Partial<T>>(what, options, Object.fromEntries(known.map((k) => [k, is.checkedLater])));
}

/** @internal A typed array of numbers or a plain number[] (not DataView, not BigInt arrays). */
export function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (ArrayBuffer.isView(v)) return !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
  return Array.isArray(v);
}

/** @internal Throws ShapeError unless `v` is an array of numbers. */
export function checkNumberArray(name: string, v: unknown): ArrayLike<number> {
  const nested = Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null;
  if (!isNumberArray(v) || nested) {
    throw new ShapeError(
      `${name}: expected a Float32Array or number[], got ${describe(v)}` +
        (nested ? ' — nested arrays are not accepted; flatten to row-major order' : ''),
    );
  }
  return v;
}

/** @internal Throws NonFiniteError at the first element that is not a finite number. */
export function checkFinite(name: string, v: ArrayLike<number>): void {
  if (v instanceof Int32Array || v instanceof Uint8Array || v instanceof Int16Array || v instanceof Uint16Array ||
    v instanceof Uint32Array || v instanceof Int8Array || v instanceof Uint8ClampedArray) return;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new NonFiniteError(`${name}: element ${i} is ${describe(x)}; only finite numbers are accepted`, name, i);
    }
  }
}

/** @internal Throws ShapeError at the first element that is not an integer in [0, max]. */
export function checkIds(name: string, v: ArrayLike<number>, max = 2 ** 31 - 1): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) {
      throw new ShapeError(`${name}: element ${i} is ${describe(x)}; expected an integer id in [0, ${max}]`);
    }
  }
}

/** @internal Copy token ids into an Int32Array after checking they are non-negative integers. */
export function toIds(name: string, v: unknown): Int32Array {
  const a = checkNumberArray(name, v);
  checkIds(name, a);
  return a instanceof Int32Array ? a : Int32Array.from(a);
}
