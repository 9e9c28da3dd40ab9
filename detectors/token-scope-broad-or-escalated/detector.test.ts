import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { DAY, dailyTimes, dwdActivity, HOUR, salesforceActivity, trainedContext } from '../testing.js';
import { tokenScopeBroadOrEscalated as detector, isBroadScope } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const AT = START + 30 * DAY + 10 * HOUR;
type Overrides = Parameters<typeof activityFixture>[0];

/** Alice's PAT with `repo` used for 30 days (no OAuth client: a plain PAT). */
const history = (scopes: string[] = ['repo'], overrides: Overrides = {}): TokenActivity[] =>
  dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
    activityFixture({ ...overrides, at, event: { id: `h${i}` }, token: { scopes, client: undefined } }),
  );
const newPat = (scopes: string[]) =>
  activityFixture({
    at: AT,
    event: { id: 'create', action: 'oauth_access.create', type: ['creation'] },
    token: { id: 'github:hash:minted', lifecycle: 'created', scopes, client: undefined },
  });

describe(detector.id, () => {
  it('knows the broad scopes of each vendor', () => {
    for (const s of [
      'admin:org',
      'delete_repo',
      'https://mail.google.com/',
      'https://www.googleapis.com/auth/drive',
      'full',
    ]) {
      expect(isBroadScope(s), s).toBe(true);
    }
    for (const s of ['repo', 'workflow', 'https://www.googleapis.com/auth/drive.readonly', 'api']) {
      expect(isBroadScope(s), s).toBe(false);
    }
  });

  it("fires high for a new PAT with admin:org beyond the owner's history (S10)", () => {
    const probe = newPat(['repo', 'admin:org', 'workflow']);
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.severity).toBe('high');
    expect(f?.riskScore).toBe(80);
    expect(f?.reason).toBe(
      "Classic PAT github:hash:minted of alice@example.com was created with broad scopes admin:org and new workflow never held before; until now this token and its owner's tokens held only repo.",
    );
    expect(f?.explanation).toMatchObject({
      feature: 'token.scopes',
      observed: 'repo admin:org workflow',
      expected: 'scopes held before: repo',
      baseline_entity: 'owner',
      maturity: 'mature',
    });
  });

  it('stays quiet for broad scopes the owner already held (re-authorization), is low for a plain escalation', () => {
    // Changed with v2: a re-grant of broad scopes already held used to be low; it carries no new
    // access, and re-authorizations of everyday apps were a steady trickle of false alerts.
    const again = newPat(['repo', 'admin:org']);
    expect(detector.evaluate(again, trainedContext(history(['repo', 'admin:org']), again))).toEqual([]);
    const wider = newPat(['repo', 'read:packages']);
    const [f] = detector.evaluate(wider, trainedContext(history(), wider));
    expect(f?.riskScore).toBe(30);
    expect(f?.reason).toContain('scopes read:packages never held before');
  });

  it('is medium for broad scopes with no history to compare', () => {
    const probe = newPat(['admin:org']);
    const [f] = detector.evaluate(probe, trainedContext([], probe));
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('there is no scope history to compare with');
    expect(f?.explanation.baseline_entity).toBe('none');
  });

  it('fires high for a domain-wide delegation grant (S6)', () => {
    const grant = activityFixture({
      at: AT,
      event: {
        action: 'AUTHORIZE_API_CLIENT_ACCESS',
        module: 'google_workspace',
        dataset: 'google_workspace.admin',
      },
      user: { email: 'admin@acme.com' },
      token: {
        id: 'google_workspace:session:admin@acme.com',
        key_kind: 'session',
        type: 'session',
        client: undefined,
        owner: { email: 'admin@acme.com', name: undefined },
        scopes: ['https://mail.google.com/', 'https://www.googleapis.com/auth/admin.directory.user.readonly'],
      },
      tokenwatch: { resource: { type: 'oauth_client', name: '1122334455' } },
    });
    const [f] = detector.evaluate(grant, trainedContext([], grant));
    expect(f?.severity).toBe('high');
    expect(f?.riskScore).toBe(90);
    expect(f?.reason).toContain(
      'admin@acme.com granted domain-wide delegation to 1122334455 with scopes https://mail.google.com/',
    );
    expect(f?.reason).toContain('the client can now act as any user in the domain, including full access');
  });

  it('fires for scope drift on an existing token (use event with a scope it never had)', () => {
    const probe = activityFixture({ at: AT, token: { scopes: ['repo', 'delete_repo'], client: undefined } });
    const [f] = detector.evaluate(probe, trainedContext(history(), probe));
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain('was used with broad scopes delete_repo');
    expect(f?.explanation.baseline_entity).toBe('token');
  });

  it("compares an app's grant with the app's other grants, not the person's other apps (N7 new hire)", () => {
    const grant = (email: string, client: string, scopes: string[], at: number, id: string) =>
      activityFixture({
        at,
        event: { id, action: 'authorize', module: 'google_workspace', dataset: 'google_workspace.token' },
        user: { email },
        token: {
          id: `google_workspace:grant:${email}:${client}`,
          key_kind: 'oauth_grant',
          type: 'oauth_access_token',
          lifecycle: 'authorized',
          client: { id: client, name: client },
          owner: { email },
          scopes,
        },
      });
    // Colleagues have used Drive for desktop for 30 days (use events carry no scopes).
    const use = dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
      activityFixture({
        at,
        event: {
          id: `u${i}`,
          module: 'google_workspace',
          dataset: 'google_workspace.token',
          action: 'activity',
        },
        user: { email: `colleague${i % 5}@acme.com` },
        token: {
          id: `google_workspace:grant:colleague${i % 5}@acme.com:drive-desktop`,
          key_kind: 'oauth_grant',
          client: { id: 'drive-desktop', name: 'Google Drive for desktop' },
          scopes: [],
        },
      }),
    );
    const drive = grant(
      'hire@acme.com',
      'drive-desktop',
      ['https://www.googleapis.com/auth/drive'],
      AT,
      'g1',
    );
    expect(detector.evaluate(drive, trainedContext(use, drive))).toEqual([]);
    // The hire's next app asks for other scopes than Drive did: not an escalation either.
    const zoom = grant(
      'hire@acme.com',
      'zoom',
      ['https://www.googleapis.com/auth/calendar.events'],
      AT + 60_000,
      'g2',
    );
    expect(detector.evaluate(zoom, trainedContext([...use, drive], zoom))).toEqual([]);
    // Admin scopes on an established app still count; full mailbox access on an unknown app too.
    const admin = grant(
      'hire@acme.com',
      'drive-desktop',
      ['https://www.googleapis.com/auth/admin.directory.user'],
      AT,
      'g3',
    );
    expect(detector.evaluate(admin, trainedContext(use, admin))[0]?.severity).toBe('medium');
    const phish = grant('hire@acme.com', 'evil-docs', ['https://mail.google.com/'], AT, 'g4');
    expect(detector.evaluate(phish, trainedContext(use, phish))[0]?.severity).toBe('medium');
  });

  it('fires for a Salesforce connected app never seen, with api + refresh_token (S2)', () => {
    const rep = dailyTimes({ start: START, days: 30, perDay: 6 }).map((at, i) =>
      salesforceActivity({ at, event: { id: `s${i}` }, token: { client: undefined, scopes: ['web'] } }),
    );
    const probe = salesforceActivity({
      at: AT,
      event: { action: 'LoginEvent' },
      token: {
        lifecycle: 'authorized',
        scopes: ['api', 'refresh_token'],
        client: { id: '0H4EVIL', name: 'My Ticket Portal' },
      },
    });
    const [f] = detector.evaluate(probe, trainedContext(rep, probe));
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain('API access with a refresh token for a connected app never seen before');
  });

  it('stays quiet for familiar scopes and for use events without drift', () => {
    const same = newPat(['repo']);
    expect(detector.evaluate(same, trainedContext(history(), same))).toEqual([]);
    const use = activityFixture({ at: AT, token: { scopes: ['repo'], client: undefined } });
    expect(detector.evaluate(use, trainedContext(history(), use))).toEqual([]);
    const dwdUse = dwdActivity('ceo@acme.com', { at: AT });
    expect(detector.evaluate(dwdUse, trainedContext([], dwdUse))).toEqual([]);
  });
});

describe(`${detector.id} (OAuth re-consents)`, () => {
  const GRANT = 'google_workspace:grant:bob@example.com:1234.apps.googleusercontent.com';
  /** Bob's mail app grant used on `days` days from START (Workspace logs no scopes on use). */
  const used = (days: number) =>
    dailyTimes({ start: START, days, perDay: 4 }).map((at, i) =>
      activityFixture({
        at,
        event: { id: `u${i}`, module: 'google_workspace', action: 'activity' },
        user: { email: 'bob@example.com' },
        token: {
          id: GRANT,
          type: 'oauth_access_token',
          client: { id: '1234.apps.googleusercontent.com' },
          scopes: [],
        },
      }),
    );
  const consent = (at: number) =>
    activityFixture({
      at,
      event: { id: `c${at}`, module: 'google_workspace', action: 'authorize' },
      user: { email: 'bob@example.com' },
      token: {
        id: GRANT,
        type: 'oauth_access_token',
        lifecycle: 'authorized',
        client: { id: '1234.apps.googleusercontent.com' },
        scopes: ['https://mail.google.com/', 'openid'],
      },
    });

  it('stays quiet when a grant in daily use is re-consented with the scopes it needs', () => {
    const probe = consent(START + 20 * DAY + 10 * HOUR);
    expect(detector.evaluate(probe, trainedContext(used(20), probe))).toEqual([]);
  });

  it('fires high, on its own, when a long-idle grant is re-consented with mail-wide scopes (S7)', () => {
    const probe = consent(START + 95 * DAY);
    const [f, ...rest] = detector.evaluate(probe, trainedContext(used(20), probe));
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('high');
    expect(f?.explanation.feature).toBe('reconsent_after_idle_days');
    expect(f?.explanation.observed).toBe(75);
    expect(f?.reason).toContain(
      'with mail-wide scopes https://mail.google.com/ after 75 days in which this grant was not used',
    );
  });
});
