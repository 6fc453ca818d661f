// The README's code and the examples run as written. The README snippet imports 'rnn-wasm'
// itself, so this also checks the built package (dist/ and the rnn.wasm beside it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);

describe('examples', () => {
  it('the README "Forward and backward" snippet runs against the built package', async () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('## Forward and backward'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(code).toContain("from 'rnn-wasm'");
    mkdirSync(new URL('build/', root), { recursive: true });
    const file = new URL('build/readme-example.mjs', root);
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('examples/layers.ts (hand-written training loop) trains: the loss falls at least 5×', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/layers.ts'], { cwd: root.pathname, encoding: 'utf8' });
    const losses = [...out.matchAll(/mse ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThan(3);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 5);
  });
});
