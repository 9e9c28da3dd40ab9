import { githubEvent } from '../test/support/github-events.js';

/**
 * Background traffic of the Kafka bench (its drain input and the offered load of its latency
 * part): event `i` is a git.clone (an api.request every fifth) by token `bg-<i mod tokens>` of
 * one of 400 people, from one address per token, at event time `at` (epoch ms); one raw GitHub
 * audit-log line.
 */
export function backgroundEvent(i: number, at: number, tokens: number): string {
  const t = i % tokens;
  const action = i % 5 === 0 ? 'api.request' : 'git.clone';
  return JSON.stringify(
    githubEvent(action, at, {
      token: `bg-${t}`,
      actor: `dev${t % 400}`,
      ip: `198.51.${(t >> 8) & 255}.${t & 255}`,
      repo: `acme/repo-${t % 50}`,
    }),
  );
}
