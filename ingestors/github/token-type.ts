import type { TokenType } from '../../schemas/token-activity.js';

/**
 * Maps GitHub's `programmatic_access_type` wording to {@link TokenType}. The wording changed over
 * time and differs by event (formats.md 1c, 1e.6), so it is compared case-insensitively on
 * keywords:
 * - `Fine-grained personal access token` -> `pat_fine_grained`;
 * - `Personal access token (classic)`, `Personal access token` (older wording) -> `pat_classic`;
 * - `OAuth access token` -> `oauth_access_token` when an OAuth app is named
 *   (`oauth_application_id`), else `pat_classic`: a classic PAT is logged as an OAuth access token
 *   (https://github.com/orgs/community/discussions/39421);
 * - `GitHub App server-to-server token` -> `github_app_installation`;
 * - `GitHub App user-to-server token` -> `github_app_user`;
 * - `Authentication token created before 2021-04-05` (legacy, no hash metadata) -> as for
 *   `OAuth access token` (these were classic PATs and OAuth tokens);
 * - `Public Key (Deploy)` -> `deploy_key`, `Public Key (User)` / SSH -> `ssh_key`;
 * - missing -> `session` (web session or system action); any other wording -> `unknown`.
 */
export function githubTokenType(accessType: string | undefined, hasOauthApp: boolean): TokenType {
  if (accessType === undefined) return 'session';
  const t = accessType.toLowerCase().replace(/[\s_]+/g, ' ');
  if (/fine[- ]grained/.test(t)) return 'pat_fine_grained';
  if (t.includes('server-to-server') || t.includes('server to server')) return 'github_app_installation';
  if (t.includes('user-to-server') || t.includes('user to server')) return 'github_app_user';
  if (t.includes('personal access token')) return 'pat_classic';
  if (t.includes('oauth') || t.includes('created before 2021') || t.includes('legacy')) {
    return hasOauthApp ? 'oauth_access_token' : 'pat_classic';
  }
  if (t.includes('deploy')) return 'deploy_key';
  if (t.includes('public key') || t.includes('ssh')) return 'ssh_key';
  return 'unknown';
}

/** True when the wording names a GitHub App server-to-server (installation) token. */
export function isServerToServer(accessType: string | undefined): boolean {
  return accessType !== undefined && /server[- ]to[- ]server/i.test(accessType);
}
