import { defineScenario } from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;

/**
 * Consent phishing (scenarios.md #11): a lure mail reaches many inboxes, then 12 people of the
 * organization authorize one never-seen app with mail and Drive scopes within ~14 minutes.
 * Workspace Admin SDK Reports API, application `token`, event `authorize`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/oauth-token).
 */
export const phishingWave = defineScenario({
  id: 'app.consent_wave/phishing-wave',
  kind: 'attack',
  title: '12 people authorize a never-seen app with mail and Drive scopes within 14 minutes',
  source: 'google_workspace',
  detectors: ['app.consent_wave'],
  people: 12,
  generate({ start, people, rng }) {
    const clientId = `${rng.digits(12)}-${rng.base62(8).toLowerCase()}.apps.googleusercontent.com`;
    return {
      records: people.slice(0, 12).map((p, i) => ({
        at: start + i * MINUTE + rng.int(0, 50) * 1000,
        source: 'google_workspace' as const,
        app: 'token' as const,
        actor: { email: p.email, profileId: p.profileId },
        ipAddress: p.homeIp,
        events: [
          {
            type: 'auth',
            name: 'authorize',
            parameters: [
              { name: 'client_id', value: clientId },
              { name: 'app_name', value: 'DocuSign Secure View' },
              { name: 'client_type', value: 'WEB' },
              {
                name: 'scope',
                multiValue: ['https://mail.google.com/', 'https://www.googleapis.com/auth/drive'],
              },
            ],
          },
        ],
      })),
    };
  },
});
