import { isToolUa } from '../common/ua-family.js';

/**
 * Human or machine behind a GitHub audit event (formats.md 1c: do not assume the actor of a
 * server-to-server token event is the app). Machine when any of:
 * - `actor_is_bot` / `actor_is_agent` is set, or the login ends in `[bot]` (`github-actions[bot]`);
 * - the token is a GitHub App installation (server-to-server) token;
 * - the client is not a browser (git, curl, SDKs, labels like `AWS CodePipeline`) **and** the
 *   login looks like a service account (`deploy-bot`, `ci-runner`, `svc_sync`, `etl.service`).
 * Otherwise human: people use git and the CLI too.
 */
export function githubPrincipal(input: {
  actor: string | undefined;
  isBot: boolean;
  isAgent: boolean;
  serverToServer: boolean;
  userAgent: string | undefined;
}): 'human' | 'machine' {
  if (input.isBot || input.isAgent || input.serverToServer) return 'machine';
  if (input.actor?.endsWith('[bot]')) return 'machine';
  if (input.actor && isToolUa(input.userAgent) && looksLikeServiceAccount(input.actor)) return 'machine';
  return 'human';
}

const SERVICE_WORD =
  /(?:^|[-_.\d])(?:bot|bots|svc|service|ci|cd|cicd|automation|auto|deploy|deployer|robot|jenkins|build|builder|sync|integration|etl|runner|pipeline|sa)(?:[-_.\d]|$)/i;

/** Logins like `deploy-bot`, `svc_reports`, `acme-ci`, `etl.service`, `renovatebot`. */
export function looksLikeServiceAccount(login: string): boolean {
  return SERVICE_WORD.test(login) || /bot$/i.test(login);
}
