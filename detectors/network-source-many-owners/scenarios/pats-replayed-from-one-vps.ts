import {
  defineScenario,
  githubTokenUse,
  type ScenarioGithubToken,
  type ScenarioPerson,
  type ScenarioRecord,
  type ScenarioRepo,
} from '../../../sim/simulate/scenario.js';

const MINUTE = 60_000;

/**
 * One IP, many tokens (issue 10; shared/reference/scenarios.md S3 step 3, the Heroku / Travis CI
 * OAuth token theft of April 2022, where one actor used many victims' tokens): the developers'
 * GitHub tokens stolen from an integration vendor are replayed from one rented VPS, each with its
 * owner's own git client (the user agent their laptops send that day), cloning two or three of
 * the owner's private repositories, one victim every 5-20 minutes: up to 8 victims in about two
 * hours. Every record is malicious; the entity is the first victim's token. Skipped where fewer
 * than 4 people (outside other incidents) hold a PAT and private repositories.
 *
 * GitHub audit log `git.clone` with `hashed_token`, `programmatic_access_type`, `actor_ip`
 * (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise#git).
 */
export const patsReplayedFromOneVps = defineScenario({
  id: 'network.source_many_owners/pats-replayed-from-one-vps',
  kind: 'attack',
  title: "up to 8 developers' stolen GitHub tokens replayed from one rented VPS with their own git clients",
  source: 'github',
  detectors: ['network.source_many_owners'],
  at: 0.81,
  people: 4,
  generate({ start, people, rng, net, org, githubTokens, repos }) {
    const victims = replayable(people, githubTokens, repos).slice(0, 8);
    if (victims.length < 4)
      return { records: [], skip: 'fewer than 4 people with a PAT and private repositories' };
    const vps = net.hostile(
      'vps',
      rng.int(0, 1000),
      victims.map((v) => v.person.homeCountry),
    );
    const records: ScenarioRecord[] = [];
    let t = start;
    for (const v of victims) {
      for (const repo of rng.shuffle([...v.repos]).slice(0, rng.int(2, 3))) {
        records.push(
          githubTokenUse({
            at: t + rng.int(0, 90) * 1000,
            actor: v.person,
            token: v.token,
            org,
            action: 'git.clone',
            repo,
            ip: vps,
          }),
        );
      }
      t += rng.int(5, 20) * MINUTE;
    }
    return { entity: (victims[0] as (typeof victims)[number]).token.tokenId, records };
  },
});

/** A victim: a person (outside other incidents) with a PAT and private repositories. */
export interface Replayable {
  person: ScenarioPerson;
  token: ScenarioGithubToken;
  repos: ScenarioRepo[];
}

/** The people whose PAT an attacker could replay on their private repositories. */
export function replayable(
  people: readonly ScenarioPerson[],
  githubTokens: (p: ScenarioPerson) => readonly ScenarioGithubToken[],
  repos: (p: ScenarioPerson) => readonly ScenarioRepo[],
): Replayable[] {
  const out: Replayable[] = [];
  for (const person of people) {
    if (person.inIncident) continue;
    const token = githubTokens(person).find((k) => k.kind === 'pat_classic' || k.kind === 'pat_fine');
    const own = repos(person).filter((r) => !r.isPublic);
    if (token !== undefined && own.length > 0) out.push({ person, token, repos: own });
  }
  return out;
}
