// Number and markdown formatting shared by the bench's tables.
export const G = (flopsPerSec: number): string => (flopsPerSec / 1e9).toFixed(1);
export const ms = (sec: number): string => (sec * 1e3).toFixed(sec < 1e-3 ? 3 : sec < 10e-3 ? 2 : 1);
export const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
/** A ratio as "12.3×" (two significant digits below 10). */
export const times = (x: number): string => `${x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)}×`;
export const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
export const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

