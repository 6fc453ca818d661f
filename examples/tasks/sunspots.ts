// Yearly sunspots (data/sunspots.csv, 1700–2008) as a one-step-ahead forecasting task, with the
// conventions of data/README.md: the last 20% of the years is the test split, values are divided
// by the training split's maximum, and test windows reach back into the training years so that
// every test year is a target.
import { scaleSeries, slidingWindows, type SequenceDataset } from '../../src/train/index.js';
import { readCsvColumn } from '../../src/node.js';
import { DATA_DIR } from '../../src/data/files.js';

export interface SunspotTask {
  /** Calendar year of each value. */
  years: Float64Array;
  /** Yearly mean sunspot numbers, unscaled. */
  values: Float64Array;
  /** Number of leading years in the training split (247). */
  trainYears: number;
  /** Windows of `window` years → the next year, all inside the training split: x [N, window, 1], y [N, 1]. */
  train: SequenceDataset;
  /** One window per test year (the target), x [62, window, 1], y [62, 1]. */
  test: SequenceDataset;
  /** Unscaled values of the test years (the targets of `test`, in order). */
  testActual: Float64Array;
  /** The persistence forecast of each test year: the year before's value. */
  testPersistence: Float64Array;
  /** Back to sunspot units (a model's scaled predictions). */
  invert(values: ArrayLike<number>): Float32Array;
}

/** The sunspot task with inputs of `window` past years. */
export async function sunspotTask(window: number): Promise<SunspotTask> {
  const file = new URL('sunspots.csv', DATA_DIR);
  const { values } = await readCsvColumn(file, 'SUNACTIVITY');
  const { values: years } = await readCsvColumn(file, 'YEAR');
  const trainYears = Math.floor(values.length * 0.8);
  const { scaled, invert } = scaleSeries(values, { by: 'max', fitOn: trainYears });
  return {
    years, values, trainYears, invert,
    train: slidingWindows(scaled.subarray(0, trainYears), { window }),
    test: slidingWindows(scaled.subarray(trainYears - window), { window }),
    testActual: values.subarray(trainYears),
    testPersistence: values.subarray(trainYears - 1, values.length - 1),
  };
}

/** Root mean squared difference of two equally long arrays. */
export function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return Math.sqrt(se / a.length);
}
