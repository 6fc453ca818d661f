// The command line, as a user runs it (the built dist/cli.js): train on a text, save, sample.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('rnn-wasm CLI', () => {
  it('trains a character model on a text file, saves it, and samples from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-cli-'));
    const text = readFileSync(new URL('../data/tinyshakespeare.txt', import.meta.url), 'utf8').slice(0, 30000);
    writeFileSync(join(dir, 'in.txt'), text);
    const out = join(dir, 'm.safetensors');
    const r = run('train', '--text', join(dir, 'in.txt'), '--hidden', '24', '--layers', '1', '--embed', '8', '--minutes', '0.05', '--out', out, '--sample', '80');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/validation loss before training: [\d.]+ nats\/char/);
    expect(r.stdout).toMatch(/trained \d+ steps in [\d.]+ s; validation loss [\d.]+ nats\/char/);
    expect(r.stdout).toMatch(/--- sample \(temperature 0.8\) ---/);
    expect(r.stderr).toMatch(/\[[#.]+\] step \d+ {2}loss [\d.]+ {2}[\d,]+ chars\/s {2}elapsed \d+:\d\d {2}ETA \d+:\d\d/);
    expect(existsSync(out)).toBe(true);
    const s = execFileSync(process.execPath, [cli, 'sample', out, '--length', '50', '--seed', '3', '--prime', 'ROMEO'], { encoding: 'utf8' });
    expect(s.endsWith('\n')).toBe(true);
    expect([...s.slice(0, -1)]).toHaveLength(50); // the CLI adds one newline
    expect(execFileSync(process.execPath, [cli, 'sample', out, '--length', '50', '--seed', '3', '--prime', 'ROMEO'], { encoding: 'utf8' })).toBe(s);
  }, 600_000);

  it('explains usage errors with exit code 2', () => {
    expect(run('train').stderr).toMatch(/train needs --text FILE/);
    expect(run('train').status).toBe(2);
    expect(run('train', '--text', 'x', '--hidden', 'big').stderr).toMatch(/--hidden: expected an integer ≥ 1, got "big"/);
    expect(run('sample', '/nonexistent.safetensors').stderr).toMatch(/cannot read \/nonexistent\.safetensors/);
    expect(run('fly').stderr).toMatch(/unknown command "fly"/);
    expect(run('--help').stdout).toMatch(/rnn-wasm train --text FILE/);
    const bare = run();
    expect(bare.status).toBe(0);
    expect(bare.stdout).toMatch(/Usage:/);
    const v = run('--version');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toBe(`rnn-wasm ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
    expect(run('train', '--text').stderr).toMatch(/option --text needs a value/);
    expect(run('train', '--text', 'x', '--colour', 'red').stderr).toMatch(/unknown option --colour/);
  });
});
