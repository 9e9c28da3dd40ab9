import { describe, expect, it } from 'vitest';
import { detectorsById } from '../../detectors/registry.js';
import { eventIdsOf } from './emitted.js';
import { labelsFileSchema } from './labels.js';
import { buildPopulation } from './population.js';
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
