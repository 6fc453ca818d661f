// The demo page's handwriting section (examples/web/pen.ts), built from the packed package
// (build/consumer) into a folder of its own and driven in headless Chromium: the mouse draws the
// start of a letter on the canvas (real input events, which the page reads as Pointer Events),
// the pen model that examples/handwriting.ts trained completes it live — the user's strokes fed,
// the model's points drawn a few per animation frame — and the finished drawing is recognised
// as the letter asked for by the model-free recogniser; then a pen model trains in the page's
// Web Worker while the page's 10 ms timer keeps its beat, and completions use it. A screenshot
// of the section is kept (build/web-demo-pen.png). Needs /usr/bin/chromium: fails, never skips.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PenCompletion, PenState } from '../../examples/web/pen.js';
import { DATA_DIR } from '../../src/data/files.js';
import { hersheyGlyphs, toPolylines } from '../../src/sketch/index.js';
import { openDemo, type StaticServer } from '../support/browser.js';
import { ROOT } from '../support/consumer.js';

const SCREENSHOT = path.join(ROOT, 'build/web-demo-pen.png');
const SIMD = process.env.RNN_WASM_SIMD === 'relaxed' ? 'relaxed' : 'plain';
const SECONDS = 3;   // the pen model's training budget in the worker
// the bounds asserted below (the responsiveness ones as in web-demo.test.ts, for the same reasons)
const MIN_TICK_SHARE = 0.5;
const MAX_P95_GAP_MS = 50;
const MAX_GAP_MS = 1000;
const MIN_PROGRESS = 10;       // progress messages: one per batch, at most one per 50 ms (a batch takes 25–70 ms here)
const MIN_LOSS_DROP = 0.75;    // nats per point, first batch to last (measured 3.96 → 0.8–1.8 in 3 s: 51–124 batches)
const MIN_MODEL_PIXELS = 150; // canvas pixels in the model's colour once it has written
const MIN_READ = 0.6;          // completions read as the letter asked for, as the learning test's bound for samples

let browser: Browser | undefined;
let server: StaticServer | undefined;
let page: Page;
const problems: string[] = [];

const pen = (): Promise<PenState & { errors: string[] }> => page.evaluate(() => ({ ...window.demo.pen, errors: window.demo.errors }));

/** The first `fraction` of a glyph's points, as strokes of absolute font-unit points (the start of the letter as its font draws it). */
function glyphStart(font: string, char: string, fraction: number): number[][] {
  const data = JSON.parse(readFileSync(new URL('hershey.json', DATA_DIR), 'utf8'));
  const [glyph] = hersheyGlyphs(data, { fonts: [font], characters: char });
  let left = Math.round((glyph.drawing.length / 3) * fraction);
  const out: number[][] = [];
  for (const p of toPolylines(glyph.drawing)) {
    if (left <= 0) break;
    out.push(Array.from(p.subarray(0, 2 * Math.min(left, p.length / 2))));
    left -= p.length / 2;
  }
  return out;
}

/** Draw strokes (font units) on the pen canvas with the mouse: down, moves of a few events each, up. */
async function draw(strokes: number[][]): Promise<void> {
  const { view } = await pen();
  const box = (await page.locator('#pen').boundingBox())!;
  const px = (x: number, y: number): [number, number] => [box.x + (x - view.x0) * view.unit, box.y + (y - view.y0) * view.unit];
  for (const s of strokes) {
    await page.mouse.move(...px(s[0], s[1]));
    await page.mouse.down();
    for (let i = 2; i < s.length; i += 2) await page.mouse.move(...px(s[i], s[i + 1]), { steps: 4 });
    await page.mouse.up();
  }
}

/**
 * Wait until a completion started after the first `before` has finished with nothing more to come
 * (the page waits 400 ms after the pen lifts for another stroke: one cut short by the next stroke
 * is cancelled), and return the last.
 */
async function completed(before: number): Promise<PenCompletion> {
  await page.waitForFunction((n) => {
    const { pen, errors } = window.demo;
    return errors.length > 0 || (!pen.pending && pen.completions.length > n && pen.completions.at(-1)!.status === 'done');
  }, before, { timeout: 15_000, polling: 50 });
  const state = await pen();
  expect(state.errors).toEqual([]);
  return state.completions.at(-1)!;
}

/** Pixels of the pen canvas near a colour (read from a copy: the page's canvas is never read back). */
const pixels = (rgb: [number, number, number]) => page.evaluate((c) => {
  const source = document.getElementById('pen') as HTMLCanvasElement;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(source, 0, 0);
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - c[0]) + Math.abs(d[i + 1] - c[1]) + Math.abs(d[i + 2] - c[2]) < 40) n++;
  return n;
}, rgb);
const BLUE: [number, number, number] = [0x1f, 0x6f, 0xd1], INK: [number, number, number] = [0x1d, 0x1d, 0x1f];

async function open(): Promise<void> {
  ({ server, browser, page } = await openDemo(ROOT, 'build/web-demo-pen', `simd=${SIMD}&penSeed=1&penSeconds=${SECONDS}`, problems));
  await page.waitForFunction(() => window.demo?.pen.ready || window.demo?.errors.length > 0, undefined, { timeout: 20_000 });
  expect((await pen()).errors).toEqual([]);
  expect(await page.evaluate(() => window.demo.simd)).toBe(SIMD); // the wasm build the page (and its worker) loaded
  await page.locator('#pen').scrollIntoViewIfNeeded();
}

describe('the web demo\'s handwriting section in Chromium', () => {
  let setup: Promise<void>;
  const ready = () => setup;
  beforeAll(async () => {
    setup = open();
    await setup.catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the model examples/handwriting.ts trained, with what it was trained on', async () => {
    await ready();
    const { info, model } = await pen();
    expect(model).toBe('file');
    expect(info!.format).toBe('rnn-wasm/handwriting@1');
    expect(info!.fonts).toEqual(['futural', 'scripts']);
    expect(info!.characters).toContain('abcdefghijklmnopqrstuvwxyz');
    expect(await page.locator('#pen-char option').count()).toBe(info!.characters.length);
  });

  // the start of the letter, drawn with the mouse; the model completes it (seed 1), then Complete
  // asks for four more samples (seeds 2 … 5); the recogniser reads each whole drawing
  const readings: Array<{ char: string; read: string | undefined }> = [];
  for (const [font, char, fraction] of [['futural', 'a', 0.5], ['scripts', 'h', 0.4]] as const) {
    it(`completes the start of “${char}” (${font}) drawn with the pointer: the model's points appear, a few per frame; Complete samples again`, async () => {
      await ready();
      await page.click('#pen-clear');
      await page.selectOption('#pen-font', font);
      await page.selectOption('#pen-char', char);
      const strokes = glyphStart(font, char, fraction);
      const blueBefore = await pixels(BLUE);
      let before = (await pen()).completions.length;
      await draw(strokes);
      const c = await completed(before);
      console.log(`${SIMD}: “${char}” (${font}): ${strokes.length} stroke(s) drawn → ${c.prefixPoints} points fed; the model wrote ${c.points} points in ${c.frames} frames, ` +
        `${c.ended ? 'ending the drawing' : 'up to its limit'}; read as “${c.recognized}” (DTW ${c.distance?.toFixed(3)})`);
      expect((await pen()).strokes).toBe(strokes.length);
      expect(c).toMatchObject({ status: 'done', model: 'file', char, font, seed: 1, temperature: 0.25 });
      expect(c.prefixPoints).toBeGreaterThanOrEqual(3);
      expect(c.points).toBeGreaterThanOrEqual(3);
      expect(c.ended || c.points === c.maxLength).toBe(true);
      expect(c.frames).toBeGreaterThanOrEqual(Math.ceil(c.points / 2)); // animated: at most 2 points per frame
      expect(await pixels(INK)).toBeGreaterThan(100); // the user's strokes
      expect(blueBefore).toBe(0);
      expect(await pixels(BLUE)).toBeGreaterThan(MIN_MODEL_PIXELS); // the model's
      expect(await page.textContent('#pen-status')).toMatch(/ of the model's .*The recogniser reads the whole drawing as “.”/);
      readings.push({ char, read: c.recognized });
      for (let seed = 2; seed <= 5; seed++) {
        before = (await pen()).completions.length;
        await page.click('#pen-complete');
        const again = await completed(before);
        expect(again).toMatchObject({ char, seed, prefixPoints: c.prefixPoints });
        expect(again.ended || again.points === again.maxLength).toBe(true);
        readings.push({ char, read: again.recognized });
      }
    }, 60_000);
  }

  it(`the finished drawings read as the letter asked for (nearest glyph by DTW) in ≥ ${MIN_READ * 100} % of the ${2 * 5} completions`, async () => {
    await ready();
    const right = readings.filter((r) => r.read === r.char).length;
    console.log(`${SIMD}: read as asked for: ${right} of ${readings.length} (${readings.map((r) => `${r.char}→${r.read}`).join(' ')})`);
    expect(readings.length).toBe(10);
    expect(right / readings.length).toBeGreaterThanOrEqual(MIN_READ);
  });

  it('trains a pen model in the Web Worker while the page keeps its beat; completions then use it', async () => {
    await ready();
    const before = (await pen()).completions.length;
    await page.click('#pen-train', { timeout: 5_000 });
    await page.waitForFunction(() => window.demo.errors.length > 0 || (window.demo.pen.training[0] !== undefined && window.demo.pen.training[0].status !== 'running'),
      undefined, { timeout: (SECONDS + 20) * 1000, polling: 100 });
    const { training, errors, model } = await pen();
    expect(errors).toEqual([]);
    const run = training[0];
    const first = run.losses[0][1], last = run.losses.at(-1)![1];
    console.log(`${SIMD}: pen model in the worker: ${run.progress} progress messages, ${run.steps} steps in ${run.seconds.toFixed(2)} s, loss ${first.toFixed(3)} → ${last.toFixed(3)}; ` +
      `main thread: ${run.ticks} timer ticks, 95% of gaps ≤ ${run.p95GapMs.toFixed(0)} ms, longest ${run.maxGapMs.toFixed(0)} ms`);
    expect(run.status).toBe('done');
    expect(run.progress).toBeGreaterThan(MIN_PROGRESS);
    expect(last).toBeLessThan(first - MIN_LOSS_DROP);
    expect(run.seconds).toBeGreaterThan(SECONDS * 0.9);
    expect(run.ticks).toBeGreaterThan(MIN_TICK_SHARE * 100 * run.seconds);
    expect(run.p95GapMs).toBeLessThan(MAX_P95_GAP_MS);
    expect(run.maxGapMs).toBeLessThan(MAX_GAP_MS);
    // the page switched to it and completed the strokes on the canvas again
    expect(model).toBe('trained');
    const c = await completed(before);
    expect(c).toMatchObject({ status: 'done', model: 'trained', char: 'h', font: 'scripts' });
    expect(c.ended || c.points === c.maxLength).toBe(true);
    expect(await page.textContent('#pen-train-status')).toMatch(/^Trained here: \d+ steps in [\d.]+ s, loss -?[\d.]+; /);
  }, 60_000);

  it('back to the example\'s model: the same strokes completed again, as before; screenshot of the section', async () => {
    await ready();
    const { completions } = await pen();
    const earlier = completions.filter((c) => c.model === 'file' && c.status === 'done').at(-1)!;
    await page.check('#pen-model-file');
    const c = await completed(completions.length);
    // the same strokes, letter, model and seed: the same drawing
    expect(c).toMatchObject({ model: 'file', char: earlier.char, seed: earlier.seed, prefixPoints: earlier.prefixPoints, points: earlier.points, recognized: earlier.recognized });
    expect(await pixels(BLUE)).toBeGreaterThan(MIN_MODEL_PIXELS);
    await page.locator('section:has(#pen)').screenshot({ path: SCREENSHOT, timeout: 10_000 });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });

  it('no console errors, failed requests or page errors', async () => {
    await ready();
    expect(problems).toEqual([]);
    expect((await pen()).errors).toEqual([]);
  });
});
