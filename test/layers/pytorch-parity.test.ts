// Outputs, final states and every gradient against PyTorch (float64), from the committed
// fixtures of test/fixtures/generate.py. Tolerance: DESIGN.md §5 metric ≤ 1e-4 per tensor.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, LSTM, RNN, type RecurrentLayer } from '../../src/index.js';
import { parityError, PARITY_TOLERANCE } from '../support/metric.js';

interface Case {
  name: string;
  mode: 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
  config: { inputSize: number; hiddenSize: number; numLayers: number; bias: boolean; batchFirst: boolean; bidirectional: boolean; nonlinearity?: 'tanh' | 'relu' };
  shape: number[];
  hasH0: boolean;
  inputs: { x: number[]; h0?: number[]; c0?: number[] };
  params: Record<string, number[]>;
  seeds: { dOutput: number[]; dhN: number[]; dcN?: number[] };
  expected: {
    output: number[]; hN: number[]; cN?: number[]; dInput: number[]; dh0: number[]; dc0?: number[];
    grads: Record<string, number[]>;
  };
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-rnn.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

function build(c: Case): RecurrentLayer {
  const { nonlinearity, ...common } = c.config;
  if (c.mode === 'LSTM') return new LSTM(common);
  if (c.mode === 'GRU') return new GRU(common);
  return new RNN({ ...common, nonlinearity });
}

beforeAll(() => init());

describe(`PyTorch ${fixture.torch} parity`, () => {
  it('covers every cell, 1–3 layers, both directions, both layouts, bias on/off, odd sizes', () => {
    const modes = new Set(fixture.cases.map((c) => c.mode));
    expect([...modes].sort()).toEqual(['GRU', 'LSTM', 'RNN_RELU', 'RNN_TANH']);
    const cfg = fixture.cases.map((c) => c.config);
    expect(new Set(cfg.map((c) => c.numLayers))).toEqual(new Set([1, 2, 3]));
    expect(cfg.some((c) => c.bidirectional) && cfg.some((c) => !c.bidirectional)).toBe(true);
    expect(cfg.some((c) => c.batchFirst) && cfg.some((c) => !c.batchFirst)).toBe(true);
    expect(cfg.some((c) => c.bias) && cfg.some((c) => !c.bias)).toBe(true);
    expect(cfg.some((c) => c.hiddenSize === 1) && cfg.some((c) => c.hiddenSize === 33)).toBe(true);
    expect(fixture.cases.some((c) => c.shape.length === 2)).toBe(true);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const layer = build(c);
      layer.loadStateDict(c.params);
      const fwd = layer.forward(c.inputs.x, {
        shape: c.shape,
        h0: c.hasH0 ? c.inputs.h0 : undefined,
        c0: c.hasH0 ? c.inputs.c0 : undefined,
      });
      const errors: Record<string, number> = {
        output: parityError(fwd.output, c.expected.output),
        hN: parityError(fwd.hN, c.expected.hN),
      };
      if (c.mode === 'LSTM') errors.cN = parityError(fwd.cN!, c.expected.cN!);
      const bwd = layer.backward(c.seeds.dOutput, { dhN: c.seeds.dhN, dcN: c.seeds.dcN });
      errors.dInput = parityError(bwd.dInput, c.expected.dInput);
      errors.dh0 = parityError(bwd.dh0, c.expected.dh0);
      if (c.mode === 'LSTM') errors.dc0 = parityError(bwd.dc0!, c.expected.dc0!);
      const params = layer.namedParameters();
      expect(params.map((p) => p.name).sort()).toEqual(Object.keys(c.expected.grads).sort());
      for (const p of params) errors[`grad ${p.name}`] = parityError(p.grad, c.expected.grads[p.name]);
      const worst = Object.entries(errors).filter(([, e]) => !(e <= PARITY_TOLERANCE));
      expect(worst, JSON.stringify(errors)).toEqual([]);
      layer.dispose();
    });
  }
});
