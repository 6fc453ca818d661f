import { ConfigError, ShapeError } from '../errors.js';

/** Bounds on what one call may ask for, checked before anything is allocated. */
export interface Limits {
  /**
   * Most input elements (T·B·I features, or T·B token ids) one forward, predict, step or training
   * batch accepts. Default 2^28 (1 GiB of float32). An endpoint serving untrusted requests sets
   * it to what it is willing to compute, e.g. `setLimits({ maxInputElements: 65536 })`.
   */
  maxInputElements: number;
  /**
   * Most tokens one `sample()` call generates (each is a step of the model). Default 2^20
   * (about ten seconds of a character model here).
   */
  maxSampleLength: number;
}

const DEFAULTS: Limits = { maxInputElements: 2 ** 28, maxSampleLength: 2 ** 20 };
let current: Limits = { ...DEFAULTS };

/** Change the limits (for every layer and model in this JavaScript realm). Returns the new limits. */
export function setLimits(limits: Partial<Limits>): Limits {
  if (typeof limits !== 'object' || limits === null) throw new ConfigError('setLimits: expected an object such as { maxInputElements: 65536 }');
  for (const [k, v] of Object.entries(limits)) {
    if (!(k in DEFAULTS)) throw new ConfigError(`setLimits: unknown limit "${k}"; known: ${Object.keys(DEFAULTS).join(', ')}`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ConfigError(`setLimits ${k}: expected a positive integer, got ${String(v)}`);
  }
  current = { ...current, ...limits };
  return { ...current };
}

/** The limits in force. */
export function getLimits(): Limits {
  return { ...current };
}

/** @internal Refuse an input of `shape` beyond maxInputElements, naming the argument. */
export function checkInputSize(name: string, shape: readonly number[]): void {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  if (n > current.maxInputElements) {
    throw new ShapeError(
      `${name}: shape [${shape.join(', ')}] is ${n} elements, more than the limit of ${current.maxInputElements} ` +
        '(setLimits({ maxInputElements }))',
    );
  }
}
