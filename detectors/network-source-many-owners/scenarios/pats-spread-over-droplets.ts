import { defineScenario, githubTokenUse, type ScenarioRecord } from '../../../sim/simulate/scenario.js';
import { replayable } from './pats-replayed-from-one-vps.js';

const MINUTE = 60_000;

/**
 * One ASN, many tokens (issue 10 item 5, "one source address (or ASN)"): the same theft as
 * pats-replayed-from-one-vps, but the attacker spreads the victims over a pool of rented
 * droplets of one hosting operator (DigitalOcean, AS14061, in Amsterdam and Frankfurt), one
 * droplet per victim, so no address ever carries more than one stranger. Five victims within
 * about two hours, each token with its owner's own git client, cloning two of the owner's private
 * repositories. Every record is malicious; the entity is the first victim's token. Skipped where
 * fewer than 4 people (outside other incidents) hold a PAT and private repositories.
 *
 * GitHub audit log `git.clone`
 * (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise#git).
 */
export const patsSpreadOverDroplets = defineScenario({
  id: 'network.source_many_owners/pats-spread-over-droplets',
  kind: 'attack',
  title: "5 developers' stolen GitHub tokens replayed from 5 droplets of one hosting ASN, one droplet each",
  source: 'github',
  detectors: ['network.source_many_owners'],
  at: 0.85,
  people: 4,
  generate({ start, people, rng, net, org, githubTokens, repos }) {
    const victims = replayable(people, githubTokens, repos).slice(0, 5);
    if (victims.length < 4)
      return { records: [], skip: 'fewer than 4 people with a PAT and private repositories' };
    const base = rng.int(0, 200);
    const records: ScenarioRecord[] = [];
    let t = start;
    for (const [i, v] of victims.entries()) {
      const droplet = net.cloud('digitalocean', i % 2 === 0 ? 'ams3' : 'fra1', base + i * 7);
      for (const repo of rng.shuffle([...v.repos]).slice(0, 2)) {
        records.push(
          githubTokenUse({
            at: t + rng.int(0, 90) * 1000,
            actor: v.person,
            token: v.token,
            org,
            action: 'git.clone',
            repo,
            ip: droplet,
          }),
        );
      }
      t += rng.int(10, 30) * MINUTE;
    }
    return { entity: (victims[0] as (typeof victims)[number]).token.tokenId, records };
  },
});
