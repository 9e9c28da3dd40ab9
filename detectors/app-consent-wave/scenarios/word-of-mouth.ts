import { defineScenario } from '../../../sim/simulate/scenario.js';

const HOUR = 3_600_000;

/**
 * Benign look-alike of a consent wave: five colleagues adopt a new tool over an afternoon (word of
 * mouth), below the wave size. Same Reports API shapes as phishing-wave.ts.
 */
export const wordOfMouth = defineScenario({
  id: 'app.consent_wave/word-of-mouth',
  kind: 'lookalike',
  title: 'five colleagues adopt a new app over an afternoon',
  source: 'google_workspace',
  detectors: ['app.consent_wave'],
  at: 0.6,
  people: 5,
  generate({ start, people, rng }) {
    const clientId = `${rng.digits(12)}-${rng.base62(8).toLowerCase()}.apps.googleusercontent.com`;
    return {
      records: people.slice(0, 5).map((p, i) => ({
        at: start + 4 * HOUR + i * 50 * 60_000 + rng.int(0, 600) * 1000,
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
              { name: 'app_name', value: 'Miro' },
              { name: 'client_type', value: 'WEB' },
              { name: 'scope', multiValue: ['https://www.googleapis.com/auth/calendar.readonly'] },
            ],
          },
        ],
      })),
    };
  },
});
