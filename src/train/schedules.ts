import { ConfigError } from '../errors.js';
import { describe } from '../layers/validate.js';
import { checkOptions, is } from '../options.js';

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

const SCHEDULE_RULES = {
  constant: { type: is.checkedLater },
  step: { type: is.checkedLater, stepSize: is.int(1), gamma: is.number(0) },
  exponential: { type: is.checkedLater, gamma: is.number(0) },
  cosine: { type: is.checkedLater, totalSteps: is.int(1), warmupSteps: is.int(0), warmupStartFactor: is.number(0, 1), minLr: is.number(0) },
} as const;
const REQUIRED: Record<string, string[]> = { step: ['stepSize'], exponential: ['gamma'], cosine: ['totalSteps'] };

/** @internal Check a schedule's type and options (unknown keys, types, ranges). Returns it. */
export function checkSchedule(schedule: Schedule | undefined): Schedule | undefined {
  if (schedule === undefined) return undefined;
  const type = (schedule as { type?: unknown })?.type;
  if (typeof schedule !== 'object' || schedule === null || typeof type !== 'string' || !(type in SCHEDULE_RULES)) {
    throw new ConfigError(`schedule: expected { type: 'constant' | 'step' | 'exponential' | 'cosine', … }, got ${describe(schedule)}${typeof type === 'string' ? ` of type ${JSON.stringify(type)}` : ''}`);
  }
  checkOptions(`schedule '${type}'`, schedule, SCHEDULE_RULES[type as keyof typeof SCHEDULE_RULES], REQUIRED[type] ?? []);
  return schedule;
}
