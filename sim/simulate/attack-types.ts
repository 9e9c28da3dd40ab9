/** Shared types and helpers of the attack generators. */
import { DAY_MS } from './calendar.js';
import { type Emitted, eventIdsOf, tokenIdsOf } from './emitted.js';
import type { AttackKind, IncidentLabel } from './labels.js';
import type { Intensity } from './options.js';
import type { Population, Tenant } from './population-types.js';
import type { Rng } from './prng.js';

/** How hard an incident hits: multipliers on counts, rows and time spread. */
export interface IntensityScale {
  count: number;
  rows: number;
  spread: number;
}

export const INTENSITY_SCALE: Record<Intensity, IntensityScale> = {
  blatant: { count: 2, rows: 4, spread: 0.5 },
  moderate: { count: 1, rows: 1, spread: 1 },
  low_and_slow: { count: 0.3, rows: 0.15, spread: 5 },
};

/** Inputs of one incident generator. */
export interface AttackInput {
  id: string;
  kind: AttackKind;
  pop: Population;
  seed: number;
  tenant: Tenant;
  /** First malicious event time (ms). */
  start: number;
  intensity: Intensity;
  scale: IntensityScale;
  rng: Rng;
}

/** What a generator returns before ids are computed. */
export interface AttackOutput {
  source: IncidentLabel['source'];
  title: string;
  /** token.id of the target. */
  entity: string;
  events: Emitted[];
  notes?: string;
}

/** A planned incident: generated lazily once the population is final. */
export interface PlannedIncident {
  id: string;
  kind: AttackKind;
  tenant: number;
  start: number;
  intensity: Intensity;
  generate(): AttackOutput;
}

/** Computes the label of generated incident events. */
export function finalizeIncident(
  plan: PlannedIncident,
  out: AttackOutput,
): { label: IncidentLabel; events: Emitted[] } {
  const events = [...out.events].sort((a, b) => a.t - b.t);
  const ids: string[] = [];
  const entities = [out.entity];
  for (const e of events) {
    ids.push(...eventIdsOf(e));
    for (const tok of tokenIdsOf(e)) if (!entities.includes(tok)) entities.push(tok);
  }
  const first = events[0]?.t ?? plan.start;
  const last = events[events.length - 1]?.t ?? plan.start;
  const label: IncidentLabel = {
    id: plan.id,
    kind: plan.kind,
    source: out.source,
    title: out.title,
    intensity: plan.intensity,
    entity: out.entity,
    entities,
    first_malicious: new Date(first).toISOString(),
    last_malicious: new Date(last).toISOString(),
    event_ids: ids,
    ...(out.notes ? { notes: out.notes } : {}),
  };
  return { label, events };
}

/** Integer count scaled by intensity (at least `min`). */
export function scaled(n: number, s: IntensityScale, min = 1): number {
  return Math.max(min, Math.round(n * s.count));
}

/** Day index of a time. */
export function dayIndex(pop: Population, t: number): number {
  return Math.floor((t - pop.start) / DAY_MS);
}
