import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { activityFixture } from '../../baselines/fixture.js';
import { detectors } from '../../detectors/registry.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { buildAlert } from '../alerts/build-alert.js';
import { TokenLedger } from '../inventory/ledger.js';
import { saveLedger } from '../inventory/persistence.js';
import { appendAlertLog } from './alert-log.js';

export const DAY = 86_400_000;
/** Event time of the fixture state's newest event. */
export const T_END = Date.UTC(2025, 6, 1, 12, 0, 0);
/** A hostile string as an attacker could put it in a user agent or app name. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
/** Token ids of the fixture state (one with `/`, `+` and `=` as GitHub hashes have). */
export const TOKENS = {
  idle: 'github:hash:idle/Tok+en=',
  busy: 'github:hash:busy',
  hostile: 'google_workspace:grant:eve@acme.example:666',
} as const;
export const silentLogger = pino({ level: 'silent' });

/** A valid alert of detector `d` (index into the registry) about `activity` at `atMs`. */
export function alertAt(activity: TokenActivity, atMs: number, d = 0, reason = `test alert ${atMs}`): Alert {
  const detector = detectors[d % detectors.length]!;
  return buildAlert(
    detector,
    {
      activity,
      finding: {
        detectorId: detector.id,
        entity: activity.token.id,
        reason,
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
      startMs: atMs,
      endMs: atMs,
      count: 1,
      eventIds: [activity.event.id],
      severity: detector.severity,
      riskScore: detector.riskScore,
    },
  );
}

/**
 * A state directory as `tokenwatch run --state` leaves it, small: an inventory of three tokens
 * (one idle 100 days, one busy with 7 alerts, one whose app name and user agent are hostile
 * markup) and the alert log. `recordedAt` stamps the alerts.
 */
export async function fixtureState(
  recordedAt = new Date('2026-01-01T00:00:00Z'),
): Promise<{ dir: string; alerts: Alert[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-api-'));
  const ledger = new TokenLedger();
  const idle = activityFixture({
    at: T_END - 100 * DAY,
    event: { id: 'e-idle' },
    token: { id: TOKENS.idle },
  });
  ledger.observe(idle);
  const alerts: Alert[] = [];
  for (let i = 0; i < 7; i++) {
    const a = activityFixture({
      at: T_END - (7 - i) * 3_600_000,
      event: { id: `e-busy-${i}` },
      token: { id: TOKENS.busy },
    });
    ledger.observe(a);
    alerts.push(alertAt(a, T_END - (7 - i) * 3_600_000, i, `busy alert ${i} ${i === 3 ? HOSTILE : ''}`));
  }
  const hostile = activityFixture({
    at: T_END,
    event: {
      id: 'e-hostile',
      module: 'google_workspace',
      dataset: 'google_workspace.token',
      action: 'activity',
    },
    user_agent: { original: HOSTILE },
    user: { email: 'eve@acme.example', name: undefined, id: undefined },
    token: {
      id: TOKENS.hostile,
      type: 'oauth_access_token',
      key_kind: 'oauth_grant',
      client: { id: '666', name: HOSTILE },
      scopes: ['https://mail.google.com/'],
      owner: { email: 'eve@acme.example', name: undefined, id: undefined },
    },
  });
  ledger.observe(hostile);
  ledger.recordAlerts(alerts);
  await saveLedger(ledger, dir);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    join(dir, 'pipeline.json'),
    JSON.stringify({ version: 1, watermarkMs: T_END, grouper: {} }),
  );
  await appendAlertLog(dir, alerts, recordedAt);
  return { dir, alerts };
}
