import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, HOUR, salesforceActivity, trainedContext } from '../testing.js';
import { tokenBehaviorFirstSeenAction as detector, sensitiveCategory } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const AT = START + 30 * DAY + 10 * HOUR;
const ACTIONS = ['git.clone', 'git.fetch', 'git.push'];

type Overrides = Parameters<typeof activityFixture>[0];
const history = (overrides: Overrides = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}`, action: ACTIONS[i % 3] ?? 'git.clone' } }),
  );
const act = (action: string, at: number, overrides: Overrides = {}) =>
  activityFixture({ ...overrides, at, event: { id: `${action}@${at}`, action } });

describe(detector.id, () => {
  it('classifies sensitive actions across vendors', () => {
    expect(sensitiveCategory('repo.access')).toBe('repository visibility or ownership');
    expect(sensitiveCategory('repo.register_self_hosted_runner')).toBe('self-hosted runner');
    expect(sensitiveCategory('org.update_actions_secret')).toBe('credential or app management');
    expect(sensitiveCategory('AUTHORIZE_API_CLIENT_ACCESS')).toBe('credential or app management');
    expect(sensitiveCategory('PermSetAssign')).toBe('organization or admin settings');
    expect(sensitiveCategory('git.clone')).toBeUndefined();
    expect(sensitiveCategory('repo.download_zip')).toBeUndefined();
    expect(sensitiveCategory('BulkApiResultEvent')).toBe('bulk export');
  });

  it('fires (medium) for a sensitive never-seen action, listing the usual vocabulary', () => {
    const probe = act('repo.access', AT);
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.severity).toBeUndefined();
    expect(f?.reason).toContain(
      'performed repo.access (repository visibility or ownership) for the first time',
    );
    expect(f?.reason).toMatch(
      /in 29 days it performed 3 distinct actions \(git\.\w+, git\.\w+ and git\.\w+\) over git APIs\.$/,
    );
    expect(f?.explanation).toMatchObject({
      feature: 'event.action',
      observed: 'repo.access',
      baseline_entity: 'token',
      maturity: 'mature',
    });
    expect(f?.explanation.expected).toMatch(/^actions seen: git\.\w+, git\.\w+ and git\.\w+$/);
  });

  it('is high for sensitive actions in a burst of new vocabulary (S9 worm)', () => {
    const earlier = ['repo.create', 'repo.rename', 'workflows.created_workflow_run', 'git.push_tag'].map(
      (a, i) => act(a, AT + i * 60_000),
    );
    const probe = act('repo.register_self_hosted_runner', AT + 5 * 60_000);
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...earlier], probe));
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain('It is never-seen action number 5 within 1 h.');
    expect(f?.explanation.window).toBe('1 h');
  });

  it('fires (medium 50) for a burst of non-sensitive new actions', () => {
    const earlier = ['issues.opened', 'issues.closed', 'pull_request.create', 'pull_request.merge'].map(
      (a, i) => act(a, AT + i * 60_000),
    );
    const probe = act('issue_comment.create', AT + 5 * 60_000);
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...earlier], probe));
    expect(f?.riskScore).toBe(50);
  });

  it('is low when the owner already does it with other credentials', () => {
    const session = dailyTimes({ start: START, days: 30, perDay: 1 }).map((at, i) =>
      activityFixture({
        at: at + 120_000,
        event: { id: `w${i}`, action: 'repo.access' },
        token: { id: 'github:session:alice', key_kind: 'principal', type: 'session', client: undefined },
      }),
    );
    const probe = act('repo.access', AT);
    const [f] = detector.evaluate(probe, trainedContext([...history(), ...session], probe));
    expect(f?.severity).toBe('low');
    expect(f?.reason).toContain('The owner performs this action with other credentials.');
  });

  it('fires for the first Bulk API call of a REST-only integration (S1)', () => {
    const rest = dailyTimes({
      start: START,
      days: 30,
      perDay: 24,
      hours: Array.from({ length: 24 }, (_, h) => h),
    }).map((at, i) => salesforceActivity({ at, event: { id: `r${i}` } }));
    // S1: the integration's token replayed from a rented server (not the connector's egress).
    const hetzner = {
      source: { ip: '5.75.128.20', geo: { country_iso_code: 'DE' } },
      tokenwatch: { api_type: 'Bulk2', network: { ip_prefix: '5.75.128.0/24', class: 'hosting' as const } },
    };
    const probe = salesforceActivity({ at: AT, ...hetzner });
    const [f] = detector.evaluate(probe, trainedContext(rest, probe));
    expect(f?.reason).toContain(
      'performed its first Bulk2 API call (ApiEvent) (bulk API) for the first time',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'tokenwatch.api_type',
      observed: 'Bulk2',
      expected: 'API types seen: REST',
    });
  });

  it("leaves a connector's first Bulk API call from its own egress with its own client to data_spike (N5 re-sync)", () => {
    const rest = dailyTimes({
      start: START,
      days: 30,
      perDay: 24,
      hours: Array.from({ length: 24 }, (_, h) => h),
    }).map((at, i) => salesforceActivity({ at, event: { id: `r${i}` } }));
    const bulk = salesforceActivity({ at: AT, tokenwatch: { api_type: 'Bulk2' } });
    expect(detector.evaluate(bulk, trainedContext(rest, bulk))).toEqual([]);
    const bulkAction = salesforceActivity({ at: AT, event: { action: 'salesforce.bulkapi.query' } });
    expect(detector.evaluate(bulkAction, trainedContext(rest, bulkAction))).toEqual([]);
    // the same connector with a new client family is not its own software
    const other = salesforceActivity({
      at: AT,
      tokenwatch: { api_type: 'Bulk2' },
      user_agent: { original: 'python-requests/2.32.4', name: 'python-requests', version: '2.32.4' },
    });
    expect(detector.evaluate(other, trainedContext(rest, other))).toHaveLength(1);
  });

  it("stays quiet for a person's web session deleting a PAT or revoking an app (hygiene), not for creating one", () => {
    // GitHub records a deletion that names no token on the actor's session, as a use of it.
    const session = { token: { id: 'github:session:alice', key_kind: 'session' as const } };
    for (const action of ['personal_access_token.destroy', 'oauth_authorization.destroy']) {
      const probe = act(action, AT, session);
      expect(probe.token.lifecycle).toBe('used');
      expect(detector.evaluate(probe, trainedContext(history(session), probe)), action).toEqual([]);
    }
    const created = act('personal_access_token.create', AT, session);
    const [f] = detector.evaluate(created, trainedContext(history(session), created));
    expect(f?.reason).toContain('personal_access_token.create (credential or app management)');
  });

  it('stays quiet for a single non-sensitive new action, known actions, and cold-start tokens', () => {
    const plain = act('issues.opened', AT);
    expect(detector.evaluate(plain, trainedContext(history(), plain))).toEqual([]);
    const known = act('git.push', AT);
    expect(detector.evaluate(known, trainedContext(history(), known))).toEqual([]);
    const fresh = act('repo.access', AT, { token: { id: 'github:hash:fresh' } });
    const ctx = trainedContext(history(), fresh);
    expect(ctx.reference?.entity).toBe('app');
    expect(detector.evaluate(fresh, ctx)).toEqual([]);
  });
});
