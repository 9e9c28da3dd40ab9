import type { TokenLifecycle } from '../../schemas/token-activity.js';

/**
 * Meaning of a Reports API event (`id.applicationName` + `events[].name`) for tokenwatch: ECS
 * category/type, token lifecycle, failure. Per Google's activity references
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token, `…/login`,
 * `…/admin-security-settings`, `…/drive`). Unknown names fall back to the application's category
 * with type `info` and lifecycle `used`.
 */

/** Admin event granting domain-wide delegation to an API client (`API_CLIENT_NAME`, `API_SCOPES`). */
export const DWD_GRANT = 'AUTHORIZE_API_CLIENT_ACCESS';
/** Admin event removing a domain-wide delegation grant. */
export const DWD_REMOVE = 'REMOVE_API_CLIENT_ACCESS';

/** Lifecycle of the token (grant) the event is about. */
export function gwsLifecycle(app: string, name: string): TokenLifecycle {
  if (app === 'token') {
    if (name === 'authorize') return 'authorized';
    if (name === 'revoke') return 'revoked';
    return 'used';
  }
  if (app === 'admin') {
    if (name === DWD_GRANT) return 'authorized';
    if (name === DWD_REMOVE) return 'revoked';
  }
  return 'used';
}

const FAILURE_RE = /(?:^|_)(?:failure|failed|denied|blocked|rejected)(?:_|$)/i;

/** True when the event name records a failure (`login_failure`). */
export function isFailureEvent(name: string): boolean {
  return FAILURE_RE.test(name);
}

/** ECS category/type. */
export function gwsEventClass(app: string, name: string): { category: string[]; type: string[] } {
  switch (app) {
    case 'token':
      if (name === 'authorize') return { category: ['iam'], type: ['creation'] };
      if (name === 'revoke') return { category: ['iam'], type: ['deletion'] };
      if (name === 'activity' || name === 'request') return { category: ['api'], type: ['access'] };
      return { category: ['iam'], type: ['info'] };
    case 'login':
    case 'saml':
      if (name === 'logout') return { category: ['authentication', 'session'], type: ['end'] };
      if (name === 'login_success' || name === 'login_failure')
        return { category: ['authentication'], type: ['start'] };
      return { category: ['authentication'], type: ['info'] };
    case 'admin':
      if (name === DWD_GRANT) return { category: ['iam'], type: ['creation'] };
      if (name === DWD_REMOVE) return { category: ['iam'], type: ['deletion'] };
      if (/OAUTH2|API_CLIENT|TRUSTED|TRUST_/.test(name)) return { category: ['iam'], type: ['change'] };
      return { category: ['configuration'], type: ['change'] };
    case 'drive':
      return { category: ['file'], type: [driveType(name)] };
    case 'user_accounts':
      return { category: ['iam'], type: ['change'] };
    default:
      return { category: ['api'], type: ['info'] };
  }
}

function driveType(name: string): string {
  if (/^(?:download|view|preview|print|access)/.test(name)) return 'access';
  if (/^(?:create|upload|copy|add)/.test(name)) return 'creation';
  if (/^(?:delete|trash|remove)/.test(name)) return 'deletion';
  if (/^(?:edit|rename|move|change|untrash|sheets_import)/.test(name)) return 'change';
  return 'info';
}
