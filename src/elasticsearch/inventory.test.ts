import { describe, expect, it } from 'vitest';
import { activityFixture, FIXTURE_TIME_MS } from '../../baselines/testing.js';
import { detectors } from '../../detectors/registry.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { buildAlert } from '../alerts/build-alert.js';
import { inventoryDocs, mergeInventory, type TokenFacts } from './inventory.js';

const DAY = 86_400_000;

function alertFor(activity: TokenActivity, startMs: number): Alert {
  const detector = detectors[0]!;
  return buildAlert(
    detector,
    {
      activity,
      finding: {
        detectorId: detector.id,
        entity: activity.token.id,
        reason: 'test',
        explanation: {
          feature: 'f',
          observed: 1,
          expected: 'x',
          baseline_entity: 'token',
          history_days: 1,
          history_events: 1,
          maturity: 'mature',
        },
      },
    },
    {
      startMs,
      endMs: startMs,
      count: 1,
      eventIds: [activity.event.id],
      severity: detector.severity,
      riskScore: detector.riskScore,
    },
  );
}

const facts: TokenFacts = {
  firstSeenMs: FIXTURE_TIME_MS - 30 * DAY,
  lastSeenMs: FIXTURE_TIME_MS,
  eventCount: 42,
  maturity: 'mature',
  gapMaxMs: 3 * DAY,
  revokedAtMs: undefined,
  scopes: ['repo'],
};

describe('inventoryDocs', () => {
  it('builds one document per token from the latest activity and the baseline facts', () => {
    const a1 = activityFixture({ at: FIXTURE_TIME_MS - 1000 });
    const a2 = activityFixture({ at: FIXTURE_TIME_MS, source: { ip: '198.51.100.7' } });
    const now = new Date(FIXTURE_TIME_MS + 2 * DAY);
    const docs = inventoryDocs([a2, a1], [alertFor(a2, FIXTURE_TIME_MS)], () => facts, now);
    expect(docs.size).toBe(1);
    const doc = docs.get(a1.token.id)!;
    expect(doc.token.id).toBe(a1.token.id);
    expect(doc.tokenwatch.inventory).toMatchObject({
      first_seen: new Date(facts.firstSeenMs).toISOString(),
      last_seen: new Date(FIXTURE_TIME_MS).toISOString(),
      days_idle: 2,
      max_idle_days: 3,
      event_count: 42,
      maturity: 'mature',
      last_ip: '198.51.100.7',
      open_alert_count: 1,
    });
  });
});

describe('mergeInventory', () => {
  const a = activityFixture({ at: FIXTURE_TIME_MS });
  const later = activityFixture({ at: FIXTURE_TIME_MS + DAY });
  const alert1 = alertFor(a, FIXTURE_TIME_MS);
  const alert2 = alertFor(later, FIXTURE_TIME_MS + DAY);
  const now = new Date(FIXTURE_TIME_MS + 10 * DAY);
  const d1 = inventoryDocs([a], [alert1], () => undefined, now).get(a.token.id)!;
  const d2 = inventoryDocs([later], [alert2], () => undefined, now).get(a.token.id)!;

  it('is idempotent: merging the same update twice changes nothing', () => {
    const once = mergeInventory(d1, d2);
    expect(mergeInventory(once, d2)).toEqual(once);
  });

  it('keeps the earliest first seen, the latest last seen, and counts each alert once', () => {
    const merged = mergeInventory(mergeInventory(undefined, d2), d1);
    expect(merged.tokenwatch.inventory.first_seen).toBe(d1.tokenwatch.inventory.first_seen);
    expect(merged.tokenwatch.inventory.last_seen).toBe(d2.tokenwatch.inventory.last_seen);
    expect(merged.tokenwatch.inventory.open_alert_count).toBe(2);
    expect(new Set(merged.tokenwatch.inventory.alert_ids)).toEqual(
      new Set([alert1.event.id, alert2.event.id]),
    );
  });
});
