import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { HOUR, trainedContext } from '../testing.js';
import { tokenLifecycleUsedAfterRevocation as detector } from './detector.js';

const T = Date.UTC(2025, 7, 4, 10, 0, 0);
const uses = [T - 3 * HOUR, T - 2 * HOUR].map((at, i) => activityFixture({ at, event: { id: `u${i}` } }));
const revoke = activityFixture({
  at: T,
  event: { id: 'revoke', action: 'oauth_access.revoke' },
  token: { lifecycle: 'revoked' },
});

describe(detector.id, () => {
  it('fires high for a successful use 2 h after the revocation', () => {
    const probe = activityFixture({ at: T + 2 * HOUR });
    const [f] = detector.evaluate(probe, trainedContext([...uses, revoke], probe));
    expect(f?.severity).toBeUndefined();
    expect(detector.severity).toBe('high');
    expect(f?.reason).toBe(
      'Classic PAT github:hash:fixturetoken of alice@example.com was used successfully (git.clone) 2 h after it was revoked or expired at 2025-08-04T10:00:00Z: the revocation did not take effect.',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'use_after_revocation',
      observed: 'used success at 2025-08-04T12:00:00.000Z',
      expected: 'no use after revocation/expiry at 2025-08-04T10:00:00Z',
      baseline_entity: 'token',
      history_events: 3,
    });
  });

  it('is medium for a refused attempt (someone still holds the token)', () => {
    const probe = activityFixture({ at: T + HOUR, event: { outcome: 'failure' } });
    const [f] = detector.evaluate(probe, trainedContext([...uses, revoke], probe));
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('Someone tried to use the revoked Classic PAT');
  });

  it('stays quiet within the grace period, after a re-authorization, and before any revocation', () => {
    const inFlight = activityFixture({ at: T + 30_000 });
    expect(detector.evaluate(inFlight, trainedContext([...uses, revoke], inFlight))).toEqual([]);

    const reauth = activityFixture({
      at: T + HOUR,
      event: { id: 'reauth' },
      token: { lifecycle: 'authorized' },
    });
    const later = activityFixture({ at: T + 2 * HOUR });
    expect(detector.evaluate(later, trainedContext([...uses, revoke, reauth], later))).toEqual([]);

    const normal = activityFixture({ at: T + HOUR });
    expect(detector.evaluate(normal, trainedContext(uses, normal))).toEqual([]);
  });

  it('ignores lifecycle records that are not uses (a second revocation)', () => {
    const again = activityFixture({ at: T + HOUR, token: { lifecycle: 'revoked' } });
    expect(detector.evaluate(again, trainedContext([...uses, revoke], again))).toEqual([]);
  });
});

describe(`${detector.id} (a deletion naming no token)`, () => {
  it("stays quiet on a person's actor identity after a PAT deletion that named no token", () => {
    const T0 = Date.UTC(2025, 7, 4, 9, 0, 0);
    const principal = {
      token: { id: 'github:session:alice', key_kind: 'principal' as const, client: undefined },
    };
    const destroy = activityFixture({
      at: T0,
      ...principal,
      event: { id: 'destroy', action: 'personal_access_token.destroy' },
      token: { ...principal.token, lifecycle: 'revoked' },
    });
    const later = activityFixture({
      at: T0 + 3_600_000,
      ...principal,
      event: { id: 'pr', action: 'pull_request.create' },
    });
    const ctx = trainedContext([destroy], later);
    expect(ctx.token.revokedAt).toBe(T0);
    expect(detector.evaluate(later, ctx)).toEqual([]);
  });
});
