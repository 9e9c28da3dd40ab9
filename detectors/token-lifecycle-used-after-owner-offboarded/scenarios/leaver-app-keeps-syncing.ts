import {
  defineScenario,
  type ScenarioPerson,
  type ScenarioRecord,
  workspaceTokenActivity,
} from '../../../sim/simulate/scenario.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * S12, a leaver whose grant keeps working (shared/scenarios.md #13): a Workspace admin suspends a
 * person who has the grant of an app working for them around the clock from its vendor's cloud
 * (a calendar or chat integration). From the suspension the person does no benign work and their
 * credentials end, but the app keeps calling Google APIs with the leaver's grant every 2-5 hours
 * for two days. Entity: that grant. The uses after the suspension are malicious; the admin's
 * `SUSPEND_USER` is benign context (the offboarding is the organization doing the right thing, the
 * incident is the grant that outlives it), as in leaver-grant-used: an alert on the admin's
 * suspension is a false alert, not a detection of the incident.
 * Skipped where the organization has no Workspace admin or nobody (outside other incidents) holds
 * such a grant.
 *
 * Workspace Admin SDK Reports API: admin `USER_SETTINGS` event `SUSPEND_USER` with `USER_EMAIL`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-user-settings)
 * and application `token` event `activity`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token). Moved from
 * the simulator's built-in S12 (sim/simulate/app-scenarios.ts) with the same shapes and timing.
 */
export const leaverAppKeepsSyncing = defineScenario({
  id: 'token.lifecycle.used_after_owner_offboarded/leaver-app-keeps-syncing',
  label: 'S12',
  kind: 'attack',
  title: "a suspended leaver's always-on app grant keeps working for two days",
  source: 'google_workspace',
  detectors: ['token.lifecycle.used_after_owner_offboarded'],
  at: 0.917,
  people: 2,
  generate({ start, people, rng, grants, offboard }) {
    const admin = people.find((p) => p.workspaceAdmin);
    if (admin === undefined) return { records: [], skip: 'no Workspace admin to suspend a leaver' };
    let leaver: ScenarioPerson | undefined;
    let grant: ReturnType<typeof grants>[number] | undefined;
    for (const p of rng.shuffle(people.filter((q) => !q.workspaceAdmin && !q.inIncident))) {
      grant = grants(p).find((g) => g.pattern === 'always' && g.server !== undefined);
      if (grant !== undefined) {
        leaver = p;
        break;
      }
    }
    if (leaver === undefined || grant?.server === undefined) {
      return { records: [], skip: 'nobody with an always-on Workspace app grant to leave' };
    }
    offboard(leaver, start);
    const records: ScenarioRecord[] = [
      {
        at: start,
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
    ];
    for (let t = start + rng.int(1, 3) * HOUR; t < start + 2 * DAY; t += rng.int(2, 5) * HOUR) {
      const call = rng.pick(grant.apis);
      records.push(
        workspaceTokenActivity({
          at: t,
          actor: { email: leaver.email, profileId: leaver.profileId },
          ipAddress: grant.server(rng.int(0, 3)).ip,
          clientId: grant.clientId,
          appName: grant.appName,
          api: call.api,
          method: call.method,
          bucket: call.bucket,
          responseBytes: Math.round(rng.logNormal(40_000, 1)),
        }),
      );
    }
    return { entity: grant.tokenId, records };
  },
});
