import type { TokenLifecycle } from '../../schemas/token-activity.js';

/**
 * What a GitHub audit `action` (`category.operation`) means for tokenwatch: the token lifecycle
 * step, the ECS `event.category` / `event.type`, and whether the action itself records a failure.
 * Event names follow GitHub's audit-log event reference
 * (https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise).
 * Unknown actions map to lifecycle `used` and a category/type guessed from the operation word.
 */

/** Token categories whose create/update/destroy operations are token lifecycle steps. */
const TOKEN_CATEGORIES = new Set(['oauth_access', 'personal_access_token', 'oauth_authorization']);

/** Categories about credentials and app grants (ECS `iam`). */
const IAM_CATEGORIES = new Set([
  ...TOKEN_CATEGORIES,
  'oauth_application',
  'integration',
  'integration_installation',
  'integration_installation_request',
  'public_key',
  'deploy_key',
  'org_credential_authorization',
  'two_factor_authentication',
]);

/** Splits `oauth_access.create` into `['oauth_access', 'create']` (operation may be empty). */
export function splitAction(action: string): [string, string] {
  const dot = action.indexOf('.');
  return dot < 0 ? [action, ''] : [action.slice(0, dot), action.slice(dot + 1)];
}

/**
 * Lifecycle step of the token named by the record: `created` (`oauth_access.create`,
 * `personal_access_token.create`), `authorized` (`oauth_authorization.create`,
 * `personal_access_token.access_granted`), `refreshed` (`.regenerate`, `.credential_regenerated`),
 * `scope_changed` (`.update`), `revoked` (`.destroy`, `.revoke`, `.credential_revoked`,
 * `.access_revoked`, `oauth_authorization.destroy`, which also covers expiry). Only for the three
 * token categories (`repo.destroy` is not a revocation); everything else is `used`.
 */
export function githubLifecycle(action: string): TokenLifecycle {
  const [category, op] = splitAction(action);
  if (!TOKEN_CATEGORIES.has(category)) return 'used';
  switch (op) {
    case 'create':
      return category === 'oauth_authorization' ? 'authorized' : 'created';
    case 'access_granted':
      return 'authorized';
    case 'regenerate':
    case 'credential_regenerated':
      return 'refreshed';
    case 'update':
      return 'scope_changed';
    case 'destroy':
    case 'revoke':
    case 'credential_revoked':
    case 'access_revoked':
      return 'revoked';
    default:
      return 'used';
  }
}

const FAILURE_RE = /(?:^|_)(?:fail(?:ed|ure)?|denied|reject(?:ed)?|block(?:ed)?)(?:_|$)/;

/** True when the action name itself records a failure (`user.failed_login`, `…request_denied`). */
export function isFailureAction(action: string): boolean {
  return FAILURE_RE.test(splitAction(action)[1]);
}

/** ECS `event.type` from the operation word (falls back to GitHub's `operation_type`). */
function ecsType(op: string, operationType: string | undefined): string {
  if (FAILURE_RE.test(op)) return 'denied';
  if (
    /^(?:create|add|generate|install|request_created|access_granted)|_(?:added|created|granted)$/.test(op)
  ) {
    return 'creation';
  }
  if (/^(?:destroy|delete|remove|revoke|uninstall)|_(?:removed|revoked|deleted|destroyed)$/.test(op)) {
    return 'deletion';
  }
  if (
    /^(?:update|change|rename|regenerate|credential_regenerated|transfer|enable|disable|set|reset|edit)|_(?:changed|updated|enabled|disabled)$/.test(
      op,
    )
  ) {
    return 'change';
  }
  if (/^(?:clone|fetch|download|access|view|read|search|pull)/.test(op)) return 'access';
  switch (operationType) {
    case 'create':
      return 'creation';
    case 'modify':
    case 'transfer':
      return 'change';
    case 'remove':
      return 'deletion';
    case 'access':
      return 'access';
    case 'authentication':
      return 'start';
    default:
      return 'info';
  }
}

/** Actions whose operation word misleads: `repo.access` is a visibility change to private. */
const OVERRIDES: Record<string, { category: string[]; type: string[] }> = {
  'repo.access': { category: ['configuration'], type: ['change'] },
};

/** ECS `event.category` and `event.type` for an action. */
export function githubEventClass(
  action: string,
  operationType: string | undefined,
): { category: string[]; type: string[] } {
  const override = OVERRIDES[action];
  if (override) return { category: [...override.category], type: [...override.type] };
  const [category, op] = splitAction(action);
  if (category === 'git' || action === 'api.request') return { category: ['api'], type: ['access'] };
  if (action === 'repo.download_zip') return { category: ['file'], type: ['access'] };
  if (category === 'user' && /login|two_factor_challenge|sign_in/.test(op)) {
    return { category: ['authentication'], type: [/logout|sign_out/.test(op) ? 'end' : 'start'] };
  }
  if (IAM_CATEGORIES.has(category)) return { category: ['iam'], type: [ecsType(op, operationType)] };
  return { category: ['configuration'], type: [ecsType(op, operationType)] };
}
