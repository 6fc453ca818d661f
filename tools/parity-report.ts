// The accuracy figures of the README and the closing notes, measured on the committed fixtures:
// the worst PyTorch-parity error (DESIGN.md §5 metric) over every output and gradient of the 36
// layer cases, and the largest |difference| of model-file outputs, PyTorch → rnn-wasm and back.
//   npx tsx tools/parity-report.ts                                        plain SIMD build
//   node --experimental-wasm-relaxed-simd --import tsx tools/parity-report.ts   relaxed build
import { readdirSync, readFileSync } from 'node:fs';
import { GRU, init, load, LSTM, RNN, runtimeInfo } from '../src/index.js';
import { parityError } from '../test/support/metric.js';
import { oursCases } from '../test/fixtures/io/make-ours.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const json = (url: URL) => JSON.parse(readFileSync(url, 'utf8'));

await init();
let parity = 0, where = '';
for (const c of json(new URL('torch-rnn.json', fixtures)).cases) {
  const { nonlinearity, ...common } = c.config;
  const l = c.mode === 'LSTM' ? new LSTM(common) : c.mode === 'GRU' ? new GRU(common) : new RNN({ ...common, nonlinearity });
  l.loadStateDict(c.params);
  const f = l.forward(c.inputs.x, { shape: c.shape, h0: c.hasH0 ? c.inputs.h0 : undefined, c0: c.hasH0 ? c.inputs.c0 : undefined });
  const b = l.backward(c.seeds.dOutput, { dhN: c.seeds.dhN, dcN: c.seeds.dcN });
  const errors: [string, number][] = [
    ['output', parityError(f.output, c.expected.output)], ['hN', parityError(f.hN, c.expected.hN)],
    ['dInput', parityError(b.dInput, c.expected.dInput)], ['dh0', parityError(b.dh0, c.expected.dh0)],
    ...l.namedParameters().map((p): [string, number] => [`grad ${p.name}`, parityError(p.grad, c.expected.grads[p.name])]),
  ];
  if (f.cN) errors.push(['cN', parityError(f.cN, c.expected.cN)], ['dc0', parityError(b.dc0!, c.expected.dc0)]);
  for (const [name, e] of errors) if (e > parity) { parity = e; where = `${c.name} ${name}`; }
  l.dispose();
}

const io = new URL('io/', fixtures);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
let fromTorch = 0;
for (const f of readdirSync(io).filter((n) => n.startsWith('torch_') && n.endsWith('.safetensors'))) {
  const meta = json(new URL(f.replace('.safetensors', '.json'), io));
  const m = load(readFileSync(new URL(f, io))).eval();
  fromTorch = Math.max(fromTorch, maxDiff(m.forward(meta.inputs.x, { shape: meta.inputs.shape }).output, meta.expected.output));
}
let toTorch = 0;
for (const c of oursCases()) {
  const torch = json(new URL(`${c.name}.torch.json`, io));
  toTorch = Math.max(toTorch, maxDiff(c.model.eval().forward(c.x as never, { shape: c.shape }).output, torch.output));
}

console.log(`build: ${runtimeInfo().simd} SIMD`);
console.log(`PyTorch parity, worst over 36 cases (tolerance 1e-4): ${parity.toExponential(2)} (${where})`);
console.log(`model files, max |output difference| (tolerance 1e-5): PyTorch → rnn-wasm ${fromTorch.toExponential(2)}, rnn-wasm → PyTorch ${toTorch.toExponential(2)}`);
