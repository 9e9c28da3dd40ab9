import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activityFixture } from '../baselines/testing.js';
import {
  type DetectorSpec,
  defineDetector,
  detectorFileName,
  riskMatchesSeverity,
  severityForRisk,
} from './define-detector.js';
import { resolveMitre } from './mitre.js';
import { contextOf } from './testing.js';

const spec = (overrides: Partial<DetectorSpec> = {}): DetectorSpec => ({
  id: 'token.test.example',
  name: 'Example',
  description: 'An example detector.',
  summary: 'Example.',
  knownGaps: 'None.',
  version: 1,
  severity: 'medium',
  riskScore: 50,
  category: 'iam',
  mitre: ['TA0005:T1550.001'],
  sources: ['github'],
  requiredFields: ['token.id'],
  falsePositives: ['None'],
  runbook: ['Look at it.'],
  groupWindowMs: 60_000,
  evaluate: () => [
    {
      reason: 'seen',
      explanation: {
        feature: 'f',
        observed: 1,
        expected: 'e',
        baseline_entity: 'none',
        history_days: 0,
        history_events: 0,
        maturity: 'learning',
      },
    },
  ],
  ...overrides,
});

describe('defineDetector', () => {
  it('resolves MITRE references and freezes the detector', () => {
    const d = defineDetector(spec());
    expect(d.mitre).toEqual([
      {
        id: 'T1550.001',
        name: 'Use Alternate Authentication Material: Application Access Token',
        tactic: { id: 'TA0005', name: 'Defense Evasion' },
      },
    ]);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it.each([
    ['a risk score outside the severity band', { riskScore: 73 }, /outside the medium band/],
    ['a malformed id', { id: 'Token-Example' }, /not a dotted lower-case id/],
    ['an empty runbook', { runbook: [] }, /runbook must not be empty/],
    ['no false positives', { falsePositives: [] }, /falsePositives must not be empty/],
    ['a zero group window', { groupWindowMs: 0 }, /groupWindowMs must be > 0/],
    [
      'an unknown technique',
      { mitre: ['TA0005:T9999'] as unknown as DetectorSpec['mitre'] },
      /unknown MITRE technique/,
    ],
  ] as const)('rejects %s', (_name, overrides, message) => {
    expect(() => defineDetector(spec(overrides as Partial<DetectorSpec>))).toThrow(message);
  });

  it('rejects a technique filed under a tactic it does not belong to', () => {
    expect(() => resolveMitre('TA0010:T1550.001')).toThrow(/not listed under tactic TA0010/);
  });

  it('stamps detectorId and entity, and skips other sources', () => {
    const d = defineDetector(spec());
    const [f] = d.evaluate(activityFixture(), contextOf({}));
    expect(f).toMatchObject({
      detectorId: 'token.test.example',
      entity: 'github:hash:fixturetoken',
      reason: 'seen',
    });
    expect(f?.severity).toBeUndefined();
    const sf = activityFixture({ event: { module: 'salesforce' } });
    expect(d.evaluate(sf, contextOf({}))).toEqual([]);
  });

  it('keeps severity and risk overrides inside one band', () => {
    const base = spec().evaluate(activityFixture(), contextOf({}), { settings: {}, state: {} })[0];
    if (!base) throw new Error('no draft');
    const run = (o: { severity?: 'low' | 'high'; riskScore?: number }) =>
      defineDetector(spec({ evaluate: () => [{ ...base, ...o }] })).evaluate(
        activityFixture(),
        contextOf({}),
      )[0];
    expect(run({ severity: 'high' })).toMatchObject({ severity: 'high', riskScore: 73 });
    expect(run({ severity: 'high', riskScore: 30 })).toMatchObject({ severity: 'high', riskScore: 73 });
    expect(run({ severity: 'low', riskScore: 40 })).toMatchObject({ severity: 'low', riskScore: 40 });
    expect(run({ riskScore: 80 })).toMatchObject({ severity: 'high', riskScore: 80 });
    expect(run({ riskScore: 5 })).toMatchObject({ severity: 'low', riskScore: 21 });
  });

  it('maps risk scores to severities at the 21/47/73/99 floors', () => {
    expect([21, 46, 47, 72, 73, 98, 99, 100].map(severityForRisk)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect(riskMatchesSeverity('critical', 99)).toBe(true);
    expect(riskMatchesSeverity('high', 99)).toBe(false);
  });

  it('names detector files after their id', () => {
    expect(detectorFileName('token.geo.impossible_travel')).toBe('token-geo-impossible-travel.ts');
  });
});

describe('defineDetector settings', () => {
  const withSettings = () =>
    defineDetector({
      ...spec(),
      settings: z.object({
        minUsers: z.number().int().min(1).max(100).default(10).describe('Users that make a wave'),
      }),
      evaluate: (_a, _ctx, { settings }) => [
        {
          reason: `min ${settings.minUsers}`,
          explanation: {
            feature: 'f',
            observed: Number(settings.minUsers),
            expected: 'e',
            baseline_entity: 'none',
            history_days: 0,
            history_events: 0,
            maturity: 'learning',
          },
        },
      ],
    });

  it('passes the declared defaults when the context carries no settings', () => {
    expect(withSettings().defaultSettings).toEqual({ minUsers: 10 });
    expect(withSettings().evaluate(activityFixture(), contextOf({}))[0]?.reason).toBe('min 10');
  });

  it('passes the settings the context carries for its id', () => {
    const settings = { 'token.test.example': { minUsers: 3 } };
    expect(withSettings().evaluate(activityFixture(), { ...contextOf({}), settings })[0]?.reason).toBe(
      'min 3',
    );
  });

  it('rejects a setting without a default or a description, and keeps settings strict', () => {
    expect(() =>
      defineDetector({ ...spec(), settings: z.object({ n: z.number().describe('no default') }) }),
    ).toThrow(/every setting needs a default: n/);
    expect(() => defineDetector({ ...spec(), settings: z.object({ n: z.number().default(1) }) })).toThrow(
      /setting n needs a description/,
    );
    expect(withSettings().settings.safeParse({ minUser: 3 }).success).toBe(false);
  });
});
