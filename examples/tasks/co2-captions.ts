// Captions of half-year windows of the Mauna Loa CO2 record (data/co2.csv, weekly, 1958–2001):
// each window of 26 weeks gets a sentence describing its shape, written by fixed rules from the
// smoothed values, e.g. "rising then falling , peak early , down 3 ppm". A captioning model
// reads the window (the condition) and must write the sentence. The last 20% of the weeks are
// the test split (windows from later years than any training window).
import { readCsvColumn } from '../../src/node.js';
import { DATA_DIR } from '../../src/data/files.js';
import { seq2seqDataset, type SequenceDataset } from '../../src/train/index.js';

export const WEEKS = 26;
/** The caption words: token ids are positions in this list (0 and 1 are begin and end). */
export const WORDS = ['<s>', '</s>', ',', 'rising', 'falling', 'then', 'peak', 'trough', 'start', 'early', 'middle', 'late', 'end',
  'up', 'down', 'level', 'ppm', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export const BOS = 0, EOS = 1;

export interface CaptionTask {
  train: SequenceDataset;
  test: SequenceDataset;
  /** The test windows' captions, as words. */
  testCaptions: string[];
  /** The test windows' first week (a date YYYYMMDD) and values, for printing. */
  testDates: number[];
}

// where in the window: five equal parts
const position = (i: number) => WORDS[8 + Math.min(4, Math.floor((i / WEEKS) * 5))];

/** The caption of one window by the rules (values smoothed over 3 weeks first). */
export function caption(w: ArrayLike<number>): string {
  const s = Array.from({ length: w.length }, (_, i) => (w[Math.max(0, i - 1)] + w[i] + w[Math.min(w.length - 1, i + 1)]) / 3);
  let hi = 0, lo = 0;
  s.forEach((v, i) => { if (v > s[hi]) hi = i; if (v < s[lo]) lo = i; });
  const inside = (i: number) => i >= 3 && i < WEEKS - 3;
  let shape: string;
  if (inside(hi) && (!inside(lo) || s[hi] - Math.max(s[0], s[WEEKS - 1]) >= Math.min(s[0], s[WEEKS - 1]) - s[lo])) shape = `rising then falling , peak ${position(hi)}`;
  else if (inside(lo)) shape = `falling then rising , trough ${position(lo)}`;
  else shape = s[WEEKS - 1] >= s[0] ? 'rising' : 'falling';
  const change = Math.round(s[WEEKS - 1] - s[0]);
  const size = Math.min(9, Math.abs(change));
  return `${shape} , ${change === 0 ? 'level' : `${change > 0 ? 'up' : 'down'} ${size} ppm`}`;
}

/** The condition of a window: its values relative to the first week, in units of 4 ppm. */
function features(w: ArrayLike<number>): number[] {
  return Array.from(w, (v) => (v - w[0]) / 4);
}

export async function co2CaptionTask(stride = 2): Promise<CaptionTask> {
  const file = new URL('co2.csv', DATA_DIR);
  const { values } = await readCsvColumn(file, 'co2');
  const co2Dates = await datesOfValues(file); // co2 is empty on some weeks; readCsvColumn skips those
  const split = Math.floor(values.length * 0.8);
  const make = (from: number, to: number) => {
    const starts: number[] = [];
    for (let i = from; i + WEEKS <= to; i += stride) starts.push(i);
    const captions = starts.map((i) => caption(values.subarray(i, i + WEEKS)));
    const data = seq2seqDataset(captions.map((c) => c.split(' ').map((word) => WORDS.indexOf(word as never))), {
      bos: BOS, eos: EOS, condition: starts.flatMap((i) => features(values.subarray(i, i + WEEKS))), conditionShape: [starts.length, WEEKS],
    });
    return { data, captions, dates: starts.map((i) => co2Dates[i]) };
  };
  const train = make(0, split), test = make(split, values.length);
  return { train: train.data, test: test.data, testCaptions: test.captions, testDates: test.dates };
}

// the dates of the rows that have a CO2 value (some weeks have none)
async function datesOfValues(file: URL): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  const rows = (await readFile(file, 'utf8')).trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  return rows.filter((r) => r[1] !== undefined && r[1].trim() !== '').map((r) => Number(r[0]));
}
