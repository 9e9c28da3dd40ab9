import { describe, expect, it } from 'vitest';
import { detectorsById } from '../../detectors/registry.js';
import { eventIdsOf } from './emitted.js';
import { labelsFileSchema } from './labels.js';
import { STANDARD_SCENARIOS } from './options.js';
import { buildPopulation } from './population.js';
import type { Credential, Person } from './population-types.js';
import { defineScenario, ScenarioError } from './scenario.js';
import { discoverScenarioFiles, loadScenarios, placeScenario } from './scenarios.js';

const population = (people: number) =>
  buildPopulation({
    seed: 5,
    start: Date.UTC(2025, 5, 2),
    days: 20,
    orgs: 1,
    people,
    volume: 1,
    sfMonitoring: 'alternate',
    lookalikes: false,
  });

describe('scenario modules', () => {
  it('are found beside their detectors and name registered detectors', async () => {
    expect(await discoverScenarioFiles()).toEqual(
      expect.arrayContaining([
        'detectors/app-consent-wave/scenarios/phishing-wave.ts',
        'detectors/token-lifecycle-used-after-owner-offboarded/scenarios/leaver-grant-used.ts',
      ]),
    );
    const all = await loadScenarios('all');
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const { file, scenario } of all) {
      expect(file.startsWith(`detectors/`) || file.startsWith('sim/scenarios/')).toBe(true);
      for (const d of scenario.detectors) expect(detectorsById.has(d), `${scenario.id}: ${d}`).toBe(true);
    }
  });

  it("the standard scenarios are the catalogued S11, N13 and S12, then the cross-token detectors' own", async () => {
    const std = await loadScenarios(STANDARD_SCENARIOS);
    expect(std.map((s) => [s.scenario.id, s.scenario.label, s.scenario.kind]).sort()).toEqual([
      ['app.consent_wave/consent-phishing-mail-read', 'S11', 'attack'],
      ['app.first_seen_in_org/approved-rollout', 'N13', 'lookalike'],
      ['app.scope_beyond_approved/approved-app-asks-for-mail', undefined, 'attack'],
      ['network.source_many_owners/ci-runner-pool-with-developer-pats', undefined, 'lookalike'],
      ['network.source_many_owners/colleagues-behind-one-carrier-cgnat', undefined, 'lookalike'],
      ['network.source_many_owners/pats-replayed-from-one-vps', undefined, 'attack'],
      ['network.source_many_owners/pats-spread-over-droplets', undefined, 'attack'],
      ['token.lifecycle.used_after_owner_offboarded/leaver-app-keeps-syncing', 'S12', 'attack'],
      ['token.session.concurrent_networks/pat-replayed-while-owner-works', undefined, 'attack'],
      ['token.session.concurrent_networks/phone-between-wifi-and-carrier', undefined, 'lookalike'],
    ]);
    // the catalogued three keep their places (a scenario's organization is its place in the list)
    expect(STANDARD_SCENARIOS.slice(0, 3)).toEqual([
      'app.consent_wave/consent-phishing-mail-read',
      'app.first_seen_in_org/approved-rollout',
      'token.lifecycle.used_after_owner_offboarded/leaver-app-keeps-syncing',
    ]);
  });

  it('S12 offboards a population person: their credentials end at the suspension, the grant stays in use', async () => {
    const pop = population(16);
    const [s12] = await loadScenarios([
      'token.lifecycle.used_after_owner_offboarded/leaver-app-keeps-syncing',
    ]);
    if (s12 === undefined) throw new Error('no S12');
    const placed = placeScenario(pop, s12, 0);
    expect(placed?.incident?.kind).toBe('S12');
    const leaver = pop.people.find((p) => p.leaveDay !== undefined) as Person;
    expect(leaver).toBeDefined();
    // the admin's suspension is benign context; the grant's uses after it are the incident
    const suspension = placed?.events.find((e) => e.source === 'google_workspace' && e.app === 'admin');
    if (suspension === undefined) throw new Error('no SUSPEND_USER');
    const suspendAt = suspension.t;
    expect(placed?.incident?.event_ids).not.toContain(eventIdsOf(suspension)[0]);
    expect(Date.parse(placed?.incident?.first_malicious ?? '')).toBeGreaterThan(suspendAt);
    for (const k of leaver.creds) {
      const c = pop.creds[k] as Credential;
      expect(c.validTo, c.label).not.toBeNull();
      expect(c.validTo as number).toBeLessThanOrEqual(suspendAt);
    }
    expect(placed?.incident?.entity).toMatch(new RegExp(`^google_workspace:grant:${leaver.email}:`));
    expect(leaver.leaveDay).toBe(Math.floor((suspendAt - pop.start) / 86_400_000));
  });

  it('N13 adds its approval to the app registry', async () => {
    const pop = population(16);
    const [n13] = await loadScenarios(['app.first_seen_in_org/approved-rollout']);
    if (n13 === undefined) throw new Error('no N13');
    const placed = placeScenario(pop, n13, 0);
    expect(placed?.lookalike?.kind).toBe('N13');
    expect(placed?.apps.map((a) => [a.name, a.status])).toEqual([['Acme Expense', 'approved']]);
    expect(placed?.apps[0]?.client_id).toBe(placed?.lookalike?.entities[0]?.split(':').slice(3).join(':'));
  });

  it('loads by id, and names the known ids for an unknown one', async () => {
    const [one] = await loadScenarios(['app.consent_wave/phishing-wave']);
    expect(one?.scenario.kind).toBe('attack');
    await expect(loadScenarios(['app.consent_wave/nope'])).rejects.toThrow(
      /known: .*app\.consent_wave\/phishing-wave/,
    );
  });

  it('rejects a malformed id', () => {
    expect(() =>
      defineScenario({
        id: 'Consent Wave',
        kind: 'attack',
        title: 't',
        source: 'github',
        detectors: ['app.consent_wave'],
        generate: () => ({ records: [] }),
      }),
    ).toThrow(ScenarioError);
  });

  it('places an attack: envelope filled, only malicious records labeled, labels valid', async () => {
    const pop = population(16);
    const [leaver] = await loadScenarios(['token.lifecycle.used_after_owner_offboarded/leaver-grant-used']);
    const placed = placeScenario(pop, leaver!, 0)!;
    // 10 days of warm-up, the suspension, 2 uses after it
    expect(placed.events).toHaveLength(13);
    const incident = placed.incident!;
    expect(incident.event_ids).toEqual(placed.events.slice(-2).flatMap(eventIdsOf));
    expect(incident.entity).toMatch(/^google_workspace:grant:marta\.leaver\.[0-9a-f]{4}@/);
    const suspension = placed.events.find((e) => e.source === 'google_workspace' && e.app === 'admin');
    expect(suspension?.source === 'google_workspace' && suspension.rec.id.customerId).toBe(
      pop.tenants[0]?.gws.customerId,
    );
    const labels = {
      version: 1,
      dataset: { seed: 5, start: '2025-06-02T00:00:00.000Z', end: '2025-06-22T00:00:00.000Z', tokens: 1 },
      incidents: [incident],
      lookalikes: [],
    };
    expect(labelsFileSchema.parse(labels).incidents[0]?.kind).toBe(
      'token.lifecycle.used_after_owner_offboarded/leaver-grant-used',
    );
  });

  it('skips a scenario the organization has too few people for, with a note', async () => {
    const pop = population(6);
    const [wave] = await loadScenarios(['app.consent_wave/phishing-wave']);
    expect(placeScenario(pop, wave!, 0)).toBeUndefined();
    expect(pop.notes.at(-1)).toMatch(/needs 12 people/);
  });
});
