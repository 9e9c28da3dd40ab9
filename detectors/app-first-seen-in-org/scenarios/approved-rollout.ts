import {
  defineScenario,
  type ScenarioRecord,
  workspaceAuthorize,
  workspaceTokenActivity,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const G = 'https://www.googleapis.com/auth/';

/**
 * N13, an approved company-wide rollout (look-alike of a consent wave): a Workspace admin approves
 * "Acme Expense" (a web client with Drive file and Calendar read access) in the app registry a
 * week before the rollout; on the day everyone in the organization authorizes it within the hour
 * (the admin's announcement) and the vendor's servers on AWS sync each grant twice within three
 * hours. The approval goes into the dataset's `apps.json`. By design `app.first_seen_in_org` and
 * `app.consent_wave` raise one informational alert each (their `goodlogSimulated`); the scope
 * detectors stay quiet. Skipped where the organization has no Workspace admin.
 *
 * Workspace Admin SDK Reports API, application `token`, events `authorize` and `activity`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token). Moved from
 * the simulator's built-in N13 (sim/simulate/app-scenarios.ts) with the same shapes and timing.
 */
export const approvedRollout = defineScenario({
  id: 'app.first_seen_in_org/approved-rollout',
  label: 'N13',
  kind: 'lookalike',
  title: 'approved company-wide rollout of "Acme Expense": everyone consents within an hour',
  source: 'google_workspace',
  detectors: ['token.scope.broad_or_escalated', 'app.scope_beyond_approved'],
  at: 0.45,
  people: 4,
  generate({ start, people, rng, net }) {
    const admin = people.find((p) => p.workspaceAdmin);
    if (admin === undefined) return { records: [], skip: 'no Workspace admin to approve the app' };
    const clientId = `${rng.digits(12)}-${rng.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.apps.googleusercontent.com`;
    const appName = 'Acme Expense';
    const scopes = [`${G}drive.file`, `${G}calendar.readonly`, `${G}userinfo.email`];
    const records: ScenarioRecord[] = [];
    let t = start;
    for (const p of people) {
      const actor = { email: p.email, profileId: p.profileId };
      records.push(workspaceAuthorize({ at: t, actor, ipAddress: p.homeIp, clientId, appName, scopes }));
      const server = net.cloud('aws', 'us-east-1', rng.int(0, 3));
      for (let k = 0; k < 2; k++) {
        records.push(
          workspaceTokenActivity({
            at: t + rng.int(2, 180) * MINUTE,
            actor,
            ipAddress: server.ip,
            clientId,
            appName,
            api: 'drive',
            method: 'drive.files.create',
            bucket: 'DRIVE',
            responseBytes: Math.round(rng.logNormal(40_000, 1)),
          }),
        );
      }
      t += rng.int(30, 240) * 1000;
    }
    return {
      records,
      apps: [
        {
          source: 'google_workspace',
          client_id: clientId,
          name: appName,
          status: 'approved',
          approved_by: admin.email,
          approved_at: new Date(start - 7 * DAY).toISOString(),
          scopes,
          note: 'simulated N13: vetted by IT before the company-wide rollout',
        },
      ],
    };
  },
});
