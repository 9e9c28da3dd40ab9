import {
  defineScenario,
  type ScenarioPerson,
  type ScenarioRecord,
  workspaceAuthorize,
  workspaceTokenActivity,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;
const G = 'https://www.googleapis.com/auth/';

/** What the attacker's server reads through each grant (token `activity` api_name / method_name / product_bucket). */
const MAIL_READS = [
  { api: 'gmail', method: 'gmail.users.messages.list', bucket: 'GMAIL' },
  { api: 'gmail', method: 'gmail.users.messages.get', bucket: 'GMAIL' },
  { api: 'drive', method: 'drive.files.list', bucket: 'DRIVE' },
];

/**
 * S11, consent phishing with mail reads (shared/scenarios.md #11): a lure reaches the
 * organization; within minutes up to 14 people authorize "PDF Magic Converter", a never-seen
 * unvetted web client, with full mail and Drive access from their own networks; the attacker's
 * rented VPS then reads each victim's mail through the grants (two calls per grant within 90
 * minutes). Every record is malicious; the incident's entity is the first victim's grant.
 *
 * Workspace Admin SDK Reports API, application `token`, events `authorize` (client_id, app_name,
 * client_type, scope) and `activity` (api_name, method_name, client_id, num_response_bytes,
 * product_bucket) (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token).
 * Moved from the simulator's built-in S11 (sim/simulate/app-scenarios.ts) with the same shapes,
 * counts and timing.
 */
export const consentPhishingMailRead = defineScenario({
  id: 'app.consent_wave/consent-phishing-mail-read',
  label: 'S11',
  kind: 'attack',
  title:
    'consent phishing: up to 14 people authorize unvetted "PDF Magic Converter" with mail and Drive scopes within minutes; a VPS reads their mail',
  source: 'google_workspace',
  detectors: ['app.consent_wave'],
  at: 0.89,
  people: 3,
  generate({ start, people, rng, net }) {
    const victims = people.slice(0, 14);
    const first = victims[0] as ScenarioPerson;
    const clientId = `${rng.digits(12)}-${rng.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.apps.googleusercontent.com`;
    const appName = 'PDF Magic Converter';
    const scopes = ['https://mail.google.com/', `${G}drive`, `${G}userinfo.email`];
    const vps = net.hostile('vps', rng.int(0, 1000), [first.homeCountry]);
    const records: ScenarioRecord[] = [];
    let t = start;
    for (const p of victims) {
      const actor = { email: p.email, profileId: p.profileId };
      records.push(workspaceAuthorize({ at: t, actor, ipAddress: p.homeIp, clientId, appName, scopes }));
      for (let k = 0; k < 2; k++) {
        const read = rng.pick(MAIL_READS);
        records.push(
          workspaceTokenActivity({
            at: t + rng.int(5, 90) * MINUTE,
            actor,
            ipAddress: vps.ip,
            clientId,
            appName,
            api: read.api,
            method: read.method,
            bucket: read.bucket,
            responseBytes: Math.round(rng.logNormal(40_000, 1)),
          }),
        );
      }
      t += rng.int(20, 120) * 1000;
    }
    return { entity: `google_workspace:grant:${first.email}:${clientId}`, records };
  },
});
