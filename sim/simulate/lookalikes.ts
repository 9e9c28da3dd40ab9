/**
 * Labels of the benign look-alikes present in a population: N1 CI runner migration, N2 travel,
 * N3 corporate SDP rollout, N4 the dependency bot's weekly clone sweep, N5 the quarterly
 * backfill, N6 git client upgrades, N7 new hires. Windows are in event time.
 */

import { backfillStart, renovateSweepStart } from './behaviour-services.js';
import { DAY_MS, HOUR_MS } from './calendar.js';
import type { LookalikeLabel } from './labels.js';
import { noiseTraits, reconsentsOn } from './noise.js';
import { personDay } from './person-day.js';
import type { Credential, Person, Population } from './population-types.js';

const iso = (t: number): string => new Date(t).toISOString();

/** Token ids whose traffic leaves from the person's own network (not a vendor cloud). */
function userEgressTokens(pop: Population, p: Person): string[] {
  const out = new Set<string>();
  for (const ci of p.creds) {
    const c = pop.creds[ci] as Credential;
    if (c.createdBy === 'attack') continue;
    if (c.oauthApp && c.oauthApp.egress !== 'user') continue;
    if (c.client && typeof c.client.egress === 'object') continue;
    if (c.connectedApp && c.connectedApp.egress !== 'user') continue;
    out.add(c.tokenId);
  }
  return [...out];
}

/** All look-alike labels of the population. */
export function lookalikeLabels(pop: Population): LookalikeLabel[] {
  const out: LookalikeLabel[] = [];
  const add = (l: Omit<LookalikeLabel, 'id'>) => {
    if (l.entities.length === 0) return;
    out.push({ id: `la-${String(out.length + 1).padStart(3, '0')}-${l.kind}`, ...l });
  };
  const dayT = (d: number) => pop.start + d * DAY_MS;
  for (const tenant of pop.tenants) {
    for (const bot of tenant.svc.ciBots) {
      if (bot.migrateDay === null) continue;
      add({
        kind: 'N1',
        source: 'github',
        title: `${bot.login} runners migrated ${bot.provider} ${bot.region} -> ${bot.newRegion}`,
        entities: [(pop.creds[bot.cred] as Credential).tokenId],
        start: iso(dayT(bot.migrateDay)),
        end: iso(dayT(bot.migrateDay + 2)),
      });
    }
    if (tenant.vpnRolloutDay !== null) {
      const entities = tenant.people.flatMap((k) => userEgressTokens(pop, pop.people[k] as Person));
      add({
        kind: 'N3',
        title: `${tenant.name}: corporate SDP rollout, everyone's egress changes`,
        entities,
        start: iso(dayT(tenant.vpnRolloutDay)),
        end: iso(dayT(tenant.vpnRolloutDay + 2)),
      });
    }
    const renovate = pop.creds[tenant.svc.renovate] as Credential;
    for (let s = renovateSweepStart(pop.start); s < pop.end; s += 7 * DAY_MS) {
      if (s < pop.start) continue;
      add({
        kind: 'N4',
        source: 'github',
        title: `${renovate.app?.slug} weekly sweep clones all ${tenant.github.repos.length} repos`,
        entities: [renovate.tokenId],
        start: iso(s),
        end: iso(s + HOUR_MS),
      });
    }
    const fivetran = pop.creds[tenant.svc.fivetran.cred] as Credential;
    for (let q = backfillStart(tenant, pop.start); q < pop.end; ) {
      if (q >= pop.start) {
        add({
          kind: 'N5',
          source: 'salesforce',
          title: 'Quarterly Fivetran backfill over all objects (~10^7 rows)',
          entities: [fivetran.tokenId],
          start: iso(q),
          end: iso(q + 6 * HOUR_MS),
        });
      }
      const d = new Date(q);
      q = backfillStart(tenant, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 2));
    }
  }
  for (const p of pop.people) {
    for (const trip of p.trips) {
      add({
        kind: 'N2',
        title: `${p.login} travels ${p.home.city} -> ${trip.dest.city} (${trip.dest.country})`,
        entities: userEgressTokens(pop, p),
        start: iso(dayT(trip.depart)),
        end: iso(dayT(trip.ret + 1)),
      });
    }
    if (p.hireDay > 0) {
      add({
        kind: 'N7',
        title: `New hire ${p.login}: first use of all credentials`,
        entities: p.creds.map((c) => (pop.creds[c] as Credential).tokenId),
        start: iso(dayT(p.hireDay)),
        end: iso(dayT(p.hireDay + 3)),
      });
    }
  }
  if (pop.noise) noiseLabels(pop, add);
  const upgrades: number[] = [];
  const upgraded = new Set<string>();
  for (const p of pop.people) {
    if (p.role !== 'dev' || p.testAccount) continue;
    const days = p.devices.map((d) => d.gitUpgradeDay).filter((d): d is number => d !== null && d < pop.days);
    if (days.length === 0) continue;
    upgrades.push(...days);
    for (const ci of p.creds) {
      const c = pop.creds[ci] as Credential;
      if (c.kind === 'gh_pat_classic' || c.kind === 'gh_pat_fine') upgraded.add(c.tokenId);
    }
  }
  if (upgrades.length > 0) {
    add({
      kind: 'N6',
      source: 'github',
      title: 'git 2.43 -> 2.44 rolls out across developer machines',
      entities: [...upgraded],
      start: iso(dayT(Math.min(...upgrades))),
      end: iso(dayT(Math.max(...upgrades) + 1)),
    });
  }
  return out;
}

/** Look-alikes N8-N12 of the world's noise (noise.ts). */
function noiseLabels(pop: Population, add: (l: Omit<LookalikeLabel, 'id'>) => void): void {
  const span = { start: iso(pop.start), end: iso(pop.end) };
  for (const p of pop.people) {
    if (p.testAccount) continue;
    const traits = noiseTraits(pop, p);
    const creds = p.creds.map((c) => pop.creds[c] as Credential).filter((c) => c.createdBy !== 'attack');
    const gws = creds.filter(
      (c) => c.source === 'google_workspace' && (c.kind === 'gws_session' || c.client?.egress === 'user'),
    );
    if (traits.ipv6Home) {
      add({
        kind: 'N8',
        source: 'google_workspace',
        title: `${p.login}: dual-stack home, IPv6 known only to ${p.home.country}`,
        entities: gws.map((c) => c.tokenId),
        ...span,
      });
    }
    const phones = creds.filter((c) => c.client?.egress === 'mobile');
    add({
      kind: 'N9',
      source: 'google_workspace',
      title: `${p.login}: phone between Wi-Fi and the carrier's pool`,
      entities: phones.map((c) => c.tokenId),
      ...span,
    });
    if (traits.vpsHome) {
      add({
        kind: 'N10',
        title: `${p.login}: laptop through a personal VPS on home days`,
        entities: userEgressTokens(pop, p),
        ...span,
      });
    }
    if (traits.adminFirstDay !== null && traits.adminFirstDay < pop.days) {
      add({
        kind: 'N11',
        source: 'google_workspace',
        title: `${p.login}: first-time admin work (create user, reset password, assign role)`,
        entities: creds.filter((c) => c.kind === 'gws_session').map((c) => c.tokenId),
        start: iso(pop.start + traits.adminFirstDay * DAY_MS),
        end: iso(pop.start + (traits.adminFirstDay + 2) * DAY_MS),
      });
    }
    for (const c of creds) {
      if (c.kind !== 'gws_grant') continue;
      for (let d = Math.max(0, p.hireDay); d < pop.days; d++) {
        if (!reconsentsOn(pop, c, personDay(pop, p, d))) continue;
        add({
          kind: 'N12',
          source: 'google_workspace',
          title: `${p.login} re-consents ${c.client?.name ?? 'an OAuth app'} with the scopes it holds`,
          entities: [c.tokenId],
          start: iso(pop.start + d * DAY_MS),
          end: iso(pop.start + (d + 2) * DAY_MS),
        });
      }
    }
  }
}
