#!/usr/bin/env node
/**
 * The command line: train a character-level LSTM on a text file, and sample from a saved model.
 *
 *   rnn-wasm train --text FILE [--hidden 192] [--layers 1] [--minutes 1] [--out model.safetensors]
 *   rnn-wasm sample MODEL [--length 500] [--temperature 0.8] [--top-k 0] [--prime TEXT] [--seed N]
 * @packageDocumentation
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  CharTokenizer, Embedding, init, Linear, load, LSTM, RnnWasmError, Sequential, unigramEntropy,
} from './index.js';
import { datasetSize, takeSamples, textDataset, Trainer } from './train/index.js';

const HELP = `rnn-wasm — recurrent networks in WebAssembly

Usage:
  rnn-wasm train --text FILE [options]   train a character LSTM on a text file
  rnn-wasm sample MODEL [options]        generate text from a saved model
  rnn-wasm --version                     print the version
  rnn-wasm --help                        print this help

train options:
  --text FILE          training text (UTF-8); the last 10% is the validation split
  --out FILE           where to save the model (safetensors)      [model.safetensors]
  --minutes M          training time budget                       [1]
  --hidden N           LSTM hidden size                           [192]
  --layers N           stacked LSTM layers                        [1]
  --embed N            character embedding size                   [32]
  --seq N              characters per training window             [64]
  --batch N            windows per batch                          [32]
  --lr X               Adam learning rate                         [0.002]
  --dropout P          dropout between LSTM layers                [0]
  --seed N             seed of weights and shuffling              [1]
  --sample N           characters to generate at the end (0: none) [400]
  --temperature T      sampling temperature at the end            [0.8]

sample options:
  --length N           characters to generate                     [500]
  --temperature T      softmax temperature (0: most likely)       [0.8]
  --top-k K            sample among the K most likely (0: all)    [0]
  --prime TEXT         text to start from                         [a newline]
  --seed N             seed of the sampling                       [random]
`;

class UsageError extends Error {}

type Args = { _: string[]; [k: string]: string | string[] | true };

function parseArgs(argv: string[]): Args {
  const out: Args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') out.help = true;
    else if (a === '-v' || a === '--version') out.version = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
      else throw new UsageError(`option ${a} needs a value`);
    } else out._.push(a);
  }
  return out;
}

function num(args: Args, name: string, fallback: number, { integer = false, min = -Infinity } = {}): number {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
    throw new UsageError(`--${name}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function str(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

function checkKnown(args: Args, known: string[]): void {
  for (const k of Object.keys(args)) {
    if (k !== '_' && !known.includes(k)) throw new UsageError(`unknown option --${k} (see rnn-wasm --help)`);
  }
}

// A one-line progress display: a bar, the loss, speed and time left.
function progress(fraction: number, text: string): void {
  const width = 24;
  const filled = Math.round(Math.min(1, fraction) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
  else process.stderr.write(`${line}\n`);
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

async function train(args: Args): Promise<void> {
  checkKnown(args, ['text', 'out', 'minutes', 'hidden', 'layers', 'embed', 'seq', 'batch', 'lr', 'dropout', 'seed', 'sample', 'temperature']);
  const file = str(args, 'text');
  if (!file) throw new UsageError('train needs --text FILE');
  const out = str(args, 'out') ?? 'model.safetensors';
  const minutes = num(args, 'minutes', 1, { min: 0 });
  // defaults that learn something in the default minute on 2 cores (validation ≈ 1.8 nats/char
  // on tinyshakespeare, against a unigram entropy of 3.3); bigger models need more minutes
  const hidden = num(args, 'hidden', 192, { integer: true, min: 1 });
  const layers = num(args, 'layers', 1, { integer: true, min: 1 });
  const embed = num(args, 'embed', 32, { integer: true, min: 1 });
  const seq = num(args, 'seq', 64, { integer: true, min: 2 });
  const batch = num(args, 'batch', 32, { integer: true, min: 1 });
  const lr = num(args, 'lr', 2e-3, { min: 0 });
  const dropout = num(args, 'dropout', 0, { min: 0 });
  const seed = num(args, 'seed', 1, { integer: true, min: 0 });
  const sampleLength = num(args, 'sample', 400, { integer: true, min: 0 });
  const temperature = num(args, 'temperature', 0.8, { min: 0 });

  const text = await readFile(file, 'utf8').catch((e: Error) => { throw new UsageError(`cannot read --text ${file}: ${e.message}`); });
  const tok = CharTokenizer.fromText(text);
  const ids = tok.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  if (cut < seq + 1 || ids.length - cut < seq + 1) throw new UsageError(`--text ${file} is too short for --seq ${seq} (${ids.length} characters)`);
  const train = textDataset(ids.subarray(0, cut), { seqLength: seq });
  // validation: up to 64 windows from the held-out tail (enough for a stable estimate, fast)
  const held = textDataset(ids.subarray(cut), { seqLength: seq });
  const val = datasetSize(held) > 64 ? takeSamples(held, Array.from({ length: 64 }, (_, i) => i)) : held;

  await init();
  const V = tok.size;
  const model = new Sequential([
    new Embedding({ numEmbeddings: V, embeddingDim: embed, seed }),
    new LSTM({ inputSize: embed, hiddenSize: hidden, numLayers: layers, dropout: layers > 1 ? dropout : 0, batchFirst: true, seed: seed + 1 }),
    new Linear({ inFeatures: hidden, outFeatures: V, seed: seed + 2 }),
  ], { vocabulary: tok.vocabulary });
  const trainer = new Trainer(model, { loss: 'crossEntropy', optimizer: { type: 'adam', lr }, clip: { maxNorm: 1 } });
  console.log(`rnn-wasm: ${text.length.toLocaleString('en')} characters, vocabulary ${V}; LSTM ${layers}×${hidden}, ` +
    `${model.parameterCount.toLocaleString('en')} parameters; ${minutes} min budget`);
  const unigram = unigramEntropy(ids.subarray(0, cut), V);
  console.log(`validation loss before training: ${trainer.evaluate(val).toFixed(3)} nats/char (unigram entropy ${unigram.toFixed(3)})`);

  const budget = minutes * 60;
  const t0 = performance.now();
  let ema = NaN, last = -Infinity, steps = 0, speed = 0;
  const history = await trainer.fit(train, {
    epochs: 1000, batchSize: batch, seed, maxSeconds: budget,
    callbacks: {
      onBatchEnd: (s) => {
        ema = Number.isNaN(ema) ? s.loss : 0.98 * ema + 0.02 * s.loss;
        steps = s.step;
        speed = s.tokensPerSecond;
        const elapsed = (performance.now() - t0) / 1000;
        if (elapsed - last < (process.stderr.isTTY ? 0.25 : 5)) return; // a line every 5 s into logs
        last = elapsed;
        progress(elapsed / Math.max(budget, 1e-9), `step ${s.step}  loss ${ema.toFixed(3)}  ${Math.round(s.tokensPerSecond).toLocaleString('en')} chars/s  ` +
          `elapsed ${clock(elapsed)}  ETA ${clock(budget - elapsed)}`);
      },
    },
  });
  const spent = (performance.now() - t0) / 1000;
  progress(1, `step ${steps}  loss ${ema.toFixed(3)}  ${Math.round(speed).toLocaleString('en')} chars/s  elapsed ${clock(spent)}  ETA ${clock(0)}`);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const valLoss = trainer.evaluate(val);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`trained ${history.steps} steps in ${seconds.toFixed(1)} s; validation loss ${valLoss.toFixed(3)} nats/char`);
  await writeFile(out, model.save());
  console.log(`saved ${out}`);
  if (sampleLength > 0) {
    console.log(`\n--- sample (temperature ${temperature}) ---`);
    console.log(model.sample({ prime: '\n', length: sampleLength, temperature, seed }));
  }
  model.dispose();
}

async function sample(args: Args): Promise<void> {
  checkKnown(args, ['length', 'temperature', 'top-k', 'prime', 'seed']);
  const file = args._[1];
  if (!file) throw new UsageError('sample needs a MODEL file: rnn-wasm sample model.safetensors');
  const bytes = await readFile(file).catch((e: Error) => { throw new UsageError(`cannot read ${file}: ${e.message}`); });
  await init();
  const model = load(bytes);
  if (!(model instanceof Sequential)) throw new UsageError(`${file} holds a bare recurrent layer; sampling needs a character model`);
  const topK = num(args, 'top-k', 0, { integer: true, min: 0 });
  const seedArg = str(args, 'seed');
  const out = model.sample({
    length: num(args, 'length', 500, { integer: true, min: 0 }),
    temperature: num(args, 'temperature', 0.8, { min: 0 }),
    topK: topK || undefined,
    prime: str(args, 'prime') ?? (model.vocabulary?.includes('\n') ? '\n' : undefined),
    seed: seedArg === undefined ? undefined : num(args, 'seed', 0, { integer: true, min: 0 }),
  });
  process.stdout.write(out + '\n');
  model.dispose();
}

// The package's version, from the package.json beside dist/ (or beside src/ when run from source).
async function version(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Run the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    const command = args._[0];
    if (args.version) {
      process.stdout.write(`rnn-wasm ${await version()}\n`);
      return 0;
    }
    if (args.help || !command) {
      process.stdout.write(HELP);
      return 0;
    }
    if (command === 'train') await train(args);
    else if (command === 'sample') await sample(args);
    else throw new UsageError(`unknown command "${command}" (train or sample)`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rnn-wasm: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RnnWasmError) {
      process.stderr.write(`rnn-wasm: ${e.name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

const invoked = process.argv[1] && (import.meta.url === `file://${process.argv[1]}` || process.argv[1].endsWith('/rnn-wasm'));
if (invoked) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
