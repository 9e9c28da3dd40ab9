import { type TokenActivity, tokenActivitySchema } from '../schemas/token-activity.js';

/**
 * Recursive partial for fixture overrides. Arrays are replaced, never merged. A key present with
 * the value `undefined` removes that field from the fixture (e.g. `{ source: undefined }` for an
 * event without network context, `{ token: { client: undefined } }` for no OAuth client).
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

/** The fixture's default event time: Monday 2025-08-04 10:00:00 UTC, as epoch ms. */
export const FIXTURE_TIME_MS = Date.UTC(2025, 7, 4, 10, 0, 0, 0);

/** ISO 8601 UTC with milliseconds for an epoch-ms time (the `@timestamp` format). */
export const isoAt = (ms: number): string => new Date(ms).toISOString();

/**
 * A valid GitHub `git.clone` by a classic PAT of `alice@example.com`, from a residential /24 in
 * Berlin (DE), user agent `git/2.43.0`, repo `acme/api`, client `Iv1.fixture`, 1 item / 2 MiB.
 * Entities: token `github:hash:fixturetoken`, app `app:github:Iv1.fixture`,
 * owner `owner:github:alice@example.com`.
 */
const base = (): TokenActivity => ({
  '@timestamp': isoAt(FIXTURE_TIME_MS),
  event: {
    id: 'github:fixture-event',
    kind: 'event',
    category: ['api'],
    type: ['access'],
    action: 'git.clone',
    outcome: 'success',
    module: 'github',
    dataset: 'github.audit',
  },
  user: { name: 'alice', email: 'alice@example.com', id: '1001' },
  source: {
    ip: '203.0.113.10',
    geo: {
      country_iso_code: 'DE',
      city_name: 'Berlin',
      location: { lat: 52.52, lon: 13.405 },
    },
  },
  user_agent: { original: 'git/2.43.0', name: 'git', version: '2.43.0' },
  organization: { name: 'acme' },
  related: { ip: ['203.0.113.10'], user: ['alice'], hash: ['fixturetoken'] },
  token: {
    id: 'github:hash:fixturetoken',
    key_kind: 'token_hash',
    type: 'pat_classic',
    scopes: ['repo'],
    client: { id: 'Iv1.fixture', name: 'Fixture CLI' },
    lifecycle: 'used',
    owner: { name: 'alice', email: 'alice@example.com', id: '1001' },
    principal: 'human',
  },
  tokenwatch: {
    resource: { type: 'repo', name: 'acme/api' },
    volume: { items: 1, bytes: 2_097_152 },
    api_type: 'git',
    network: { ip_prefix: '203.0.113.0/24' },
  },
});

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const deepMerge = (target: Record<string, unknown>, patch: Record<string, unknown>): void => {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      delete target[key];
    } else if (isPlainObject(value) && isPlainObject(target[key])) {
      deepMerge(target[key] as Record<string, unknown>, value);
    } else {
      target[key] = isPlainObject(value) ? structuredClone(value) : Array.isArray(value) ? [...value] : value;
    }
  }
};

/**
 * A valid {@link TokenActivity} with sensible defaults (see {@link base} above: a GitHub
 * `git.clone` at {@link FIXTURE_TIME_MS}) and `overrides` deep-merged in. Also accepts a number
 * `at` (epoch ms) as a shortcut for `@timestamp`. The result is validated with the schema, so an
 * invalid override throws at the call site instead of surfacing later.
 *
 * @example activityFixture({ at: t0 + 3_600_000, source: { ip: '198.51.100.7' } })
 */
export const activityFixture = (
  overrides: DeepPartial<TokenActivity> & { at?: number } = {},
): TokenActivity => {
  const { at, ...rest } = overrides;
  const activity = base() as unknown as Record<string, unknown>;
  deepMerge(activity, rest as Record<string, unknown>);
  if (at !== undefined) activity['@timestamp'] = isoAt(at);
  return tokenActivitySchema.parse(activity);
};
