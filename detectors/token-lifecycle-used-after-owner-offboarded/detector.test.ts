import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { runDetectorCases } from '../../src/cases/index.js';
import { DAY, replay } from '../testing.js';
import { tokenLifecycleUsedAfterOwnerOffboarded as detector } from './detector.js';

const T0 = Date.UTC(2025, 5, 30, 16);
const use = (at: number, outcome: 'success' | 'failure' = 'success') =>
  activityFixture({
    at,
    event: { id: `u${at}`, outcome },
    user: { name: 'leaver', email: 'leaver@acme.example' },
    token: { owner: { name: 'leaver', email: 'leaver@acme.example' } },
  });
const removal = activityFixture({
  at: T0,
  event: { id: 'rm', action: 'org.remove_member' },
  user: { name: 'admin', email: 'admin@acme.example' },
  token: { id: 'github:hash:admintoken', owner: { name: 'admin', email: 'admin@acme.example' } },
  tokenwatch: { admin_action: 'member_removed' },
});
const removalOf = (target: { email?: string; name?: string }) => ({
  ...removal,
  user: { ...removal.user, target },
});
const mine = (fs: ReturnType<typeof replay>) => fs.filter((f) => f.detectorId === detector.id);

describe(detector.id, () => {
  it('fires high on a successful use after the owner was removed, naming the event', () => {
    const [f] = mine(
      replay([use(T0 - DAY)], [removalOf({ email: 'leaver@acme.example' }), use(T0 + 2 * DAY)]),
    );
    expect(f?.reason).toContain(
      '2 days after its owner leaver@acme.example was removed from the organization',
    );
    expect(f?.reason).toContain('org.remove_member by admin@acme.example');
    expect(f?.explanation.feature).toBe('use_after_owner_offboarded');
  });

  it('stays quiet for uses before the removal, refused uses after it, and other people', () => {
    expect(
      mine(
        replay(
          [use(T0 - DAY)],
          [removalOf({ email: 'someone.else@acme.example' }), use(T0 + DAY), use(T0 + 2 * DAY, 'failure')],
        ),
      ),
    ).toEqual([]);
    expect(mine(replay([], [use(T0 - DAY), removalOf({ email: 'leaver@acme.example' })]))).toEqual([]);
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
