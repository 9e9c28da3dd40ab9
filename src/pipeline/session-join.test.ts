import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { SessionJoin, sessionJoinStateSchema } from './session-join.js';

const USER = '005000000000001AAA';
const APP = '0H4000000000001AAA';

/**
 * A Salesforce record of the rep `USER`: `action` (`LoginEvent`, `ApiEvent`), its session, and
 * what the ingestor derived without the join (no ConnectedAppId: the user's session entity).
 */
const sf = (
  action: string,
  session: string,
  type: 'session' | 'oauth_access_token',
  client?: { id?: string; name?: string },
): TokenActivity =>
  activityFixture({
    event: { id: `${action}-${session}-${Math.random()}`, module: 'salesforce', action },
    user: { id: USER, name: 'rep@acme.example' },
    token: {
      id: client?.id ? `salesforce:grant:${USER}:${client.id}` : `salesforce:user:${USER}`,
      key_kind: client?.id ? 'oauth_grant' : 'session',
      type,
      client: client ? { id: client.id, name: client.name } : undefined,
      scopes: [],
    },
    tokenwatch: { session_id: session },
  });

describe('SessionJoin (Salesforce browser vs OAuth sessions)', () => {
  it("joins an OAuth session from its LoginEvent (Application) on: its API calls never land on the user's browser entity", () => {
    const join = new SessionJoin();
    join.apply(sf('LoginEvent', 'oauth-1', 'oauth_access_token', { name: 'Drift' }));
    const call = join.apply(sf('ApiEvent', 'oauth-1', 'session'));
    expect(call.token.id).toBe(`salesforce:grant:${USER}:name:Drift`);
    expect(call.token.key_kind).toBe('oauth_grant');
    // Once a record shows the connected app id, the session's calls go to the documented grant id.
    join.apply(sf('ApiEvent', 'oauth-1', 'oauth_access_token', { id: APP, name: 'Drift' }));
    expect(join.apply(sf('ApiEvent', 'oauth-1', 'session')).token.id).toBe(`salesforce:grant:${USER}:${APP}`);
  });

  it("keeps the rep's browser session on the user entity while the integration's session is joined to its app", () => {
    const join = new SessionJoin();
    join.apply(sf('LoginEvent', 'browser-1', 'session'));
    join.apply(sf('ApiEvent', 'oauth-2', 'oauth_access_token', { id: APP }));
    expect(join.apply(sf('ApiEvent', 'browser-1', 'session')).token.id).toBe(`salesforce:user:${USER}`);
    expect(join.apply(sf('ApiEvent', 'oauth-2', 'session')).token.id).toBe(`salesforce:grant:${USER}:${APP}`);
  });

  it('survives a restart: the saved join restores the session -> app mapping', () => {
    const join = new SessionJoin();
    join.apply(sf('ApiEvent', 'oauth-3', 'oauth_access_token', { id: APP, name: 'Drift' }));
    join.apply(sf('LoginEvent', 'browser-2', 'session'));
    const saved = sessionJoinStateSchema.parse(JSON.parse(JSON.stringify(join.toJSON())));
    const restored = new SessionJoin();
    restored.restore(saved);
    expect(restored.size).toBe(2);
    expect(restored.apply(sf('ApiEvent', 'oauth-3', 'session')).token).toMatchObject({
      id: `salesforce:grant:${USER}:${APP}`,
      client: { id: APP, name: 'Drift' },
    });
    expect(new SessionJoin().apply(sf('ApiEvent', 'oauth-3', 'session')).token.id).toBe(
      `salesforce:user:${USER}`,
    );
  });

  it('forgets the oldest sessions beyond its bound', () => {
    const join = new SessionJoin(2);
    for (const s of ['a', 'b', 'c']) join.apply(sf('ApiEvent', s, 'oauth_access_token', { id: APP }));
    expect(join.size).toBe(2);
    expect(join.apply(sf('ApiEvent', 'a', 'session')).token.id).toBe(`salesforce:user:${USER}`);
  });
});
