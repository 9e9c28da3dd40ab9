import { describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/testing.js';
import {
  baselineFacts,
  fmtDuration,
  fmtList,
  fmtNumber,
  hourStartOf,
  referenceFacts,
  shortTokenId,
  tokenLabel,
} from './explain.js';
import { plainView } from './testing.js';

describe('explain helpers', () => {
  it('shortens long trailing id segments only', () => {
    expect(shortTokenId('github:hash:q8Xz1fAbCdEfGhIjKlMnOpQrStUvWxYz0123456789AB=')).toBe(
      'github:hash:q8Xz1fAb…',
    );
    expect(shortTokenId('github:token_id:12345')).toBe('github:token_id:12345');
  });

  it('labels a token with its type, owner and (for grants) its app', () => {
    expect(tokenLabel(activityFixture())).toBe('Classic PAT github:hash:fixturetoken of alice@example.com');
    const grant = activityFixture({ token: { key_kind: 'oauth_grant', type: 'oauth_access_token' } });
    expect(tokenLabel(grant)).toBe(
      'OAuth token github:hash:fixturetoken (app "Fixture CLI") of alice@example.com',
    );
  });

  it('formats numbers, durations and lists deterministically', () => {
    expect([fmtNumber(1234567), fmtNumber(3.16), fmtNumber(0.004, 3), fmtNumber(-2500)]).toEqual([
      '1,234,567',
      '3.2',
      '0.004',
      '-2,500',
    ]);
    expect([
      fmtDuration(45_000),
      fmtDuration(12 * 60_000),
      fmtDuration(3 * 3_600_000 + 12 * 60_000),
      fmtDuration(41 * 86_400_000),
    ]).toEqual(['45 s', '12 min', '3 h 12 min', '41 days']);
    expect([fmtList([]), fmtList(['a']), fmtList(['a', 'b']), fmtList(['a', 'b', 'c', 'd'], 2)]).toEqual([
      'none',
      'a',
      'a and b',
      'a, b and 2 more',
    ]);
  });

  it('describes the baseline used, or none', () => {
    const view = plainView({ historyDays: 41.26, eventCount: 1234 });
    expect(referenceFacts({ view, entity: 'owner' })).toEqual({
      baseline_entity: 'owner',
      history_days: 41.3,
      history_events: 1234,
      maturity: 'mature',
    });
    expect(referenceFacts(undefined)).toEqual(baselineFacts(undefined, 'none'));
    expect(referenceFacts(undefined).baseline_entity).toBe('none');
  });

  it('buckets event time by UTC hour', () => {
    expect(hourStartOf(Date.UTC(2025, 7, 4, 10, 59, 59))).toBe(Date.UTC(2025, 7, 4, 10));
  });
});
