import {
  atLocalHour,
  defineScenario,
  githubTokenUse,
  type ScenarioRecord,
} from '../../../sim/simulate/scenario.js';
import { replayable } from './pats-replayed-from-one-vps.js';

const DAY = 86_400_000;

/** The runners of the pool each day (autoscaled instances, recreated every night). */
const RUNNERS = 6;

/** The CI image's git client (not the developers' laptops'). */
const RUNNER_GIT = 'git/2.39.3';

/**
 * A team's self-hosted CI runner pool in one cloud region (AWS us-east-1) that uses the
 * developers' own PATs (stored as CI secrets for cross-repository checkouts), as established
 * before the data begins and going on through the scenario's day: every weekday each developer's
 * pipelines run 3-6 jobs during their working hours with that day's PAT (the secret follows the
 * token's rotation), each job fetching one of their repositories
 * on one of the day's six runners, whose addresses change every day (instances recreated every
 * night), while the developers keep working from home with the same PAT. Every day several
 * people's tokens are new to fresh cloud addresses, and the PAT is in use from the developer's
 * home and from the US at once.
 *
 * Must stay quiet: `network.source_many_owners` (the people are not new to the pool's AS: a fresh
 * runner address of the AS they use every day is not a stranger's machine) and
 * `token.session.concurrent_networks` (the cloud AS is a known network of each PAT). Skipped where
 * fewer than 3 people (outside other incidents) hold a PAT and private repositories.
 */
export const ciRunnerPoolWithDeveloperPats = defineScenario({
  id: 'network.source_many_owners/ci-runner-pool-with-developer-pats',
  kind: 'lookalike',
  title:
    "a CI runner pool in one cloud region uses 4 developers' own PATs every weekday from fresh runner addresses",
  source: 'github',
  detectors: ['network.source_many_owners', 'token.session.concurrent_networks'],
  at: 0.8,
  people: 3,
  generate({ start, people, rng, net, org, githubTokens, repos }) {
    const devs = replayable(people, githubTokens, repos).slice(0, 4);
    if (devs.length < 3)
      return { records: [], skip: 'fewer than 3 people with a PAT and private repositories' };
    const records: ScenarioRecord[] = [];
    // from long before the span (clipped to it) to the end of the scenario's day
    const firstDay = Math.floor(start / DAY) - 400;
    const lastDay = Math.floor(start / DAY);
    for (let d = firstDay; d <= lastDay; d++) {
      const dow = new Date(d * DAY).getUTCDay();
      if (dow === 0 || dow === 6) continue;
      const runner = (r: number) => net.cloud('aws', 'us-east-1', (d * RUNNERS + r) % 100_000);
      for (const dev of devs) {
        const jobs = rng.int(3, 6);
        for (let j = 0; j < jobs; j++) {
          // pipelines run on the developer's pushes: within their working day
          const hour = dev.person.workStartHour + rng.float(0.5, dev.person.workHours);
          const at = atLocalHour(d * DAY, dev.person.timeZone, hour);
          // the PAT live at that moment (rotation replaces it now and then): the CI secret follows it
          const token = githubTokens(dev.person, at).find((k) => k.kind === dev.token.kind);
          if (token === undefined) continue;
          records.push(
            githubTokenUse({
              at,
              actor: dev.person,
              token,
              org,
              action: 'git.fetch',
              repo: rng.pick(dev.repos),
              ip: runner(rng.int(0, RUNNERS - 1)),
              userAgent: RUNNER_GIT,
            }),
          );
        }
      }
    }
    return { records };
  },
});
