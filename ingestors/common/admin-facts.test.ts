import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { googleWorkspaceIngestor } from '../google-workspace/index.js';
import { adminFactsOf, withAdminFacts } from './admin-facts.js';

/** A Workspace Admin SDK Reports `SUSPEND_USER` activity (USER_SETTINGS; the account is `USER_EMAIL`). */
const SUSPEND = JSON.stringify({
  kind: 'admin#reports#activity',
  id: {
    time: '2025-06-30T16:05:33.000Z',
    uniqueQualifier: '215776957086033885',
    applicationName: 'admin',
    customerId: 'C0ClKmNIV',
  },
  actor: { callerType: 'USER', email: 'chloe@acme.example', profileId: '141200449717031067767' },
  ipAddress: '81.2.69.142',
  events: [
    {
      type: 'USER_SETTINGS',
      name: 'SUSPEND_USER',
      parameters: [{ name: 'USER_EMAIL', value: 'marta@acme.example' }],
    },
  ],
});

describe('admin facts', () => {
  it('turns a Workspace SUSPEND_USER into user_suspended with user.target.email', () => {
    const [item] = [...googleWorkspaceIngestor.frame(SUSPEND, 'admin.ndjson')];
    if (item?.kind !== 'record') throw new Error('not framed');
    const result = googleWorkspaceIngestor.normalize(item.record);
    if (result.kind !== 'activity') throw new Error(`not normalized: ${result.kind}`);
    const a = withAdminFacts(result.activity);
    expect(a.tokenwatch.admin_action).toBe('user_suspended');
    expect(a.user.target).toEqual({ name: 'marta', email: 'marta@acme.example', domain: 'acme.example' });
    expect(a.user.email).toBe('chloe@acme.example');
  });

  it('turns GitHub org.remove_member into member_removed of the removed login', () => {
    const a = activityFixture({
      event: { action: 'org.remove_member', module: 'github' },
      user: { name: 'octo-admin' },
      related: { user: ['octo-admin', 'leaver'], ip: [], hash: [] },
    });
    expect(adminFactsOf(a)).toEqual({ action: 'member_removed', target: 'leaver' });
    expect(withAdminFacts(a).user.target).toEqual({ name: 'leaver' });
  });

  it('leaves other and failed activities alone', () => {
    const use = activityFixture();
    expect(withAdminFacts(use)).toBe(use);
    const failed = activityFixture({
      event: { action: 'org.remove_member', module: 'github', outcome: 'failure' },
      related: { user: ['a', 'b'], ip: [], hash: [] },
    });
    expect(adminFactsOf(failed)).toBeUndefined();
  });
});
