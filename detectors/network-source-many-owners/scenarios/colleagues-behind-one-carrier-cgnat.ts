import {
  atLocalHour,
  defineScenario,
  type ScenarioGrant,
  type ScenarioPerson,
  type ScenarioRecord,
  workspaceTokenActivity,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;

/**
 * An all-hands in a conference hall at the headquarters, 10:00 local time: the attendees' phones
 * sync mail and calendars over the mobile network (their mail app's own OAuth grant, as every day),
 * and the carrier's carrier-grade NAT (RFC 6598 shared address space behind a public address, port
 * blocks per subscriber) puts everyone in the hall on the same public address: up to 8 people new
 * to one address within an hour. The address is the carrier's, shared at any moment by hundreds of
 * unrelated subscribers: it says nothing about who holds the credentials. Skipped where fewer than 3
 * people (outside other incidents) use a phone app's grant.
 *
 * Must stay quiet: `network.source_many_owners` (a carrier's address is never one source; the
 * attacker's replay comes from rented machines). Workspace Reports API application `token`, event
 * `activity` (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token).
 */
export const colleaguesBehindOneCarrierCgnat = defineScenario({
  id: 'network.source_many_owners/colleagues-behind-one-carrier-cgnat',
  kind: 'lookalike',
  title: "an all-hands: up to 8 colleagues' phones sync mail through one carrier CGNAT address",
  source: 'google_workspace',
  detectors: ['network.source_many_owners'],
  at: 0.83,
  people: 3,
  generate({ start, people, rng, net, org, grants }) {
    const attendees: { person: ScenarioPerson; grant: ScenarioGrant }[] = [];
    for (const person of people) {
      const grant = grants(person).find((g) => g.device === 'phone');
      if (!person.inIncident && grant !== undefined) attendees.push({ person, grant });
    }
    if (attendees.length < 3) return { records: [], skip: 'fewer than 3 people with a phone app grant' };
    const hall = atLocalHour(start, org.timeZone, 10);
    const cgnat = net.mobile(org.country, rng.int(0, 10_000), hall);
    const records: ScenarioRecord[] = [];
    for (const { person, grant } of attendees.slice(0, 8)) {
      for (let k = 0; k < rng.int(2, 4); k++) {
        const call = rng.pick(grant.apis);
        records.push(
          workspaceTokenActivity({
            at: hall + rng.int(0, 60) * MINUTE + rng.int(0, 59) * 1000,
            actor: { email: person.email, profileId: person.profileId },
            ipAddress: cgnat.ip,
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
    }
    return { records };
  },
});
