import { defineScenario, type ScenarioPerson } from '../../../sim/simulate/scenario.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Benign look-alike: a leaver's grant is used every day up to the morning of the suspension and
 * never after (the offboarding worked). Same shapes as leaver-grant-used.ts.
 */
export const usedUntilSuspension = defineScenario({
  id: 'token.lifecycle.used_after_owner_offboarded/used-until-suspension',
  kind: 'lookalike',
  title: "a leaver's grant used up to the suspension, never after",
  source: 'google_workspace',
  detectors: ['token.lifecycle.used_after_owner_offboarded'],
  at: 0.65,
  people: 1,
  generate({ start, people, newPerson, rng }) {
    const leaver = newPerson('Leo Leaver');
    const admin = people[0] as ScenarioPerson;
    const clientId = `${rng.digits(12)}-slack${rng.base62(4).toLowerCase()}.apps.googleusercontent.com`;
    const use = (at: number) => ({
      at,
      source: 'google_workspace' as const,
      app: 'token' as const,
      actor: { email: leaver.email, profileId: leaver.profileId },
      ipAddress: leaver.homeIp,
      events: [
        {
          type: 'auth',
          name: 'activity',
          parameters: [
            { name: 'api_name', value: 'drive' },
            { name: 'method_name', value: 'drive.files.list' },
            { name: 'client_id', value: clientId },
            { name: 'app_name', value: 'Slack' },
          ],
        },
      ],
    });
    return {
      records: [
        ...Array.from({ length: 10 }, (_, d) => use(start - (9 - d) * DAY)),
        {
          at: start + 6 * HOUR,
          source: 'google_workspace' as const,
          app: 'admin' as const,
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
      ],
    };
  },
});
