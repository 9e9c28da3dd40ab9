import type { Source } from '../../schemas/token-activity.js';

/**
 * What the audit logs say about the OAuth scopes a credential actually used, per source. No vendor
 * logs "scope exercised" per request, so tokenwatch derives it from what each log does carry:
 *
 * - **GitHub**: `token_scopes` on every event is the token's *granted* classic scopes
 *   (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise).
 *   The scope an action needed follows GitHub's scope table
 *   (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps):
 *   git and repository operations on private repositories need `repo`, workflow edits `workflow`,
 *   org / team changes `admin:org`, hooks `admin:repo_hook` / `admin:org_hook`, packages
 *   `write:packages`, SSH keys `admin:public_key`, deleting a repository `delete_repo`.
 * - **Google Workspace**: a token `activity` event names the API called (`api_name`,
 *   https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token); a granted
 *   scope counts as used when it belongs to that API (`https://www.googleapis.com/auth/drive*` for
 *   `drive`, `https://mail.google.com/` and `.../gmail.*` for `gmail`, ...). When an event carries
 *   `scope` itself, those scopes count as used.
 * - **Salesforce**: connected-app OAuth scopes
 *   (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm): any
 *   API call uses `api`, a refresh uses `refresh_token`, a browser session `web`; `full` is never
 *   provably used.
 */

/** GitHub action prefix (`category.` or exact action) to the classic scope it needs. */
const GITHUB_ACTION_SCOPES: readonly [RegExp, string][] = [
  [/^repo\.destroy$/, 'delete_repo'],
  [/^(?:git|repo|protected_branch|repository_\w+|pull_request\w*|issue\w*)\./, 'repo'],
  [/^workflows\./, 'workflow'],
  [/^hook\./, 'admin:repo_hook'],
  [/^org\.(?:\w*hook\w*)$/, 'admin:org_hook'],
  [/^(?:org|team|members_can\w*)\./, 'admin:org'],
  [/^packages?\./, 'write:packages'],
  [/^public_key\./, 'admin:public_key'],
  [/^gist\./, 'gist'],
];

/** Parent scopes that include a narrower one (GitHub `repo` includes `repo:status`...). */
const GITHUB_PARENT: Readonly<Record<string, string>> = {
  'repo:status': 'repo',
  repo_deployment: 'repo',
  public_repo: 'repo',
  'repo:invite': 'repo',
  'read:org': 'admin:org',
  'write:org': 'admin:org',
  'read:packages': 'write:packages',
  'read:public_key': 'admin:public_key',
  'write:public_key': 'admin:public_key',
};

/** Google API name (`api_name`) to a test for the scopes of that API. */
const GOOGLE_API_SCOPES: Readonly<Record<string, RegExp>> = {
  gmail: /^(?:https:\/\/mail\.google\.com\/|https:\/\/www\.googleapis\.com\/auth\/gmail\.)/,
  drive: /^https:\/\/www\.googleapis\.com\/auth\/drive/,
  calendar: /^https:\/\/www\.googleapis\.com\/auth\/calendar/,
  admin: /^https:\/\/www\.googleapis\.com\/auth\/admin\./,
  contacts: /^https:\/\/www\.googleapis\.com\/auth\/contacts/,
  people: /^https:\/\/www\.googleapis\.com\/auth\/(?:contacts|userinfo|user\.)/,
  sheets: /^https:\/\/www\.googleapis\.com\/auth\/(?:spreadsheets|drive)/,
  docs: /^https:\/\/www\.googleapis\.com\/auth\/(?:documents|drive)/,
};

/** What one activity tells about used scopes. */
export interface ScopeUseInput {
  source: Source;
  action: string;
  lifecycle: string;
  /** `token.scopes` on the event */
  scopes: readonly string[];
  /** `tokenwatch.api_type` (Google `api_name`, Salesforce API family) */
  apiType: string | undefined;
  /** `event.provider` / dataset hints (Salesforce login vs API) */
  category: readonly string[];
}

/**
 * Scopes the activity exercised, among `granted` (the token's granted scopes so far). Returns
 * scopes from `granted` only (a scope never granted cannot be "used"), except when the event
 * itself names its scopes as Google's `scope` parameter does on use events.
 */
export function usedScopes(input: ScopeUseInput, granted: readonly string[]): string[] {
  if (input.lifecycle !== 'used' && input.lifecycle !== 'refreshed') return [];
  switch (input.source) {
    case 'github': {
      const needed = GITHUB_ACTION_SCOPES.find(([re]) => re.test(input.action))?.[1];
      if (!needed) return [];
      return granted.filter((g) => g === needed || GITHUB_PARENT[needed] === g);
    }
    case 'google_workspace': {
      if (input.action === 'activity' || input.action === 'request') {
        const api = (input.apiType ?? '').toLowerCase();
        const re = GOOGLE_API_SCOPES[api];
        const fromApi = re ? granted.filter((g) => re.test(g)) : [];
        return [...new Set([...fromApi, ...input.scopes])];
      }
      return [];
    }
    case 'salesforce': {
      const out: string[] = [];
      if (input.lifecycle === 'refreshed') out.push('refresh_token');
      if (input.apiType) out.push('api');
      else if (input.category.includes('authentication')) out.push('web');
      return out.filter((s) => granted.includes(s));
    }
  }
}

/**
 * Broad scopes of a grant, per the policy: admin scopes, full mail / full Drive,
 * GitHub `repo` together with `admin:org` (or `admin:enterprise`, `delete_repo`), Salesforce
 * `full`, or `api` with `refresh_token` (offline API access). Returns the offending scopes (empty
 * when none).
 */
export function broadScopes(source: Source | string, scopes: readonly string[]): string[] {
  const has = (s: string): boolean => scopes.includes(s);
  const out = new Set<string>();
  for (const s of scopes) {
    if (s === 'https://mail.google.com/' || s === 'https://www.googleapis.com/auth/drive') out.add(s);
    if (/^https:\/\/www\.googleapis\.com\/auth\/admin\./.test(s) || /^admin:(?:enterprise|org)$/.test(s))
      out.add(s);
    if (s === 'site_admin' || s === 'delete_repo' || s === 'cloud-platform') out.add(s);
  }
  if (source === 'github' && has('repo') && (has('admin:org') || has('admin:enterprise'))) out.add('repo');
  if (source === 'salesforce') {
    if (has('full')) out.add('full');
    if (has('api') && has('refresh_token')) {
      out.add('api');
      out.add('refresh_token');
    }
  }
  return [...out];
}
