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
 * A vetted app turns into a mail reader (shared/reference/scenarios.md: the Salesloft Drift
 * OAuth abuse of 2025, where an approved, trusted integration's grants were used to pull data it
 * was never vetted for): IT approved "Acme Notes" in the app registry 45 days earlier for Drive
 * files and the user's email address. A new version of the app (its vendor compromised) shows
 * an incremental-consent screen; within half an hour up to 3 people click through and grant it
 * full mail access (`https://mail.google.com/`) from their own networks, and the vendor's servers
 * on AWS, the same ones an honest version would use, list and read their mail. Nothing about the
 * network or client is odd: only the scope beyond the approval is. Every record is malicious; the
 * incident's entity is the first person's grant. Skipped where the organization has no Workspace
 * admin to have approved the app.
 *
 * Workspace Admin SDK Reports API, application `token`, events `authorize` (client_id, app_name,
 * client_type, scope) and `activity` (api_name, method_name, client_id, num_response_bytes,
 * product_bucket) (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token);
 * Google's incremental authorization
 * (https://developers.google.com/identity/protocols/oauth2/web-server#incrementalAuth).
 */
export const approvedAppAsksForMail = defineScenario({
  id: 'app.scope_beyond_approved/approved-app-asks-for-mail',
  kind: 'attack',
  title:
    'approved app "Acme Notes" (vetted for Drive files) asks for full mail access; 3 people consent and its servers read their mail',
  source: 'google_workspace',
  detectors: ['app.scope_beyond_approved'],
  at: 0.62,
  people: 3,
  generate({ start, people, rng, net }) {
    const admin = people.find((p) => p.workspaceAdmin);
    if (admin === undefined) return { records: [], skip: 'no Workspace admin to have approved the app' };
    const victims = people.filter((p) => p !== admin).slice(0, 3);
    const first = victims[0];
    if (first === undefined) return { records: [], skip: 'nobody but the admin to consent' };
    const clientId = `${rng.digits(12)}-${rng.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.apps.googleusercontent.com`;
    const appName = 'Acme Notes';
    const approved = [`${G}drive.file`, `${G}userinfo.email`];
    const scopes = [...approved, 'https://mail.google.com/'];
    const records: ScenarioRecord[] = [];
    let t = start;
    for (const p of victims) {
      const actor = { email: p.email, profileId: p.profileId };
      records.push(workspaceAuthorize({ at: t, actor, ipAddress: p.homeIp, clientId, appName, scopes }));
      const server = net.cloud('aws', 'us-east-1', rng.int(0, 3));
      for (const [api, method, bucket] of [
        ['gmail', 'gmail.users.messages.list', 'GMAIL'],
        ['gmail', 'gmail.users.messages.get', 'GMAIL'],
      ] as const) {
        records.push(
          workspaceTokenActivity({
            at: t + rng.int(3, 60) * MINUTE,
            actor,
            ipAddress: server.ip,
            clientId,
            appName,
            api,
            method,
            bucket,
            responseBytes: Math.round(rng.logNormal(30_000, 1)),
          }),
        );
      }
      t += rng.int(2, 10) * MINUTE;
    }
    return {
      entity: `google_workspace:grant:${first.email}:${clientId}`,
      records,
      apps: [
        {
          source: 'google_workspace',
          client_id: clientId,
          name: appName,
          status: 'approved',
          approved_by: admin.email,
          approved_at: new Date(start - 45 * DAY).toISOString(),
          scopes: approved,
          note: 'simulated: vetted by IT for Drive files before the vendor was compromised',
        },
      ],
    };
  },
});
