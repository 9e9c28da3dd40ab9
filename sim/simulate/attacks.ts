/**
 * Plans the built-in incidents S1-S10 on a population (choosing victims, start times and intensity, and
 * preparing what the scenario needs: a dormant service token for S5, the test account for S7,
 * Travis tokens for S3) and generates their raw events with event-level labels. S11 and S12 are
 * scenario modules beside their detectors (detectors/<id>/scenarios/, loaded by scenarios.ts).
 */

import { type AttackInput, INTENSITY_SCALE, type PlannedIncident } from './attack-types.js';
import { attackS3, attackS5, attackS9, attackS10 } from './attacks-github.js';
import { attackS4, attackS6, attackS7 } from './attacks-google.js';
import { attackS1, attackS2, attackS8 } from './attacks-salesforce.js';
import { DAY_MS, HOUR_MS, localMidnight, MINUTE_MS } from './calendar.js';
import { GITHUB_OAUTH_APPS } from './catalog.js';
import { PLANNED_ATTACK_KINDS, type PlannedAttackKind } from './labels.js';
import type { IncidentSpec, Intensity, SimulateOptions } from './options.js';
import { personDay } from './person-day.js';
import { addGhOAuth, addTestAccount, makePat } from './population.js';
import type { Credential, Person, Population, Tenant } from './population-types.js';
import { rngFor } from './prng.js';

/** Minimum span for S5 (a >= 90-day dormant token needs history before and the attack after). */
export const S5_MIN_DAYS = 100;

function requestedSpecs(options: SimulateOptions, pop: Population): IncidentSpec[] {
  const inc = options.incidents;
  if (inc === 'none') return [];
  if (inc === 'all') return PLANNED_ATTACK_KINDS.map((kind, i) => ({ kind, org: i % pop.tenants.length }));
  if (Array.isArray(inc)) return inc;
  const kinds = inc.kinds ?? [...PLANNED_ATTACK_KINDS];
  return Array.from({ length: inc.count }, (_, i) => ({
    kind: kinds[i % kinds.length] as PlannedAttackKind,
    org: i % pop.tenants.length,
    ...(inc.intensity ? { intensity: inc.intensity } : {}),
  }));
}

/** Plans the requested incidents; may add credentials/accounts to the population. */
export function planIncidents(pop: Population, options: SimulateOptions): PlannedIncident[] {
  const specs = requestedSpecs(options, pop);
  const used = new Set<number>();
  pop.incidentPeople = used;
  const out: PlannedIncident[] = [];
  for (const [i, spec] of specs.entries()) {
    const tenant = pop.tenants[(spec.org ?? i) % pop.tenants.length] as Tenant;
    const id = `inc-${String(i + 1).padStart(3, '0')}-${spec.kind}`;
    const intensity: Intensity = spec.intensity ?? options.intensity;
    const rng = rngFor(pop.seed, 'incident', i, spec.kind);
    const kindIdx = PLANNED_ATTACK_KINDS.indexOf(spec.kind);
    const round = Math.floor(i / PLANNED_ATTACK_KINDS.length);
    const frac = 0.62 + ((kindIdx * 0.027 + round * 0.013) % 0.3);
    let start = spec.start
      ? Date.parse(spec.start)
      : pop.start +
        Math.floor(pop.days * frac) * DAY_MS +
        rng.int(0, 23) * HOUR_MS +
        rng.int(0, 59) * MINUTE_MS;
    const people = tenant.people
      .map((k) => pop.people[k] as Person)
      .filter((p) => !p.testAccount && p.hireDay === 0);
    const free = (pred: (p: Person) => boolean): Person | undefined => {
      const p = rng.shuffle(people.filter((q) => pred(q) && !used.has(q.idx)))[0];
      if (p) used.add(p.idx);
      return p;
    };
    const credsOf = (p: Person): Credential[] => p.creds.map((c) => pop.creds[c] as Credential);
    const inWorkHours = (p: Person, t: number): number => {
      for (let d = Math.floor((t - pop.start) / DAY_MS); d < pop.days; d++) {
        const pd = personDay(pop, p, d);
        if (pd.works && pd.endT - pd.startT > 3 * HOUR_MS) return pd.startT + rng.int(60, 150) * MINUTE_MS;
      }
      return t;
    };
    let generate: (inp: AttackInput) => ReturnType<PlannedIncident['generate']>;
    switch (spec.kind) {
      case 'S1':
        generate = (inp) => attackS1(inp);
        break;
      case 'S2': {
        const victim = free((p) => p.sfUser !== null && p.role === 'sales') ?? free((p) => p.sfUser !== null);
        if (!victim) {
          skip(pop, id, 'no Salesforce user to target');
          continue;
        }
        generate = (inp) => attackS2(inp, victim);
        break;
      }
      case 'S3': {
        const travis = GITHUB_OAUTH_APPS.find((a) => a.key === 'travis')!;
        let victims = people
          .filter((p) => !used.has(p.idx))
          .flatMap((p) => credsOf(p).filter((c) => c.oauthApp?.key === 'travis'));
        const want = intensity === 'low_and_slow' ? 1 : intensity === 'blatant' ? 3 : 2;
        for (const p of rng.shuffle(people.filter((q) => q.role === 'dev' && !used.has(q.idx)))) {
          if (victims.length >= want) break;
          if (credsOf(p).some((c) => c.oauthApp?.key === 'travis')) continue;
          const idx = addGhOAuth(
            pop,
            tenant,
            p,
            rng,
            travis,
            pop.start - rng.int(30, 300) * DAY_MS,
            'before',
          );
          victims.push(pop.creds[idx] as Credential);
        }
        victims = victims.slice(0, want);
        if (victims.length === 0) {
          skip(pop, id, 'no developer to own a Travis CI token');
          continue;
        }
        for (const v of victims) if (v.owner !== null) used.add(v.owner);
        generate = (inp) => attackS3(inp, victims);
        break;
      }
      case 'S4': {
        const victim =
          free((p) => p.role === 'dev' && !p.gwsAdmin && p.sfUser !== null && p.trips.length === 0) ??
          free((p) => p.role === 'dev' && !p.gwsAdmin && p.trips.length === 0) ??
          free((p) => !p.gwsAdmin);
        if (!victim) {
          skip(pop, id, 'no session to steal');
          continue;
        }
        if (!spec.start) start = inWorkHours(victim, start);
        generate = (inp) => attackS4(inp, victim);
        break;
      }
      case 'S5': {
        if (pop.days < S5_MIN_DAYS) {
          skip(
            pop,
            id,
            `S5 skipped: needs a span of at least ${S5_MIN_DAYS} days (a token dormant >= 90 days), got ${pop.days}`,
          );
          continue;
        }
        const dormantFrom = pop.start + 4 * DAY_MS + rng.int(0, 12) * HOUR_MS;
        tenant.svc.deploy.dormantFrom = dormantFrom;
        if (!spec.start) {
          const earliest = dormantFrom + 91 * DAY_MS;
          const latest = pop.end - 8 * DAY_MS;
          start = Math.max(earliest, Math.min(start, latest));
        }
        generate = (inp) => attackS5(inp);
        break;
      }
      case 'S6': {
        const admin = free((p) => p.gwsAdmin && p.trips.length === 0) ?? free((p) => p.gwsAdmin);
        if (!admin) {
          skip(pop, id, 'no Workspace admin');
          continue;
        }
        generate = (inp) => attackS6(inp, admin);
        break;
      }
      case 'S7': {
        const test = addTestAccount(pop, tenant);
        generate = (inp) => attackS7(inp, test);
        break;
      }
      case 'S8':
        if (!spec.start) {
          // an hour the nightly ETL never runs: early afternoon at HQ
          const day = Math.floor((start - pop.start) / DAY_MS);
          start =
            localMidnight(tenant.hq.tz, pop.start + day * DAY_MS) + rng.int(12 * 60, 16 * 60) * MINUTE_MS;
        }
        generate = (inp) => attackS8(inp);
        break;
      case 'S9': {
        const victim =
          free(
            (p) => p.role === 'dev' && !p.gwsAdmin && credsOf(p).some((c) => c.kind === 'gh_pat_classic'),
          ) ?? free((p) => p.role === 'dev' && credsOf(p).some((c) => c.kind === 'gh_pat_classic'));
        const patVictim =
          victim ??
          free((p) => p.role === 'dev' && !p.gwsAdmin) ??
          free((p) => p.role === 'dev') ??
          people.find((p) => p.role === 'dev');
        if (!patVictim) {
          skip(pop, id, 'no developer with a classic PAT');
          continue;
        }
        if (!victim)
          makePat(pop, tenant, patVictim, rng, false, pop.start - rng.int(20, 200) * DAY_MS, 'before');
        if (!spec.start) start = inWorkHours(patVictim, start);
        generate = (inp) => {
          const pat =
            credsOf(patVictim).find(
              (c) =>
                c.kind === 'gh_pat_classic' &&
                c.validFrom <= inp.start &&
                (c.validTo === null || c.validTo > inp.start),
            ) ?? credsOf(patVictim).find((c) => c.kind === 'gh_pat_classic')!;
          return attackS9(inp, pat);
        };
        break;
      }
      case 'S10': {
        const owner =
          free((p) => p.role === 'dev' && !p.gwsAdmin && credsOf(p).some((c) => c.kind === 'gh_session')) ??
          free((p) => p.role === 'dev' && credsOf(p).some((c) => c.kind === 'gh_session'));
        if (!owner) {
          skip(pop, id, 'no developer with a web session');
          continue;
        }
        generate = (inp) => attackS10(inp, owner);
        break;
      }
    }
    const plan: PlannedIncident = {
      id,
      kind: spec.kind,
      tenant: tenant.idx,
      start,
      intensity,
      generate: () =>
        generate({
          id,
          kind: spec.kind,
          pop,
          seed: pop.seed,
          tenant,
          start,
          intensity,
          scale: INTENSITY_SCALE[intensity],
          rng: rngFor(pop.seed, 'incident-events', i),
        }),
    };
    out.push(plan);
  }
  return out;
}

function skip(pop: Population, id: string, why: string): void {
  pop.notes.push(`${id}: ${why}`);
}
