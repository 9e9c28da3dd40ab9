import { describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import { formatEvalReport } from './report.js';
import { type LabeledIncident, type LabeledLookalike, scoreAlerts } from './score.js';

/** The fields of an alert the scorer reads. */
const alert = (id: string, rule: string, token: string, at: string, eventIds: string[] = []): Alert =>
  ({
    '@timestamp': at,
    message: `${rule} on ${token}`,
    event: { id, action: rule, start: at, end: at },
    tokenwatch: { entity: token, token: { id: token }, evidence: { event_ids: eventIds } },
  }) as unknown as Alert;

const incident: LabeledIncident = {
  id: 'inc-1',
  kind: 'S1',
  entity: 'tok-victim',
  entities: ['tok-victim'],
  first_malicious: '2025-08-01T10:00:00.000Z',
  last_malicious: '2025-08-01T11:00:00.000Z',
  event_ids: ['evil-1'],
};
const travel: LabeledLookalike = {
  id: 'la-1',
  kind: 'N2',
  entities: ['tok-traveller'],
  start: '2025-07-01T00:00:00.000Z',
  end: '2025-07-08T00:00:00.000Z',
};

describe('scoreAlerts', () => {
  const alerts = [
    alert('a1', 'token.geo.impossible_travel', 'tok-victim', '2025-08-01T10:05:00.000Z', ['evil-1']),
    alert('a2', 'token.geo.impossible_travel', 'tok-traveller', '2025-07-02T10:00:00.000Z'),
    alert('a3', 'token.geo.impossible_travel', 'tok-traveller', '2025-07-03T10:00:00.000Z'),
    alert('a4', 'token.geo.impossible_travel', 'tok-other', '2025-07-20T10:00:00.000Z'),
    alert('a5', 'token.network.first_seen_prefix', 'tok-other', '2025-07-21T10:00:00.000Z'),
  ];
  const report = scoreAlerts(alerts, [incident], [travel], { tokens: 100, days: 10 });

  it('gives precision per detector', () => {
    const travelStats = report.detectors.find((d) => d.detector === 'token.geo.impossible_travel');
    expect(travelStats).toMatchObject({ alerts: 4, truePositives: 1, falsePositives: 3, precision: 0.25 });
    expect(report.overall.alertPrecision).toBeCloseTo(0.2);
    expect(report.overall.falseAlertsPer1000TokensPerDay).toBeCloseTo(4 / 0.1 / 10);
  });

  it('groups false alerts by detector x look-alike class, most first', () => {
    expect(report.falsePositiveClasses).toEqual([
      { detector: 'token.geo.impossible_travel', lookalike: 'N2', falseAlerts: 2 },
      { detector: 'token.geo.impossible_travel', lookalike: 'unlabeled', falseAlerts: 1 },
      { detector: 'token.network.first_seen_prefix', lookalike: 'unlabeled', falseAlerts: 1 },
    ]);
    const text = formatEvalReport(report);
    expect(text).toContain('Top false-positive classes (detector x look-alike class)');
    expect(text).toMatch(/token\.geo\.impossible_travel\s+N2\s+2\s+50\.0%/);
  });
});
