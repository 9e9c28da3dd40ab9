import { countriesBordering } from '../../../detectors/geo.js';
import {
  atLocalHour,
  defineScenario,
  githubTokenUse,
  type ScenarioPerson,
  type ScenarioRecord,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;

/**
 * A stolen PAT replayed while its owner keeps working (shared/reference/scenarios.md S4, the
 * CircleCI infostealer case, with a token instead of a session cookie): the developer fetches and
 * pushes from home every 4-12 minutes through a working morning; from a rented VPS in a country
 * that shares no border with the owner's
 * the attacker uses the same PAT with the owner's own git client, a clone every 10-25 minutes in
 * between. The owner's uses are context (benign); the attacker's are malicious. Entity: the PAT.
 * Skipped where nobody (outside other incidents) holds a PAT and private repositories.
 *
 * GitHub audit log `git.fetch` / `git.push` / `git.clone`
 * (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise#git).
 */
export const patReplayedWhileOwnerWorks = defineScenario({
  id: 'token.session.concurrent_networks/pat-replayed-while-owner-works',
  kind: 'attack',
  title: "a developer's PAT is used from a distant VPS while the developer keeps pushing from home",
  source: 'github',
  detectors: ['token.session.concurrent_networks'],
  at: 0.87,
  people: 1,
  generate({ start, people, rng, net, org, githubTokens, repos }) {
    let owner: ScenarioPerson | undefined;
    for (const p of people) {
      if (p.inIncident) continue;
      if (githubTokens(p).some((k) => k.kind === 'pat_classic' || k.kind === 'pat_fine')) {
        if (repos(p).some((r) => !r.isPublic)) {
          owner = p;
          break;
        }
      }
    }
    if (owner === undefined) return { records: [], skip: 'nobody with a PAT and private repositories' };
    const token = githubTokens(owner).find((k) => k.kind === 'pat_classic' || k.kind === 'pat_fine');
    const own = repos(owner).filter((r) => !r.isPublic);
    if (token === undefined) return { records: [], skip: 'no PAT' };
    const home = { ip: owner.homeIp, country: owner.homeCountry };
    // a VPS in a country that shares no border with the owner's (far away)
    const key = rng.int(0, 1000);
    let vps = net.hostile('vps', key, [owner.homeCountry]);
    for (let k = key; k < key + 200; k++) {
      vps = net.hostile('vps', k, [owner.homeCountry]);
      if (vps.country !== owner.homeCountry && !countriesBordering(vps.country, owner.homeCountry)) break;
    }
    const records: ScenarioRecord[] = [];
    // the owner's working morning
    const from = atLocalHour(start, owner.timeZone, owner.workStartHour + 0.5);
    const end = from + 3 * 60 * MINUTE;
    for (let t = from; t < end; t += rng.int(4, 12) * MINUTE) {
      records.push(
        githubTokenUse({
          at: t,
          actor: owner,
          token,
          org,
          action: rng.pick(['git.fetch', 'git.push'] as const),
          repo: rng.pick(own),
          ip: home,
          malicious: false,
        }),
      );
    }
    for (let t = from + rng.int(15, 30) * MINUTE; t < end - 20 * MINUTE; t += rng.int(10, 25) * MINUTE) {
      records.push(
        githubTokenUse({
          at: t,
          actor: owner,
          token,
          org,
          action: 'git.clone',
          repo: rng.pick(own),
          ip: vps,
        }),
      );
    }
    return { entity: token.tokenId, records };
  },
});
