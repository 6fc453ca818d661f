// The README's code and the examples run as written. The README snippet imports 'rnn-wasm'
// itself, so this also checks the built package (dist/ and the rnn.wasm beside it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);

describe('examples', () => {
  // a README section's first ts block, written to build/ and run with node against the built package
  function runReadmeSnippet(heading: string, imports: string): string {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))![1];
    expect(code).toContain(`from '${imports}'`);
    mkdirSync(new URL('build/', root), { recursive: true });
    const file = new URL(`build/readme-${imports.replace(/\W/g, '-')}.mjs`, root);
    writeFileSync(file, code);
    return execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
  }

  it('the README "Forward and backward" snippet runs against the built package', () => {
    expect(runReadmeSnippet('## Forward and backward', 'rnn-wasm')).toBe('');
  });

  it('the README "Conditioned models" snippet runs against the built package and writes "down"', () => {
    expect(runReadmeSnippet('## Conditioned models', 'rnn-wasm/seq2seq')).toBe('down\n');
  });

  it('the README "ONNX out" snippet runs the exported model in ONNX Runtime Web and prints true', () => {
    expect(runReadmeSnippet('## ONNX out', 'rnn-wasm/interop')).toBe('true\n');
  });

  it('examples/layers.ts (hand-written training loop) trains: the loss falls at least 5×', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/layers.ts'], { cwd: root.pathname, encoding: 'utf8' });
    const losses = [...out.matchAll(/mse ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThan(3);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 5);
  });

  // every example runs as documented (small budgets here; the full runs are the examples' own)
  const runExample = (file: string, ...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root.pathname, encoding: 'utf8', timeout: 600_000 });

  it('examples/adding-problem.ts prints steps-to-solve for both cells', () => {
    const out = runExample('examples/adding-problem.ts', '--max-steps', '250', '--t', '10');
    expect(out).toMatch(/LSTM/);
    expect(out).toMatch(/RNN/);
  }, 120_000);

  it('examples/gradient-flow.ts prints the decay table', () => {
    const out = runExample('examples/gradient-flow.ts', '--steps', '50');
    expect(out).toMatch(/RNN untrained .* ρ\(W_hh\) [\d.]+/);
    expect(out).toMatch(/LSTM after 50 /);
  }, 120_000);

  it('examples/sunspots.ts compares with persistence', () => {
    expect(runExample('examples/sunspots.ts')).toMatch(/persistence/i);
  }, 120_000);

  it('examples/char-lm.ts trains and reports validation loss in nats/char', () => {
    expect(runExample('examples/char-lm.ts', '--minutes', '0.05', '--hidden', '32')).toMatch(/nats\/char/);
  }, 120_000);

  it('examples/handwriting.ts trains a pen model, compares its held-out NLL with the unigram Gaussian, writes the word to SVG and saves the model', async () => {
    const svg = 'build/test-handwriting.svg', out = 'build/test-handwriting.safetensors';
    const text = runExample('examples/handwriting.ts', '--epochs', '40', '--hidden', '64', '--samples', '1', '--word', 'hi there', '--svg', svg, '--out', out);
    const nll = /Held-out NLL per step \(nats, offsets in units of [\d.]+\): model (-?[\d.]+) \(untrained (-?[\d.]+)\); unigram Gaussian (-?[\d.]+) /.exec(text);
    expect(nll, text).not.toBeNull();
    const [model, untrained, unigram] = nll!.slice(1).map(Number);
    // 40 epochs of a 64-unit model: below the baseline already (measured 0.04 against 3.10)
    expect(model).toBeLessThan(unigram);
    expect(model).toBeLessThan(untrained);
    expect(text).toMatch(/Recognisable: \d+ of 52 samples \([\d.]+ %\) at temperature 0.25 are nearest to the character asked for/);
    expect(text).toMatch(/Wrote "hi there" as strokes to build\/test-handwriting.svg \(\d+ strokes; one line per font\)/);
    const drawn = readFileSync(new URL(svg, root), 'utf8');
    expect(drawn).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((drawn.match(/<polyline points="[-\d., ]+"\/>/g) ?? []).length).toBeGreaterThanOrEqual(7); // 7 letters, at least a stroke each
    // the model file loads as the Seq2Seq it was, beside what the demo needs to use it
    const meta = JSON.parse(readFileSync(new URL('build/test-handwriting.json', root), 'utf8'));
    expect(meta).toMatchObject({ format: 'rnn-wasm/handwriting@1', characters: 'abcdefghijklmnopqrstuvwxyz', fonts: ['futural', 'scripts'], components: 20 });
    const { init } = await import('../src/index.js');
    const { Seq2Seq } = await import('../src/seq2seq.js');
    await init();
    const loaded = Seq2Seq.load(readFileSync(new URL(out, root)));
    expect(loaded.conditionSize).toBe(28);
    expect(loaded.outputSize).toBe(123);
    loaded.dispose();
  }, 300_000);

  it('examples/caption.ts captions CO2 windows of later years, well above chance', () => {
    const out = runExample('examples/caption.ts', '--epochs', '20');
    const m = /exact match ([\d.]+)% of (\d+) test windows; corpus BLEU-4 ([\d.]+)/.exec(out);
    expect(m, out).not.toBeNull();
    // 20 epochs gave 63% exact and BLEU 0.86 here (60 epochs: 74%, 0.89)
    expect(Number(m![1])).toBeGreaterThan(40);
    expect(Number(m![3])).toBeGreaterThan(0.7);
  }, 600_000);
});
