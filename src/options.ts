/**
 * The one options check every public entry uses: an options object is a plain object whose keys
 * are all known (a typo is an error that suggests the intended key) and whose values each pass
 * their rule. Messages name the call, the key, what was expected and what was given.
 * @internal
 * @packageDocumentation
 */
import { ConfigError } from './errors.js';
import { describe } from './layers/validate.js';

/** @internal A rule for one option's value. `expected` completes "expected …" in messages. */
export interface Rule {
  readonly expected: string;
  test(value: unknown): boolean;
}

/** @internal Rules by key; a key not listed is unknown. */
export type Rules = Readonly<Record<string, Rule>>;

const rule = (expected: string, test: (v: unknown) => boolean): Rule => ({ expected, test });

/** @internal The rules options are made of. */
export const is = {
  /** Anything: the value is checked by the code that uses it (shapes, arrays). */
  checkedLater: rule('a value', () => true),
  int(min: number, max = Number.MAX_SAFE_INTEGER): Rule {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    return rule(`an integer ${range}`, (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
  },
  /** A finite number in [min, max] (open at an end when asked; max may be Infinity: no upper bound). */
  number(min: number, max = Infinity, open: { min?: boolean; max?: boolean } = {}): Rule {
    const expected = max === Infinity ? `a finite number ${open.min ? '>' : '≥'} ${min}`
      : `a number in ${open.min ? '(' : '['}${min}, ${max}${open.max ? ')' : ']'}`;
    return rule(expected, (v) => typeof v === 'number' && Number.isFinite(v) &&
      (open.min ? v > min : v >= min) && (open.max ? v < max : v <= max));
  },
  bool: rule('true or false', (v) => typeof v === 'boolean'),
  string: rule('a string', (v) => typeof v === 'string'),
  function: rule('a function', (v) => typeof v === 'function'),
  oneOf(...values: readonly unknown[]): Rule {
    return rule(values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(' or '), (v) => values.includes(v));
  },
  /** A plain object (its own keys are checked by the caller). */
  object: rule('an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)),
  instance(ctor: abstract new (...args: never[]) => unknown, name: string): Rule {
    return rule(`a ${name}`, (v) => v instanceof ctor);
  },
  either(...rules: Rule[]): Rule {
    return rule(rules.map((r) => r.expected).join(', or '), (v) => rules.some((r) => r.test(v)));
  },
};

/**
 * @internal Check `options` against `rules` and return it typed. `undefined` is `{}` unless
 * `required` keys exist; an option set to `undefined` counts as absent. Throws ConfigError.
 */
export function checkOptions<T extends object>(where: string, options: unknown, rules: Rules, required: readonly string[] = []): T {
  if (options === undefined && required.length === 0) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new ConfigError(`${where}: expected an options object { ${Object.keys(rules).join(', ')} }, got ${describe(options)}`);
  }
  const known = Object.keys(rules);
  for (const key of Object.keys(options)) {
    if (!(key in rules) || !Object.prototype.hasOwnProperty.call(rules, key)) throw unknownKey(where, key, known);
  }
  for (const key of known) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) {
      if (required.includes(key)) throw new ConfigError(`${where}: option "${key}" is required (${rules[key].expected})`);
      continue;
    }
    if (!rules[key].test(value)) throw new ConfigError(`${where} ${key}: expected ${rules[key].expected}, got ${describe(value)}`);
  }
  return options as T;
}

/** @internal The error for an unknown key, with the nearest known key as a suggestion. */
export function unknownKey(where: string, key: string, known: readonly string[]): ConfigError {
  const guess = nearest(key, known);
  const hint = key === 'projSize' || key === 'proj_size' ? ' (LSTM projections are not supported)' : guess ? ` (did you mean "${guess}"?)` : '';
  return new ConfigError(`${where}: unknown option "${key}"${hint}; the options are ${known.join(', ')}`);
}

// The known key a typo most likely meant: the same letters in another case or in snake_case
// (PyTorch's h_0, batch_size), or within two edits.
function nearest(key: string, known: readonly string[]): string | undefined {
  const plain = (s: string) => s.replace(/_/g, '').toLowerCase();
  const same = known.find((k) => plain(k) === plain(key));
  if (same) return same;
  let best: string | undefined, bestD = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD && d < Math.max(k.length, key.length) / 2) { best = k; bestD = d; }
  }
  return best;
}

// Optimal string alignment distance (an adjacent swap counts as one edit: "lenght" → "length").
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
