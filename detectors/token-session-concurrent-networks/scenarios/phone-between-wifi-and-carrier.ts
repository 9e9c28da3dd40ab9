import {
  atLocalHour,
  defineScenario,
  type ScenarioRecord,
  workspaceTokenActivity,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;

/**
 * A phone that hops between the home Wi-Fi and its carrier's network (the carrier's CGNAT pool,
 * known to GeoIP by its country only) every few minutes through the first three hours of a
 * working day, its mail app syncing all along: one OAuth grant in use from two networks at once,
 * interleaved, the home network new to the grant (its traffic usually comes from the carrier).
 * Both are in the person's own country. Skipped where nobody (outside other incidents) uses a
 * phone app's grant.
 *
 * Must stay quiet: `token.session.concurrent_networks` (the two networks may be the same place).
 * Workspace Reports API application `token`, event `activity`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token).
 */
export const phoneBetweenWifiAndCarrier = defineScenario({
  id: 'token.session.concurrent_networks/phone-between-wifi-and-carrier',
  kind: 'lookalike',
  title: "a phone's mail app grant in use from the home Wi-Fi and the carrier at once, interleaved",
  source: 'google_workspace',
  detectors: ['token.session.concurrent_networks'],
  at: 0.86,
  people: 1,
  generate({ start, people, rng, net, grants }) {
    for (const person of people) {
      const grant = grants(person).find((g) => g.device === 'phone');
      if (person.inIncident || grant === undefined) continue;
      const from = atLocalHour(start, person.timeZone, person.workStartHour + 1);
      const records: ScenarioRecord[] = [];
      let onWifi = false;
      for (let t = from; t < from + 3 * 60 * MINUTE; t += rng.int(3, 9) * MINUTE) {
        if (rng.chance(0.5)) onWifi = !onWifi;
        const call = rng.pick(grant.apis);
        records.push(
          workspaceTokenActivity({
            at: t,
            actor: { email: person.email, profileId: person.profileId },
            ipAddress: onWifi ? person.homeIp : net.mobile(person.homeCountry, rng.int(0, 10_000), t).ip,
            clientId: grant.clientId,
            appName: grant.appName,
            clientType: grant.clientType,
            api: call.api,
            method: call.method,
            bucket: call.bucket,
            responseBytes: Math.round(rng.logNormal(6000, 1.1)),
          }),
        );
      }
      return { records };
    }
    return { records: [], skip: 'nobody with a phone app grant' };
  },
});
