/** Shared state of one generation run, handed to behaviour and attack generators. */
import type { EmitSink } from './emitted.js';
import type { Population } from './population-types.js';
import type { Rng } from './prng.js';

export interface GenContext {
  pop: Population;
  seed: number;
  /** Benign rate multiplier of people. */
  volume: number;
  /** Benign rate multiplier of machines. */
  machineVolume: number;
  /** Fraction of records delivered late. */
  lateFraction: number;
  sink: EmitSink;
}

/** Reporting lag of a Google Workspace activity: usually seconds to minutes, sometimes hours. */
export function gwsLag(ctx: GenContext, rng: Rng): number {
  return rng.chance(ctx.lateFraction) ? rng.int(30, 180) * 60_000 : rng.int(5, 240) * 1000;
}

/** Extra lag of a GitHub record: rarely minutes. */
export function githubLag(ctx: GenContext, rng: Rng): number {
  return rng.chance(ctx.lateFraction / 4) ? rng.int(1, 20) * 60_000 : 0;
}

/**
 * Event times of a Poisson process with `expected` events over [from, to) (ms), sorted.
 */
export function poissonTimes(rng: Rng, expected: number, from: number, to: number): number[] {
  if (to <= from || expected <= 0) return [];
  const n = rng.poisson(expected);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(from + rng.next() * (to - from));
  return out.sort((a, b) => a - b);
}
