import { describe, expect, it } from 'vitest';
import { githubEventClass, githubLifecycle, isFailureAction } from './action-map.js';
import { githubPrincipal, looksLikeServiceAccount } from './principal.js';
import { githubTokenType, isServerToServer } from './token-type.js';

describe('githubTokenType', () => {
  it.each([
    ['Personal access token (classic)', false, 'pat_classic'],
    ['Personal access token', false, 'pat_classic'],
    ['personal ACCESS token (Classic)', false, 'pat_classic'],
    ['Fine-grained personal access token', false, 'pat_fine_grained'],
    ['OAuth access token', true, 'oauth_access_token'],
    ['OAuth access token', false, 'pat_classic'],
    ['GitHub App server-to-server token', false, 'github_app_installation'],
    ['GitHub App user-to-server token', true, 'github_app_user'],
    ['Authentication token created before 2021-04-05', false, 'pat_classic'],
    ['Authentication token created before 2021-04-05', true, 'oauth_access_token'],
    ['Public Key (Deploy)', false, 'deploy_key'],
    ['Public Key (User)', false, 'ssh_key'],
    ['Something new', false, 'unknown'],
    [undefined, false, 'session'],
  ] as const)('%s (oauth app: %s) -> %s', (wording, app, expected) => {
    expect(githubTokenType(wording, app)).toBe(expected);
  });

  it('recognises server-to-server wording only', () => {
    expect(isServerToServer('GitHub App server-to-server token')).toBe(true);
    expect(isServerToServer('GitHub App user-to-server token')).toBe(false);
    expect(isServerToServer(undefined)).toBe(false);
  });
});

describe('githubLifecycle', () => {
  it.each([
    ['oauth_access.create', 'created'],
    ['personal_access_token.create', 'created'],
    ['oauth_authorization.create', 'authorized'],
    ['personal_access_token.access_granted', 'authorized'],
    ['oauth_access.regenerate', 'refreshed'],
    ['personal_access_token.credential_regenerated', 'refreshed'],
    ['oauth_access.update', 'scope_changed'],
    ['personal_access_token.update', 'scope_changed'],
    ['oauth_authorization.update', 'scope_changed'],
    ['oauth_access.destroy', 'revoked'],
    ['oauth_access.revoke', 'revoked'],
    ['personal_access_token.destroy', 'revoked'],
    ['personal_access_token.credential_revoked', 'revoked'],
    ['personal_access_token.access_revoked', 'revoked'],
    ['oauth_authorization.destroy', 'revoked'],
    ['personal_access_token.request_created', 'used'],
    ['repo.destroy', 'used'],
    ['integration.create', 'used'],
    ['git.clone', 'used'],
    ['totally.unknown', 'used'],
    ['noseparator', 'used'],
  ])('%s -> %s', (action, expected) => {
    expect(githubLifecycle(action)).toBe(expected);
  });
});

describe('githubEventClass / isFailureAction', () => {
  it.each([
    ['git.clone', undefined, ['api'], ['access']],
    ['git.push', undefined, ['api'], ['access']],
    ['api.request', undefined, ['api'], ['access']],
    ['repo.download_zip', undefined, ['file'], ['access']],
    ['oauth_access.create', undefined, ['iam'], ['creation']],
    ['oauth_access.destroy', undefined, ['iam'], ['deletion']],
    ['oauth_access.regenerate', undefined, ['iam'], ['change']],
    ['personal_access_token.request_denied', undefined, ['iam'], ['denied']],
    ['integration_installation.repositories_added', undefined, ['iam'], ['creation']],
    ['public_key.delete', undefined, ['iam'], ['deletion']],
    ['user.failed_login', undefined, ['authentication'], ['start']],
    ['user.login', undefined, ['authentication'], ['start']],
    ['repo.create', undefined, ['configuration'], ['creation']],
    ['repo.access', 'modify', ['configuration'], ['change']],
    ['protected_branch.rejected_ref_update', undefined, ['configuration'], ['denied']],
    ['org.some_new_thing', 'remove', ['configuration'], ['deletion']],
    ['org.some_new_thing', undefined, ['configuration'], ['info']],
  ])('%s (%s) -> %j %j', (action, op, category, type) => {
    expect(githubEventClass(action, op)).toEqual({ category, type });
  });

  it.each([
    ['user.failed_login', true],
    ['user.two_factor_challenge_failure', true],
    ['personal_access_token.request_denied', true],
    ['protected_branch.rejected_ref_update', true],
    ['org.blocked_user', true],
    ['git.clone', false],
    ['repo.create', false],
    ['failed.login', false],
  ])('%s failure=%s', (action, expected) => {
    expect(isFailureAction(action)).toBe(expected);
  });
});

describe('githubPrincipal', () => {
  const base = {
    actor: 'alice',
    isBot: false,
    isAgent: false,
    serverToServer: false,
    userAgent: 'git/2.43.0',
  };
  it.each([
    ['a person using git', base, 'human'],
    ['actor_is_bot', { ...base, isBot: true }, 'machine'],
    ['Copilot agent', { ...base, isAgent: true }, 'machine'],
    ['[bot] login', { ...base, actor: 'dependabot[bot]' }, 'machine'],
    ['server-to-server token', { ...base, serverToServer: true }, 'machine'],
    [
      'service account with a script',
      { ...base, actor: 'svc-reporting', userAgent: 'python-requests/2.31' },
      'machine',
    ],
    [
      'service account in a browser',
      {
        ...base,
        actor: 'svc-reporting',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      },
      'human',
    ],
    ['person with curl', { ...base, actor: 'bob', userAgent: 'curl/8.4.0' }, 'human'],
  ] as const)('%s -> %s', (_name, input, expected) => {
    expect(githubPrincipal(input)).toBe(expected);
  });

  it.each([
    ['deploy-bot', true],
    ['acme-ci', true],
    ['svc_sync', true],
    ['etl.service', true],
    ['renovatebot', true],
    ['jenkins2', true],
    ['cindy', false],
    ['robert', false],
    ['sabine', false],
    ['alice', false],
  ])('looksLikeServiceAccount(%s) = %s', (login, expected) => {
    expect(looksLikeServiceAccount(login)).toBe(expected);
  });
});
