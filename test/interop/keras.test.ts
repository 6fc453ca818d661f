// importKeras on models made by real TF.js 4.22 (tools/keras-fixtures.ts) and on Keras 2 / 3
// converter-form models from PyTorch (tools/keras-fixtures-torch.py): every prediction within
// 1e-5 (max absolute difference) of the reference; every refusal asserted by class and message,
// with nothing allocated by it.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, FormatError, init, Linear } from '../../src/index.js';
import { importKeras, KERAS_LAYER_CLASSES, type KerasImport } from '../../src/interop/index.js';
import { RecurrentLayer } from '../../src/layers/recurrent.js';
import { getRuntime } from '../../src/runtime/loader.js';

beforeAll(() => init());

const DIR = new URL('../fixtures/keras/', import.meta.url);
const TOL = 1e-5;

interface Fixture {
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  shards: Uint8Array[];
  expected: { source: string; input: { dtype: 'int32' | 'float32'; shape: number[]; data: number[] }; output: { shape: number[]; data: number[] } };
}
const load = (name: string): Fixture => {
  const dir = new URL(`${name}/`, DIR);
  const json = JSON.parse(readFileSync(new URL('model.json', dir), 'utf8'));
  const shards = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => new Uint8Array(readFileSync(new URL(p, dir))));
  return { json, shards, expected: JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) };
};
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

// Keras's last activation, applied here (the model's output is linear)
function activate(y: Float32Array, kind: KerasImport['outputActivation'], O: number): Float64Array {
  const out = Float64Array.from(y);
  if (kind === 'sigmoid') return out.map((v) => 1 / (1 + Math.exp(-v)));
  if (kind === 'softmax') {
    for (let r = 0; r < out.length; r += O) {
      const row = out.subarray(r, r + O);
      const m = Math.max(...row);
      let s = 0;
      for (let j = 0; j < O; j++) s += (row[j] = Math.exp(row[j] - m));
      for (let j = 0; j < O; j++) row[j] /= s;
    }
  }
  return out;
}

function predictFixture(name: string, f = load(name)) {
  const r = importKeras(f.json, f.shards);
  const { input } = f.expected;
  const x = input.dtype === 'int32' ? Int32Array.from(input.data) : Float32Array.from(input.data);
  const y = r.model.predict(x, { shape: input.shape });
  const got = activate(y, r.outputActivation, r.model.outputSize);
  const want = f.expected.output.data;
  expect(got.length, `${name}: output length`).toBe(want.length);
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  return { r, maxDiff, f };
}

// what each case must come out as (the fixture's own "about" says the same in words)
const CASES: Record<string, { activation: KerasImport['outputActivation']; output: 'sequence' | 'last'; inputShape: (number | null)[]; describe: RegExp }> = {
  embed_lstm_dense: { activation: 'linear', output: 'sequence', inputShape: [6], describe: /^Sequential\(embedding: Embedding.*rnn: LSTM\(inputSize 5, hiddenSize 3, numLayers 1, bias true, bidirectional false\), head: Linear\(inFeatures 3, outFeatures 4, bias true\)\)$/ },
  simple_rnn_tanh: { activation: 'linear', output: 'sequence', inputShape: [null, 5], describe: /rnn: RNN_TANH\(inputSize 5, hiddenSize 4/ },
  simple_rnn_relu_sigmoid: { activation: 'sigmoid', output: 'last', inputShape: [6, 5], describe: /rnn: RNN_RELU\(inputSize 5, hiddenSize 3.*head: Linear\(inFeatures 3, outFeatures 1/ },
  stacked_lstm_softmax: { activation: 'softmax', output: 'last', inputShape: [null, 5], describe: /rnn: LSTM\(inputSize 5, hiddenSize 3, numLayers 2.*dropout: Dropout\(p 0.25\), rnn1: LSTM\(inputSize 3, hiddenSize 4, numLayers 1/ },
  bi_lstm_time_distributed: { activation: 'linear', output: 'sequence', inputShape: [5, 5], describe: /rnn: LSTM\(inputSize 5, hiddenSize 3, numLayers 1, bias true, bidirectional true\), head: Linear\(inFeatures 6, outFeatures 2/ },
  bi_lstm_stack_last: { activation: 'softmax', output: 'last', inputShape: [null, 5], describe: /bidirectional true\), rnn1: LSTM\(inputSize 6, hiddenSize 4/ },
  lstm_no_bias: { activation: 'linear', output: 'sequence', inputShape: [null, 5], describe: /LSTM\(inputSize 5, hiddenSize 3, numLayers 1, bias false.*Linear\(inFeatures 3, outFeatures 2, bias false\)/ },
  functional_lstm: { activation: 'softmax', output: 'last', inputShape: [6, 5], describe: /rnn: LSTM\(inputSize 5, hiddenSize 3/ },
  lstm_uint8: { activation: 'linear', output: 'sequence', inputShape: [null, 5], describe: /LSTM\(inputSize 5, hiddenSize 4/ },
  simple_rnn_uint16_float16: { activation: 'linear', output: 'sequence', inputShape: [null, 5], describe: /RNN_TANH\(inputSize 5, hiddenSize 3/ },
  lstm_float16: { activation: 'sigmoid', output: 'last', inputShape: [null], describe: /Embedding\(numEmbeddings 6, embeddingDim 4\).*LSTM\(inputSize 4, hiddenSize 5/ },
  gru_reset_after_keras2: { activation: 'linear', output: 'sequence', inputShape: [null, 5], describe: /rnn: GRU\(inputSize 5, hiddenSize 3, numLayers 1, bias true, bidirectional false\)/ },
  bi_gru_keras3_functional: { activation: 'linear', output: 'sequence', inputShape: [4, 5], describe: /rnn: GRU\(inputSize 5, hiddenSize 3, numLayers 1, bias true, bidirectional true\), head: Linear\(inFeatures 6/ },
  embed_lstm_keras3: { activation: 'softmax', output: 'last', inputShape: [5], describe: /rnn: LSTM\(inputSize 4, hiddenSize 3, numLayers 2/ },
};

describe('importKeras: fixtures from TF.js and PyTorch', () => {
  it('covers every fixture folder (gru_reset_before is the refusal case)', () => {
    const dirs = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual([...Object.keys(CASES), 'gru_reset_before'].sort());
  });

  for (const [name, want] of Object.entries(CASES)) {
    it(`${name}: predictions within ${TOL} of the reference`, () => {
      const { arena } = getRuntime();
      const before = arena.allocatedBytes;
      const { r, maxDiff, f } = predictFixture(name);
      expect(maxDiff, `${name} (${f.expected.source})`).toBeLessThanOrEqual(TOL);
      expect(r.outputActivation).toBe(want.activation);
      expect(r.model.output).toBe(want.output);
      expect(r.model.batchFirst).toBe(true);
      expect(r.model.training).toBe(false);
      expect(r.inputShape).toEqual(want.inputShape);
      expect(r.model.describe()).toMatch(want.describe);
      // every Keras layer is accounted for
      const keras = f.json.modelTopology.model_config ?? f.json.modelTopology;
      const names = (Array.isArray(keras.config) ? keras.config : keras.config.layers).map((l: { config: { name: string }; name?: string }) => l.config.name ?? l.name);
      expect(r.layers.map((l) => l.keras)).toEqual(expect.arrayContaining(names));
      r.model.dispose();
      expect(arena.allocatedBytes).toBe(before);
    });
  }

  it('the measured agreement is far inside the tolerance (worst case below 2e-6)', () => {
    // quantized weights are dequantized identically by both sides; the rest is float32 rounding
    const worst = Object.keys(CASES).map((n) => { const { r, maxDiff } = predictFixture(n); r.model.dispose(); return maxDiff; });
    expect(Math.max(...worst)).toBeLessThan(2e-6);
  });

  it('the weights may come as one concatenated buffer or Node Buffers (pooled, at an offset), the model.json as text or bytes', () => {
    for (const name of ['functional_lstm', 'bi_gru_keras3_functional']) {
      const f = load(name);
      expect(f.shards.length).toBe(2);
      const text = JSON.stringify(f.json);
      for (const [json, shards] of [[text, concat(f.shards)], [new TextEncoder().encode(text), concat(f.shards).buffer], [f.json, f.shards.map((s) => s.buffer as ArrayBuffer)], [f.json, f.shards.map((s) => Buffer.from(s))]] as const) {
        const r = importKeras(json, shards);
        const a = importKeras(f.json, f.shards);
        expect(r.model.stateDict()).toEqual(a.model.stateDict());
        r.model.dispose();
        a.model.dispose();
      }
    }
  });

  it('maps the gates: Keras LSTM i,f,c,o kernel columns are PyTorch rows i,f,g,o; GRU z,r,h → r,z,n; the one bias → bias_ih', () => {
    const f = load('gru_reset_after_keras2');
    const r = importKeras(f.json, f.shards);
    const sd = r.model.stateDict();
    const spec = f.json.weightsManifest[0].weights as { name: string; shape: number[] }[];
    // the kernel as written in the shard (float32 after the dense weights)
    const bytes = concat(f.shards);
    let at = 0;
    const w: Record<string, Float32Array> = {};
    for (const s of spec) { const n = s.shape.reduce((a, b) => a * b, 1); w[s.name] = new Float32Array(bytes.slice(at, at + 4 * n).buffer); at += 4 * n; }
    const K = w['gru/gru_cell/kernel'], H = 3, I = 5;
    // PyTorch's r row j, input i ← Keras kernel[i, H + j] (r is Keras's second block)
    expect(sd['rnn.weight_ih_l0'][1 * I + 2]).toBe(K[2 * 3 * H + H + 1]);
    // z (PyTorch's second block) ← Keras's first
    expect(sd['rnn.weight_ih_l0'][(H + 1) * I + 2]).toBe(K[2 * 3 * H + 1]);
    const b = w['gru/gru_cell/bias'];
    expect(sd['rnn.bias_hh_l0'][2 * H]).toBe(b[3 * H + 2 * H]); // n's recurrent bias ← row 1, block h
    r.model.dispose();
    const l = importKeras(load('embed_lstm_dense').json, load('embed_lstm_dense').shards);
    expect(Array.from(l.model.stateDict()['rnn.bias_hh_l0'])).toEqual(new Array(12).fill(0));
    l.model.dispose();
  });

  it('the stacked LSTMs of one size become one two-layer LSTM (PyTorch names _l0, _l1), and layers say where each went', () => {
    const f = load('stacked_lstm_softmax');
    const r = importKeras(f.json, f.shards);
    const rnn = r.model.layers[0] as RecurrentLayer;
    expect(rnn.numLayers).toBe(2);
    expect(Object.keys(r.model.stateDict())).toContain('rnn.weight_hh_l1');
    expect(r.layers.map((l) => `${l.className}→${l.as}`)).toEqual(['LSTM→rnn (layer 0)', 'LSTM→rnn (layer 1)', 'Dropout→dropout', 'LSTM→rnn1 (layer 0)', 'Dense→head']);
    expect(r.notes).toEqual([]);
    r.model.dispose();
  });

  it('the imported model streams: step() over a sequence ends where predict() ends', () => {
    const f = load('embed_lstm_dense');
    const r = importKeras(f.json, f.shards);
    const ids = f.expected.input.data.slice(0, 6); // first sequence
    const all = r.model.predict(Int32Array.from(ids), { shape: [1, 6] });
    const s = r.model.initState();
    let last = new Float32Array();
    for (const id of ids) last = r.model.step([id], s).slice();
    expect(Math.max(...Array.from(last, (v, i) => Math.abs(v - all[5 * 4 + i])))).toBeLessThan(1e-6);
    s.dispose();
    r.model.dispose();
  });

  it('stateful and in-cell dropout are reported in notes; Keras 3 optimizer variables are skipped', () => {
    const f = load('simple_rnn_tanh');
    f.json.modelTopology.config.layers[0].config.stateful = true;
    f.json.modelTopology.config.layers[0].config.recurrent_dropout = 0.2;
    const r = importKeras(f.json, f.shards);
    expect(r.notes.join('\n')).toMatch(/stateful.*initState\(\) and model\.step\(\)/);
    expect(r.notes.join('\n')).toMatch(/recurrent_dropout 0\.2 acts in Keras's training only/);
    r.model.dispose();
    const k = load('bi_gru_keras3_functional');
    expect(k.json.weightsManifest[0].weights.some((w: { name: string }) => w.name.startsWith('optimizer/'))).toBe(true);
    importKeras(k.json, k.shards).model.dispose();
  });
  it("weight names may keep Python's ':0' output slot", () => {
    const f = load('gru_reset_after_keras2');
    for (const w of f.json.weightsManifest[0].weights) w.name += ':0';
    const r = importKeras(f.json, f.shards);
    const a = importKeras(load('gru_reset_after_keras2').json, f.shards);
    expect(r.model.stateDict()).toEqual(a.model.stateDict());
    r.model.dispose();
    a.model.dispose();
  });

  it('weights TF.js marks as the optimizer\'s (group "optimizer") are skipped', () => {
    const f = load('simple_rnn_tanh');
    f.json.weightsManifest[0].weights.push({ name: 'iter', shape: [], dtype: 'float32', group: 'optimizer' });
    const r = importKeras(f.json, [concat([f.shards[0], new Uint8Array(4)])]);
    expect(Object.keys(r.model.stateDict())).toHaveLength(4);
    r.model.dispose();
  });
});

// ----- refusals -----

type Mutate = (f: Fixture) => [unknown, unknown];
const layersOf = (f: Fixture) => (f.json.modelTopology.model_config ?? f.json.modelTopology).config.layers;
const refusals: [string, string, Mutate, typeof FormatError | typeof ConfigError, RegExp][] = [
  ['malformed JSON', 'embed_lstm_dense', (f) => ['{"modelTopology": ', f.shards], FormatError, /model\.json: not valid JSON/],
  ['no modelTopology', 'embed_lstm_dense', (f) => [{ ...f.json, modelTopology: undefined }, f.shards], FormatError, /no "modelTopology"/],
  ['no weightsManifest', 'embed_lstm_dense', (f) => [{ ...f.json, weightsManifest: undefined }, f.shards], FormatError, /no "weightsManifest"/],
  ['a graph model', 'embed_lstm_dense', (f) => [{ ...f.json, format: 'graph-model' }, f.shards], FormatError, /format "graph-model" is not a Keras model.*--input_format keras/],
  ['a short shard', 'functional_lstm', (f) => [f.json, [f.shards[0], f.shards[1].subarray(1)]], FormatError, /weight group 0 \(group1-shard1of2\.bin 232 bytes, group1-shard2of2\.bin 231 bytes\) holds 463 bytes, its 5 weight\(s\) take 464 \(a shard is short or missing\)/],
  ['a missing shard', 'functional_lstm', (f) => [f.json, [f.shards[0]]], FormatError, /take 464 bytes in 2 shard file\(s\) \(group1-shard1of2\.bin, group1-shard2of2\.bin\); the one buffer given has 232/],
  ['a shard too many', 'functional_lstm', (f) => [f.json, [...f.shards, f.shards[0]]], FormatError, /names 2 shard file\(s\) \(group1-shard1of2\.bin, group1-shard2of2\.bin\), 3 buffer\(s\) were given/],
  ['a concatenated buffer too long', 'functional_lstm', (f) => [f.json, concat([...f.shards, new Uint8Array(4)])], FormatError, /take 464 bytes in 2 shard file\(s\) .*; the one buffer given has 468\. Pass every shard concatenated/],
  ['a weight that is not bytes', 'embed_lstm_dense', (f) => [f.json, ['abc']], FormatError, /weights\[0\]: expected an ArrayBuffer or a Uint8Array/],
  ['an unknown layer class', 'embed_lstm_dense', (f) => { layersOf(f)[2].class_name = 'Conv1D'; return [f.json, f.shards]; }, FormatError,
    new RegExp(`layer "dense_Dense1" \\(Conv1D\\): unknown layer class "Conv1D"; supported: ${KERAS_LAYER_CLASSES.join(', ')}`)],
  ['hard_sigmoid gates', 'embed_lstm_dense', (f) => { layersOf(f)[1].config.recurrent_activation = 'hard_sigmoid'; return [f.json, f.shards]; }, ConfigError,
    /layer "lstm_LSTM1" \(LSTM\): recurrent_activation "hard_sigmoid" is not supported.*hard_sigmoid is TF\.js's default/],
  ['an LSTM with relu', 'embed_lstm_dense', (f) => { layersOf(f)[1].config.activation = 'relu'; return [f.json, f.shards]; }, ConfigError, /activation "relu" is not supported; LSTM takes 'tanh'/],
  ['GRU reset_after false (TF.js)', 'gru_reset_before', (f) => [f.json, f.shards], ConfigError,
    /layer "gru_GRU1" \(GRU\): a GRU with reset_after false is a different cell.*cannot be mapped/],
  ['GRU without reset_after whose bias is [3H]', 'gru_reset_before', (f) => { delete layersOf(f)[0].config.reset_after; return [f.json, f.shards]; }, ConfigError, /reset_after false is a different cell/],
  ['GRU without reset_after and without bias', 'gru_reset_after_keras2', (f) => {
    const c = layersOf(f)[1].config;
    delete c.reset_after;
    c.use_bias = false;
    f.json.weightsManifest[0].weights.pop(); // gru/gru_cell/bias [2, 9], the last 72 bytes
    return [f.json, [f.shards[0].subarray(0, f.shards[0].length - 72)]];
  }, ConfigError, /layer "gru" \(GRU\): the configuration does not say reset_after, and without a bias the weights cannot tell/],
  ['GRU without reset_after whose bias is [2, 3H] reads as reset_after true', 'gru_reset_after_keras2', (f) => {
    delete layersOf(f)[1].config.reset_after;
    f.json.weightsManifest[0].weights[4].shape = [3, 6]; // not [2, 9]: mis-shaped
    return [f.json, f.shards];
  }, FormatError, /layer "gru" \(GRU\): weight bias "gru\/gru_cell\/bias" has shape \[3, 6\], expected \[2, 9\]/],
  ['merge_mode sum', 'bi_lstm_time_distributed', (f) => { layersOf(f)[0].config.merge_mode = 'sum'; return [f.json, f.shards]; }, ConfigError, /merge_mode "sum" is not supported; .*concatenate/],
  ['go_backwards', 'simple_rnn_tanh', (f) => { layersOf(f)[0].config.go_backwards = true; return [f.json, f.shards]; }, ConfigError, /go_backwards true is not supported on its own/],
  ['return_state', 'simple_rnn_tanh', (f) => { layersOf(f)[0].config.return_state = true; return [f.json, f.shards]; }, ConfigError, /return_state true is not supported/],
  ['time_major', 'simple_rnn_tanh', (f) => { layersOf(f)[0].config.time_major = true; return [f.json, f.shards]; }, ConfigError, /time_major true is not supported/],
  ['Embedding mask_zero', 'embed_lstm_dense', (f) => { layersOf(f)[0].config.mask_zero = true; return [f.json, f.shards]; }, ConfigError, /mask_zero true is not supported.*lengths/],
  ['a Bidirectional layer\'s last step', 'bi_lstm_time_distributed', (f) => {
    layersOf(f)[0].config.layer.config.return_sequences = false;
    return [f.json, f.shards];
  }, ConfigError, /the last step of a Bidirectional layer is not supported: Keras returns the backward direction's state after the whole sequence/],
  ['a final Dense with relu', 'embed_lstm_dense', (f) => { layersOf(f)[2].config.activation = 'relu'; return [f.json, f.shards]; }, ConfigError,
    /the last Dense layer "dense_Dense1" has activation "relu"; .*only a final 'softmax' or 'sigmoid'/],
  ['a Dense with an activation before another layer', 'embed_lstm_dense', (f) => {
    const ls = layersOf(f);
    ls[2].config.activation = 'tanh';
    ls.push({ class_name: 'Dense', config: { name: 'out', units: 2, activation: 'linear' } });
    return [f.json, f.shards];
  }, ConfigError, /a Dense layer with activation "tanh" comes before layer "out" \(Dense\)/],
  ['a Dense between recurrent layers', 'bi_lstm_stack_last', (f) => {
    const ls = layersOf(f);
    ls.splice(1, 0, { class_name: 'Dense', config: { name: 'mid', units: 6 } });
    return [f.json, f.shards];
  }, ConfigError, /layer "mid" \(Dense\) comes before a recurrent layer/],
  ['a missing weight', 'embed_lstm_dense', (f) => {
    const ws = f.json.weightsManifest[0].weights;
    ws.pop(); // dense bias, the last 16 bytes
    return [f.json, [f.shards[0].subarray(0, f.shards[0].length - 16)]];
  }, FormatError, /layer "dense_Dense1" \(Dense\): missing weight bias \(shape \[4\]\)/],
  ['a mis-shaped weight', 'embed_lstm_dense', (f) => {
    f.json.weightsManifest[0].weights[1].shape = [12, 5]; // lstm kernel [5, 12]
    return [f.json, f.shards];
  }, FormatError, /layer "lstm_LSTM1" \(LSTM\): weight kernel "lstm_LSTM1\/kernel" has shape \[12, 5\], expected \[5, 12\]/],
  ['an extra weight of a layer', 'embed_lstm_dense', (f) => {
    f.json.weightsManifest[0].weights.push({ name: 'lstm_LSTM1/peephole', shape: [3], dtype: 'float32' });
    return [f.json, [concat([f.shards[0], new Uint8Array(12)])]];
  }, FormatError, /layer "lstm_LSTM1" \(LSTM\): unexpected weight "lstm_LSTM1\/peephole"/],
  ['a weight of no layer', 'embed_lstm_dense', (f) => {
    f.json.weightsManifest[0].weights[4].name = 'dense_Dense9/kernel';
    return [f.json, f.shards];
  }, FormatError, /1 weight\(s\) belong to no layer of the model: "dense_Dense9\/kernel" \(the layers with weights are "embedding_Embedding1", "lstm_LSTM1", "dense_Dense1"\)/],
  ['a bias on a use_bias false layer', 'lstm_no_bias', (f) => {
    f.json.weightsManifest[0].weights.push({ name: 'dense_Dense6/bias', shape: [2], dtype: 'float32' });
    return [f.json, [concat([f.shards[0], new Uint8Array(8)])]];
  }, FormatError, /unexpected weight "dense_Dense6\/bias": the layer has use_bias false/],
  ['int32 weights', 'embed_lstm_dense', (f) => { f.json.weightsManifest[0].weights[0].dtype = 'int32'; return [f.json, f.shards]; }, FormatError, /weight "embedding_Embedding1\/embeddings" has dtype "int32"/],
  ['an unknown quantization', 'lstm_uint8', (f) => { f.json.weightsManifest[0].weights[0].quantization.dtype = 'int4'; return [f.json, f.shards]; }, FormatError, /quantized to "int4"; known: uint8, uint16/],
  ['a quantization without scale', 'lstm_uint8', (f) => { delete f.json.weightsManifest[0].weights[0].quantization.scale; return [f.json, f.shards]; }, FormatError, /quantized to uint8 without finite "scale" and "min"/],
  ['a NaN weight', 'simple_rnn_tanh', (f) => { const b = f.shards[0].slice(); new DataView(b.buffer).setFloat32(8, NaN, true); return [f.json, [b]]; }, FormatError, /weight "simple_rnn_SimpleRNN1\/kernel" holds NaN at element 2/],
  ['a Functional model that is not a chain', 'functional_lstm', (f) => { layersOf(f)[2].inbound_nodes = [[['input1', 0, 0, {}]]]; return [f.json, f.shards]; }, ConfigError,
    /layer "dense_Dense\d+" of the Functional model takes "input1", not just the layer before it/],
  ['a Keras 3 layer fed a state', 'bi_gru_keras3_functional', (f) => { layersOf(f)[2].inbound_nodes[0].args[0].config.keras_history = ['bidirectional', 0, 1]; return [f.json, f.shards]; }, ConfigError,
    /reads output 1 of "bidirectional" \(a state\)/],
  ['a model with no recurrent layer', 'embed_lstm_dense', (f) => {
    const ls = layersOf(f);
    ls.splice(1, 1);
    f.json.weightsManifest[0].weights = f.json.weightsManifest[0].weights.filter((w: { name: string }) => !w.name.startsWith('lstm'));
    const keep = concat([f.shards[0].subarray(0, 140), f.shards[0].subarray(140 + 4 * (60 + 36 + 12))]);
    return [f.json, [keep]];
  }, ConfigError, /no recurrent layer/],
];

describe('importKeras: refusals (nothing allocated)', () => {
  for (const [what, fixture, mutate, cls, message] of refusals) {
    it(what, () => {
      const [json, shards] = mutate(load(fixture));
      const { arena } = getRuntime();
      const used = arena.allocatedBytes;
      let err: unknown;
      try { importKeras(json, shards as never); } catch (e) { err = e; }
      expect(err, 'must throw').toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(message);
      expect(arena.allocatedBytes).toBe(used);
    });
  }

  it('a failure while the layers are being made frees the ones already made', () => {
    const f = load('embed_lstm_dense');
    const { arena } = getRuntime();
    const used = arena.allocatedBytes;
    // the Embedding and the LSTM exist when the head's weights fail to load
    const spy = vi.spyOn(Linear.prototype, 'loadStateDict').mockImplementation(() => { throw new Error('no memory for the head'); });
    try {
      expect(() => importKeras(f.json, f.shards)).toThrow('no memory for the head');
    } finally {
      spy.mockRestore();
    }
    expect(arena.allocatedBytes).toBe(used);
  });

  it('a model already imported is unchanged by a failed import', () => {
    const f = load('bi_lstm_stack_last');
    const r = importKeras(f.json, f.shards);
    const before = JSON.stringify(Object.entries(r.model.stateDict()).map(([k, v]) => [k, Array.from(v)]));
    const bad = load('gru_reset_before');
    expect(() => importKeras(bad.json, bad.shards)).toThrow(ConfigError);
    expect(JSON.stringify(Object.entries(r.model.stateDict()).map(([k, v]) => [k, Array.from(v)]))).toBe(before);
    r.model.dispose();
  });
});
