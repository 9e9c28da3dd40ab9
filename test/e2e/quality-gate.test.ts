import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../sim/eval/evaluate.js';
import type { EvalReport } from '../../sim/eval/score.js';
import {
  ATTACK_KINDS,
  type LabelsFile,
  labelsFileSchema,
  PLANNED_ATTACK_KINDS,
} from '../../sim/simulate/labels.js';
import { STANDARD_SCENARIOS } from '../../sim/simulate/options.js';
import { loadScenarios } from '../../sim/simulate/scenarios.js';
import { simulate } from '../../sim/simulate/simulate.js';
import { SIMULATE_PRESETS } from '../../src/cli/simulate-command.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/**
 * Detection-quality gate: a fixed-seed dataset of the `realistic` preset (the world's noise: IPv6
 * homes and carrier pools known only to their country, phones between Wi-Fi and carrier, homes
 * behind a VPS, logouts, failed logins, re-consents, PAT deletions naming no token, first-time
 * admin work, two quarterly backfills; sim/simulate/noise.ts) with every attack kind (S1..S10),
 * evaluated end to end. A change that makes detection worse fails here. Detectors are tuned on
 * seed 7 (`tokenwatch simulate --preset realistic --seed 7`); the gate runs on a different seed so
 * it checks generalization, not memorization.
 */
const GATE_SEED = 20_261_129;

/**
 * The issue's targets (issue 8): recall >= 95 %, median time to detect <= 5 min, <= 1 false alert
 * per 1,000 tokens per day AND alert precision >= 50 %. Measured on this seed (2026-12-07, main at
 * c3e7ef7): recall 16/16, median 0 s, 0.37 false alerts / 1,000 tokens / day, precision 91.2 %
 * (before the precision work: 65 false alerts / 1,000 tokens / day, precision 5.5 %).
 */
const BOUNDS = {
  minRecall: 0.95,
  maxMedianTimeToDetectMs: 5 * 60_000,
  maxFalseAlertsPer1000TokensPerDay: 1.0,
  minAlertPrecision: 0.5,
};

/**
 * The app vetting, offboarding and cross-token detectors (issue 10), with the scenario kinds each
 * must catch, every incident of them (S11 consent-phishing wave, S12 a leaver whose token keeps
 * working, the cross-token detectors' own scenario modules beside them; none: no scenario of its
 * own in the simulator yet), the benign look-alike kinds it must stay quiet on, and the least
 * precision it must keep on this seed.
 */
const ISSUE_10_DETECTORS: readonly {
  id: string;
  catches: readonly string[];
  quietOn: readonly string[];
  minPrecision: number;
}[] = [
  { id: 'app.first_seen_in_org', catches: ['S11'], quietOn: [], minPrecision: 0.3 },
  { id: 'app.consent_wave', catches: ['S11'], quietOn: [], minPrecision: 0.5 },
  {
    id: 'app.scope_beyond_approved',
    catches: ['app.scope_beyond_approved/approved-app-asks-for-mail'],
    quietOn: ['N13'],
    minPrecision: 0.5,
  },
  { id: 'token.lifecycle.used_after_owner_offboarded', catches: ['S12'], quietOn: [], minPrecision: 0.5 },
  {
    id: 'network.source_many_owners',
    catches: [
      'network.source_many_owners/pats-replayed-from-one-vps',
      'network.source_many_owners/pats-spread-over-droplets',
    ],
    quietOn: [
      'network.source_many_owners/ci-runner-pool-with-developer-pats',
      'network.source_many_owners/colleagues-behind-one-carrier-cgnat',
      'N3',
      'N9',
    ],
    minPrecision: 0.5,
  },
  {
    id: 'token.session.concurrent_networks',
    catches: ['token.session.concurrent_networks/pat-replayed-while-owner-works'],
    quietOn: [
      'token.session.concurrent_networks/phone-between-wifi-and-carrier',
      'network.source_many_owners/ci-runner-pool-with-developer-pats',
      'N2',
      'N9',
    ],
    minPrecision: 0.5,
  },
];

describe('detection quality gate (simulated dataset, fixed seed)', () => {
  let dir: string;
  let report: EvalReport;
  let run: Awaited<ReturnType<typeof evaluateDataset>>['run'];
  let labels: LabelsFile;
  /**
   * Every attack kind the dataset must carry: the ones attacks.ts plans (S1..S10) and every attack
   * scenario module of the standard set (S11, S12 and the cross-token detectors' own), derived
   * from sim/simulate so a new standard scenario joins the gate without a second list here.
   */
  let requiredKinds: string[];

  beforeAll(async () => {
    const standard = await loadScenarios(STANDARD_SCENARIOS);
    requiredKinds = [
      ...PLANNED_ATTACK_KINDS,
      ...standard.filter((s) => s.scenario.kind === 'attack').map((s) => s.scenario.label ?? s.scenario.id),
    ];
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-gate-'));
    await simulate({ ...SIMULATE_PRESETS.realistic, outDir: dir, seed: GATE_SEED });
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    ({ report, run } = await evaluateDataset({ dataset: dir, config, logger: createLogger('silent') }));
    labels = labelsFileSchema.parse(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')));
  }, 900_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('injects every scenario kind', () => {
    // the catalogued S1..S12 are among them (S11 and S12 through their scenario modules' labels)
    expect(requiredKinds).toEqual(expect.arrayContaining([...ATTACK_KINDS]));
    expect(report.byKind.map((k) => k.kind).sort()).toEqual([...requiredKinds].sort());
  });

  it(`detects at least ${BOUNDS.minRecall * 100} % of incidents`, () => {
    const missed = report.incidents.filter((i) => !i.detected).map((i) => `${i.id} ${i.entity}`);
    expect(report.overall.recall, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(BOUNDS.minRecall);
  });

  it('detects within minutes of event time (median)', () => {
    expect(report.overall.medianTimeToDetectMs).not.toBeNull();
    expect(report.overall.medianTimeToDetectMs as number).toBeLessThanOrEqual(BOUNDS.maxMedianTimeToDetectMs);
  });

  it('keeps false alerts on benign traffic (look-alikes included) under the bound', () => {
    const top = report.falseAlerts.slice(0, 5).map((f) => `${f.rule}: ${f.message}`);
    expect(report.overall.falseAlertsPer1000TokensPerDay, top.join('\n')).toBeLessThanOrEqual(
      BOUNDS.maxFalseAlertsPer1000TokensPerDay,
    );
  });

  it(`keeps alert precision at or above ${BOUNDS.minAlertPrecision * 100} % (where the noise comes from on failure)`, () => {
    const classes = report.falsePositiveClasses
      .slice(0, 5)
      .map((c) => `${c.detector} x ${c.lookalike}: ${c.falseAlerts}`);
    expect(report.overall.alertPrecision, classes.join('\n')).not.toBeNull();
    expect(report.overall.alertPrecision as number, classes.join('\n')).toBeGreaterThanOrEqual(
      BOUNDS.minAlertPrecision,
    );
  });

  it('reports the issue-10 detectors (precision, recall of their scenarios) and keeps the approved rollout informational', () => {
    const rows = ISSUE_10_DETECTORS.map(({ id, catches, quietOn, minPrecision }) => {
      const d = report.detectors.find((x) => x.detector === id);
      const scenario = report.incidents.filter((i) => catches.includes(i.kind));
      const caught = scenario.filter((i) => i.detectors.includes(id)).length;
      return {
        id,
        alerts: d?.alerts ?? 0,
        tp: d?.truePositives ?? 0,
        fp: d?.falsePositives ?? 0,
        precision: d?.precision ?? null,
        catches,
        caught,
        of: scenario.length,
        noisy: report.falseAlerts
          .filter((a) => a.rule === id && a.lookalike !== null && quietOn.includes(a.lookalike))
          .map((a) => `${a.lookalike}: ${a.message}`),
        minPrecision,
      };
    });
    // printed so the figures can be quoted (vitest shows stdout of the test)
    console.log(
      rows
        .map(
          (r) =>
            `${r.id}: ${r.alerts} alerts, ${r.tp} TP / ${r.fp} FP, precision ${r.precision === null ? 'n/a' : `${Math.round(r.precision * 100)} %`}${r.catches.length > 0 ? `, incidents caught ${r.caught}/${r.of}` : ''}`,
        )
        .join('\n'),
    );
    for (const r of rows) {
      // every kind it must catch is in the dataset (requiredKinds), and each incident of them is caught
      for (const kind of r.catches) expect(requiredKinds, r.id).toContain(kind);
      expect(r.of, r.id).toBeGreaterThanOrEqual(r.catches.length);
      expect(r.caught, `${r.id} on ${r.catches.join(', ')}`).toBe(r.of);
      expect(r.noisy, `${r.id} on its look-alikes`).toEqual([]);
      if (r.precision !== null) expect(r.precision, r.id).toBeGreaterThanOrEqual(r.minPrecision);
    }
    // the cross-token detectors' look-alikes are in the dataset
    const kinds = new Set(labels.lookalikes.map((l) => l.kind));
    for (const k of ISSUE_10_DETECTORS.flatMap((r) => r.quietOn)) expect([...kinds], k).toContain(k);
    // N13: an app approved in the registry and rolled out to everyone is at most informational
    const n13 = new Set(labels.lookalikes.filter((l) => l.kind === 'N13').flatMap((l) => l.entities));
    expect(n13.size).toBeGreaterThan(0);
    const loud = run.alerts.filter((a) => n13.has(a.tokenwatch.token.id) && a.event.risk_score > 46);
    expect(loud.map((a) => `${a.rule.id}: ${a.message}`)).toEqual([]);
  });

  it('every alert explains itself against a baseline', () => {
    expect(report.overall.alerts).toBeGreaterThan(0);
    expect(report.detectors.every((d) => d.alerts === d.truePositives + d.falsePositives)).toBe(true);
  });
});
