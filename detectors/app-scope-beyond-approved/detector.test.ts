import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { runDetectorCases } from '../../src/cases/index.js';
import type { AppEntry } from '../../src/inventory/apps-registry.js';
import { appVettingOf } from '../../src/pipeline/apps-lookup.js';
import { DAY, HOUR, trainedContext } from '../testing.js';
import { appScopeBeyondApproved as detector, scopeCovers } from './detector.js';

const START = Date.UTC(2025, 6, 1);
const CLIENT = 'backup.apps.googleusercontent.com';
const grant = (at: number, user: string, scopes: string[], lifecycle: 'authorized' | 'used' = 'authorized') =>
  activityFixture({
    at,
    event: {
      id: `g${at}${user}`,
      module: 'google_workspace',
      action: lifecycle === 'used' ? 'activity' : 'authorize',
    },
    token: {
      id: `google_workspace:grant:${user}:${CLIENT}`,
      key_kind: 'oauth_grant',
      type: 'oauth_access_token',
      lifecycle,
      client: { id: CLIENT, name: 'Cloud Backup' },
      owner: { name: user, email: user },
      scopes,
    },
  });
const registry = (entry: Partial<AppEntry>) =>
  appVettingOf({
    get: (source, clientId) =>
      source === 'google_workspace' && clientId === CLIENT
        ? {
            source: 'google_workspace',
            client_id: CLIENT,
            status: 'approved',
            approved_by: 'it@example.com',
            approved_at: '2025-06-01T00:00:00.000Z',
            scopes: ['https://www.googleapis.com/auth/drive'],
            ...entry,
          }
        : undefined,
  });
const DRIVE_RO = 'https://www.googleapis.com/auth/drive.readonly';
const MAIL = 'https://mail.google.com/';
const evalWith = (
  history: ReturnType<typeof grant>[],
  probe: ReturnType<typeof grant>,
  entry: Partial<AppEntry> = {},
) => detector.evaluate(probe, { ...trainedContext(history, probe), apps: registry(entry) });

describe(detector.id, () => {
  it('fires high when an approved Drive app is granted full mail access, naming the approval', () => {
    const [f] = evalWith([], grant(START, 'bob@example.com', [DRIVE_RO, MAIL]));
    expect(f?.severity).toBe('high');
    expect(f?.entity).toBe(`app:google_workspace:${CLIENT}`);
    expect(f?.reason).toContain(
      `bob@example.com authorized approved app "Cloud Backup" with ${MAIL} beyond its approval`,
    );
    expect(f?.reason).toContain('approved by it@example.com for https://www.googleapis.com/auth/drive');
    expect(f?.explanation).toMatchObject({ feature: 'scopes_beyond_approval', observed: MAIL });
  });

  it('medium for a narrow excess scope; once per grant (a later use showing it again is silent)', () => {
    const cal = 'https://www.googleapis.com/auth/calendar.readonly';
    const first = grant(START, 'bob@example.com', [cal]);
    const [f] = evalWith([], first);
    expect(f?.reason).toContain(`with ${cal} beyond its approval`);
    expect(f?.severity ?? detector.severity).toBe('medium');
    const again = grant(START + DAY, 'bob@example.com', [cal], 'used');
    expect(evalWith([first], again)).toEqual([]);
    // another user's grant of the same app fires (grouped into the app's alert of the day)
    expect(evalWith([first], grant(START + HOUR, 'carol@example.com', [cal]))).toHaveLength(1);
  });

  it('stays quiet for covered scopes, approvals without a scope list, and unvetted apps', () => {
    const probe = grant(START, 'bob@example.com', [DRIVE_RO, 'https://www.googleapis.com/auth/drive']);
    expect(evalWith([], probe)).toEqual([]);
    const mail = grant(START, 'bob@example.com', [MAIL]);
    expect(evalWith([], mail, { scopes: [] })).toEqual([]);
    expect(evalWith([], mail, { status: 'revoked' })).toEqual([]);
    expect(detector.evaluate(mail, trainedContext([], mail))).toEqual([]);
  });

  it('follows each vendor scope hierarchy', () => {
    expect(scopeCovers('github', 'repo', 'public_repo')).toBe(true);
    expect(scopeCovers('github', 'repo', 'admin:org')).toBe(false);
    expect(scopeCovers('google_workspace', MAIL, 'https://www.googleapis.com/auth/gmail.readonly')).toBe(
      true,
    );
    expect(scopeCovers('google_workspace', DRIVE_RO, 'https://www.googleapis.com/auth/drive')).toBe(false);
    expect(scopeCovers('salesforce', 'full', 'api')).toBe(true);
    expect(scopeCovers('salesforce', 'full', 'refresh_token')).toBe(false);
  });

  it('raw-log cases', () => {
    for (const r of runDetectorCases([detector.id])) expect(r.problems, r.name).toEqual([]);
  });
});
