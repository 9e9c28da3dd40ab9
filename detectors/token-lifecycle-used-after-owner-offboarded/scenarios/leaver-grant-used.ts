import { defineScenario, type ScenarioPerson, type ScenarioRecord } from '../../../sim/simulate/scenario.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A Workspace token `activity` of the leaver's Slack grant (Drive list), as in samples/hygiene/. */
const slackUse = (p: ScenarioPerson, at: number, clientId: string, malicious: boolean): ScenarioRecord => ({
  at,
  malicious,
  source: 'google_workspace',
  app: 'token',
  actor: { email: p.email, profileId: p.profileId },
  ipAddress: p.homeIp,
  events: [
    {
      type: 'auth',
      name: 'activity',
      parameters: [
        { name: 'api_name', value: 'drive' },
        { name: 'method_name', value: 'drive.files.list' },
        { name: 'client_id', value: clientId },
        { name: 'num_response_bytes', intValue: '6061' },
        { name: 'product_bucket', multiValue: ['DRIVE'] },
        { name: 'app_name', value: 'Slack' },
      ],
    },
  ],
});

/**
 * A leaver's OAuth grant keeps working after the admin suspended her (scenarios.md #13): ten
 * days of everyday use, Workspace admin `SUSPEND_USER` (USER_SETTINGS, USER_EMAIL;
 * https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-user-settings),
 * then the grant is used on the two following days. Only the uses after the suspension are
 * malicious.
 */
export const leaverGrantUsed = defineScenario({
  id: 'token.lifecycle.used_after_owner_offboarded/leaver-grant-used',
  kind: 'attack',
  title: "a suspended leaver's Slack grant is used two days after the suspension",
  source: 'google_workspace',
  detectors: ['token.lifecycle.used_after_owner_offboarded'],
  people: 1,
  generate({ start, people, newPerson, rng }) {
    const leaver = newPerson('Marta Leaver');
    const admin = people[0] as ScenarioPerson;
    const clientId = `${rng.digits(12)}-slack${rng.base62(4).toLowerCase()}.apps.googleusercontent.com`;
    const suspendAt = start + 7 * HOUR;
    return {
      records: [
        ...Array.from({ length: 10 }, (_, d) => slackUse(leaver, start - (10 - d) * DAY, clientId, false)),
        {
          at: suspendAt,
          malicious: false,
          source: 'google_workspace',
          app: 'admin',
          actor: { email: admin.email, profileId: admin.profileId },
          ipAddress: admin.homeIp,
          events: [
            {
              type: 'USER_SETTINGS',
              name: 'SUSPEND_USER',
              parameters: [{ name: 'USER_EMAIL', value: leaver.email }],
            },
          ],
        },
        slackUse(leaver, suspendAt + 2 * DAY, clientId, true),
        slackUse(leaver, suspendAt + 2 * DAY + HOUR, clientId, true),
      ],
    };
  },
});
