// The size budgets (`npm run size` prints the same table): what a page that imports rnn-wasm
// loads, bundled and minified for the browser, plus the wasm.
import { describe, expect, it } from 'vitest';
import { checkBudgets, measureSizes } from '../../tools/size.js';

describe('size budgets', () => {
  it('wasm ≤ 64 kB each; rnn-wasm JS + wasm ≤ 100 kB minified and ≤ 40 kB gzipped (with threads: ≤ 105 kB and ≤ 40 kB)', async () => {
    const sizes = await measureSizes();
    const lines = checkBudgets(sizes);
    console.log(lines.map((l) => `${l.what}: ${l.value} ≤ ${l.limit}`).join('\n'));
    for (const l of lines) expect(l.value, l.what).toBeLessThanOrEqual(l.limit);
    // the training entry adds to the core rather than repeating it: the chunks are shared
    const [core, , , all] = sizes.entries;
    expect(all.jsMin).toBeLessThan(core.jsMin * 1.7);
  }, 600_000);
});
