/**
 * Reading data files in Node: text and one numeric CSV column. `node:fs` is imported inside
 * each function, so bundles for browsers never load it (there, `fetch` the file instead).
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { describe } from './check.js';

/**
 * The repository's `data/` folder (tinyshakespeare.txt, sunspots.csv, co2.csv, hershey.json; see
 * `data/README.md`), resolved from this source file — a helper for the repo's tests, examples
 * and benchmarks (from `src/data/` or `dist/data/`). The npm package does not ship `data/`.
 * Importing never throws: where the module has no usable `import.meta.url` (e.g. a CommonJS
 * bundle) it is `file:///data/`.
 *
 * @example
 * ```ts
 * const text = await readText(new URL('tinyshakespeare.txt', DATA_DIR));
 * ```
 */
export const DATA_DIR: URL = repoDataDir();

function repoDataDir(): URL {
  try {
    return new URL('../../data/', import.meta.url);
  } catch {
    return new URL('file:///data/');
  }
}

/**
 * A whole file as UTF-8 text (Node only).
 * @example
 * ```ts
 * const text = await readText('data/tinyshakespeare.txt');
 * ```
 */
export async function readText(path: string | URL): Promise<string> {
  checkPath('readText path', path);
  const fs = await import('node:fs/promises');
  return fs.readFile(path, 'utf8');
}

/**
 * Result of {@link readCsvColumn}.
 * @example
 * ```ts
 * const { name, values, rows, skipped }: CsvColumn = await readCsvColumn('data/co2.csv', 'co2');
 * ```
 */
export interface CsvColumn {
  /** The column's header (unquoted). */
  name: string;
  /**
   * The numbers of the column, empty cells left out. Float64Array, because columns such as
   * dates `YYYYMMDD` (e.g. 19580329) are integers above 2^24 that float32 cannot hold exactly.
   */
  values: Float64Array;
  /** For each value, its data row (0 = the first line after the header), to align with other columns. */
  rows: Int32Array;
  /** Number of data rows whose cell was empty (or missing) and was skipped. */
  skipped: number;
}

/**
 * One numeric column of a CSV file with a header line (Node only): by header name or by 0-based
 * index. Fields may be double-quoted (`"YEAR"`); blank lines are ignored; empty cells are
 * skipped and counted. A cell that is not a finite number throws `ShapeError` with its line.
 *
 * @example
 * ```ts
 * const { values, skipped } = await readCsvColumn(new URL('co2.csv', DATA_DIR), 'co2');
 * ```
 */
export async function readCsvColumn(path: string | URL, column: string | number): Promise<CsvColumn> {
  checkPath('readCsvColumn path', path);
  if (typeof column !== 'string' && !(typeof column === 'number' && Number.isInteger(column) && column >= 0)) {
    throw new ConfigError(`readCsvColumn column: expected a header name or a 0-based column index, got ${describe(column)}`);
  }
  const text = await readText(path);
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first === lines.length) throw new ShapeError(`readCsvColumn ${String(path)}: expected a header line, got an empty file`);
  const header = splitCsvLine(lines[first]);
  const index = typeof column === 'number' ? column : header.indexOf(column.trim());
  if (index < 0 || index >= header.length) {
    throw new ConfigError(`readCsvColumn column: expected one of ${header.map((h) => JSON.stringify(h)).join(', ')} ` +
      `(or an index in [0, ${header.length - 1}]), got ${describe(column)}`);
  }
  const values: number[] = [], rows: number[] = [];
  let skipped = 0, row = 0;
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cell = splitCsvLine(lines[i])[index];
    if (cell === undefined || cell === '') {
      skipped++;
    } else {
      const v = Number(cell);
      if (!Number.isFinite(v)) {
        throw new ShapeError(`readCsvColumn ${String(path)} line ${i + 1}, column ${JSON.stringify(header[index])}: expected a number, got ${JSON.stringify(cell)}`);
      }
      values.push(v);
      rows.push(row);
    }
    row++;
  }
  return { name: header[index], values: Float64Array.from(values), rows: Int32Array.from(rows), skipped };
}

function checkPath(name: string, path: unknown): void {
  if (typeof path !== 'string' && !(path instanceof URL)) {
    throw new ConfigError(`${name}: expected a file path (string) or a file: URL, got ${describe(path)}`);
  }
}

/** Fields of one CSV line, unquoted and trimmed ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(field.trim()); field = ''; }
    else field += c;
  }
  out.push(field.trim());
  return out;
}
