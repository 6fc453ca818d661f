// The committed data files and the Node helpers that read them: DATA_DIR, readText,
// readCsvColumn (quoted headers, empty cells skipped and counted, row alignment, errors), and
// the conventions of data/README.md (splits and scaling) worked through on the real files.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CharTokenizer, ConfigError, ShapeError } from '../../src/index.js';
import { scaleSeries, slidingWindows, splitDataset, streams, textDataset } from '../../src/train/index.js';
import { readCsvColumn, readText } from '../../src/node.js';
import { DATA_DIR } from '../../src/data/files.js';

const tmp = mkdtempSync(join(tmpdir(), 'rnn-wasm-data-'));
const csv = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

describe('DATA_DIR and the committed files', () => {
  it("is the repository's data/ folder", () => {
    expect(fileURLToPath(DATA_DIR)).toBe(resolve('data') + '/');
    expect(statSync(new URL('tinyshakespeare.txt', DATA_DIR)).size).toBe(1_115_394);
    expect(statSync(new URL('README.md', DATA_DIR)).isFile()).toBe(true);
  });
});

describe('readText', () => {
  it('reads UTF-8 text from a path or a URL', async () => {
    const text = await readText(new URL('tinyshakespeare.txt', DATA_DIR));
    expect(text.length).toBe(1_115_394);
    expect(text.startsWith('First Citizen:\nBefore we proceed any further, hear me speak.')).toBe(true);
    expect(await readText(csv('utf8.txt', 'héllo 😀\n'))).toBe('héllo 😀\n');
  });

  it('rejects a bad path argument; a missing file rejects with the system error', async () => {
    await expect(readText(42 as never)).rejects.toThrow(ConfigError);
    await expect(readText(42 as never)).rejects.toThrow(/readText path: expected a file path \(string\) or a file: URL, got number 42/);
    await expect(readText(join(tmp, 'missing.txt'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readCsvColumn', () => {
  it('sunspots.csv: 309 years, quoted headers, by name or index', async () => {
    const path = new URL('sunspots.csv', DATA_DIR);
    const spots = await readCsvColumn(path, 'SUNACTIVITY');
    expect(spots.name).toBe('SUNACTIVITY');
    expect(spots.values).toBeInstanceOf(Float64Array);
    expect(spots.values.length).toBe(309);
    expect(spots.skipped).toBe(0);
    expect(Array.from(spots.values.subarray(0, 4))).toEqual([5, 11, 16, 23]);
    expect(spots.values[308]).toBe(2.9);
    const years = await readCsvColumn(path, 0);
    expect(years.name).toBe('YEAR');
    expect(Array.from(years.values)).toEqual(Array.from({ length: 309 }, (_, i) => 1700 + i));
  });

  it('co2.csv: 2,284 weeks, 59 empty cells skipped and counted, rows align values with dates', async () => {
    const path = new URL('co2.csv', DATA_DIR);
    const co2 = await readCsvColumn(path, 'co2');
    const dates = await readCsvColumn(path, 'date');
    expect(dates.values.length).toBe(2284);
    expect(dates.skipped).toBe(0);
    expect(co2.skipped).toBe(59);
    expect(co2.values.length).toBe(2284 - 59);
    expect(dates.values[0]).toBe(19580329); // exact: above 2^24, float32 would round it
    expect(co2.values[0]).toBe(316.1);
    expect(co2.rows.length).toBe(co2.values.length);
    for (let i = 1; i < co2.rows.length; i++) expect(co2.rows[i]).toBeGreaterThan(co2.rows[i - 1]);
    // the first gap: the row after the last value before it has no value
    const gap = co2.rows.findIndex((r, i) => r !== i);
    expect(gap).toBeGreaterThan(0);
    expect(co2.rows[gap]).toBeGreaterThan(gap);
    expect(dates.values[co2.rows.at(-1)!]).toBe(dates.values.at(-1));
  });

  it('handles quotes, commas inside quotes, CRLF, blank lines, and short rows', async () => {
    const path = csv('odd.csv', '\r\n"name","value, in ppm",x\r\n"a, b",1.5,\r\n\r\n"c ""d""",,3\r\ne\r\n f , 2e3 ,\r\n');
    const col = await readCsvColumn(path, 'value, in ppm');
    expect(col.name).toBe('value, in ppm');
    expect(Array.from(col.values)).toEqual([1.5, 2000]);
    expect(Array.from(col.rows)).toEqual([0, 3]);
    expect(col.skipped).toBe(2);
    expect(Array.from((await readCsvColumn(path, 'x')).values)).toEqual([3]);
  });

  it('reports unknown columns, non-numbers with their line, and empty files', async () => {
    const path = csv('bad.csv', 'a,b\n1,2\n3,oops\n');
    await expect(readCsvColumn(path, 'c')).rejects.toThrow(ConfigError);
    await expect(readCsvColumn(path, 'c')).rejects.toThrow(/readCsvColumn column: expected one of "a", "b" \(or an index in \[0, 1\]\), got string "c"/);
    await expect(readCsvColumn(path, 2)).rejects.toThrow(/expected one of "a", "b" .* got number 2/);
    await expect(readCsvColumn(path, -1)).rejects.toThrow(/readCsvColumn column: expected a header name or a 0-based column index, got number -1/);
    await expect(readCsvColumn(path, 'b')).rejects.toThrow(ShapeError);
    await expect(readCsvColumn(path, 'b')).rejects.toThrow(/bad\.csv line 3, column "b": expected a number, got "oops"/);
    await expect(readCsvColumn(csv('nan.csv', 'a\nNaN\n'), 'a')).rejects.toThrow(/line 2, column "a": expected a number, got "NaN"/);
    await expect(readCsvColumn(csv('empty.csv', '\n\n'), 0)).rejects.toThrow(/expected a header line, got an empty file/);
  });
});

describe('the conventions of data/README.md', () => {
  it('tinyshakespeare: 65 characters; first 90% for training, last 10% for validation', async () => {
    const text = await readText(new URL('tinyshakespeare.txt', DATA_DIR));
    const tok = CharTokenizer.fromText(text);
    expect(tok.size).toBe(65);
    const ids = tok.encode(text);
    const cut = Math.floor(ids.length * 0.9);
    expect(cut).toBe(1_003_854);
    const train = streams(ids.subarray(0, cut), { batchSize: 32 });
    expect(train.xShape).toEqual([32, Math.floor((cut - 1) / 32)]);
    const valid = textDataset(ids.subarray(cut), { seqLength: 256 });
    expect(valid.xShape).toEqual([Math.floor((ids.length - cut - 1 - 256) / 256) + 1, 256]);
    expect(tok.decode(valid.x.subarray(0, 256))).toBe(text.slice(cut, cut + 256));
  });

  it('sunspots: last 20% of the years for testing, scaled by the training maximum', async () => {
    const { values } = await readCsvColumn(new URL('sunspots.csv', DATA_DIR), 'SUNACTIVITY');
    const trainYears = Math.floor(values.length * 0.8);
    expect([trainYears, values.length - trainYears]).toEqual([247, 62]);
    const { scaled, scale } = scaleSeries(values, { by: 'max', fitOn: trainYears });
    expect(scale.divisor[0]).toBe(Math.max(...values.subarray(0, trainYears)));
    expect(Math.max(...scaled.subarray(0, trainYears))).toBe(1);
    const window = 12;
    const trainSet = slidingWindows(scaled.subarray(0, trainYears), { window });
    const testSet = slidingWindows(scaled.subarray(trainYears - window), { window });
    expect(trainSet.yShape).toEqual([trainYears - window, 1]);
    expect(testSet.yShape).toEqual([62, 1]);         // every test year is a target once
    expect(testSet.y[0]).toBe(scaled[trainYears]);
    // splitDataset on the windows of the whole series is the chronological alternative
    const [a, b] = splitDataset(slidingWindows(scaled, { window }), 0.8);
    expect(a.xShape[0] + b.xShape[0]).toBe(values.length - window);
    expect(b.y.at(-1)).toBe(scaled.at(-1));
  });
});
