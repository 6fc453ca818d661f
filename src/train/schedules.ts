import { ConfigError } from '../errors.js';

/** A learning-rate schedule: the rate for step t (0-based) from the base rate. */
export type Schedule =
  | { type: 'constant' }
  | { type: 'step'; stepSize: number; gamma?: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; totalSteps: number; warmupSteps?: number; warmupStartFactor?: number; minLr?: number };

/**
 * The learning rate at step t (0-based). Matches PyTorch's schedulers stepped once per update:
 * - step: `StepLR(stepSize, gamma = 0.1)`: base·gamma^⌊t/stepSize⌋
 * - exponential: `ExponentialLR(gamma)`: base·gamma^t
 * - cosine: `SequentialLR([LinearLR(warmupStartFactor = 0.1 → 1, warmupSteps), CosineAnnealingLR(T_max = totalSteps − warmupSteps, eta_min = minLr)], [warmupSteps])`
 */
export function learningRate(schedule: Schedule | undefined, base: number, t: number): number {
  if (!schedule || schedule.type === 'constant') return base;
  switch (schedule.type) {
    case 'step': return base * (schedule.gamma ?? 0.1) ** Math.floor(t / positive('stepSize', schedule.stepSize));
    case 'exponential': return base * schedule.gamma ** t;
    case 'cosine': {
      const w = schedule.warmupSteps ?? 0;
      const total = positive('totalSteps', schedule.totalSteps);
      const minLr = schedule.minLr ?? 0;
      if (t < w) {
        const s = schedule.warmupStartFactor ?? 0.1;
        return base * (s + (1 - s) * t / w);
      }
      const T = Math.max(1, total - w);
      const u = Math.min(t - w, T);
      return minLr + (base - minLr) * (1 + Math.cos(Math.PI * u / T)) / 2;
    }
    default:
      throw new ConfigError(`schedule: expected { type: 'constant' | 'step' | 'exponential' | 'cosine', … }, got ${JSON.stringify(schedule)}`);
  }
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`schedule ${name}: expected a positive integer, got ${v}`);
  return v;
}
