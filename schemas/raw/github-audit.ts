import { z } from 'zod';
import {
  array,
  boolish,
  either,
  type FastField,
  idText,
  looseObject,
  nonEmptyStr,
  nullish,
  numOrStr,
  safeParseFast,
  str,
} from './fast-parse.js';

/**
 * One raw GitHub audit-log event, as the REST API (`GET /enterprises/{enterprise}/audit-log`,
 * `GET /orgs/{org}/audit-log`), the JSON export and audit-log streaming emit it: a flat
 * snake_case object. Follows GitHub's field pool (github/docs
 * `src/audit-logs/data/shared/fields-pool.json`, rendered at
 * https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise)
 * and "Identifying audit log events performed by an access token"
 * (https://docs.github.com/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/identifying-audit-log-events-performed-by-an-access-token).
 *
 * Only `action` is required. Unknown fields pass through (per-event extras). Type drift seen in
 * real and vendor-relayed data is tolerated (tokenwatch `shared/reference/formats.md` 1e):
 * - ids as integers or strings (normalized to strings);
 * - `org` as a string or an array, `org_id` as an id or an array of ids (user security log);
 * - `@timestamp` / `created_at` as epoch milliseconds or seconds, or a string (Panther
 *   `"2023-11-20 21:20:09.423"`, also under Panther's `at_sign_timestamp`); the value is kept
 *   raw here and interpreted by `ingestors/common/time.ts`;
 * - `actor_location` in the current `{country_code}` shape or the older `{country_name, ip}`;
 * - `token_scopes` as the usual comma-separated string or an already split array;
 * - `null` for any optional field.
 */

/** An id that arrives as an integer or a string; kept as a string. */
export const githubIdSchema = z.union([z.number(), z.string()]).transform((v) => String(v));

/** A raw timestamp: epoch ms / s number, a string, or a `{value}` wrapper. Parsed later. */
export const githubTimestampSchema = z.union([
  z.number(),
  z.string(),
  z.looseObject({ value: z.union([z.number(), z.string()]) }),
]);

const flag = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true');

/** `actor_location`: `{"country_code":"US"}` (current) or `{"country_name":…, "ip":…}` (older). */
export const githubActorLocationSchema = z.looseObject({
  country_code: z.string().nullish(),
  country_name: z.string().nullish(),
  ip: z.string().nullish(),
});

export const githubAuditEventSchema = z.looseObject({
  /** `category.operation`, e.g. `repo.create`, `git.clone`, `oauth_access.create`. */
  action: z.string().min(1),
  '@timestamp': githubTimestampSchema.nullish(),
  at_sign_timestamp: githubTimestampSchema.nullish(),
  created_at: githubTimestampSchema.nullish(),
  /** Event id for dedup (base64url-like). */
  _document_id: z.string().nullish(),
  operation_type: z.string().nullish(),
  actor: z.string().nullish(),
  actor_id: githubIdSchema.nullish(),
  actor_is_bot: flag.nullish(),
  actor_is_agent: flag.nullish(),
  actor_ip: z.string().nullish(),
  actor_location: githubActorLocationSchema.nullish(),
  /** The affected user, not the actor. */
  user: z.string().nullish(),
  user_id: githubIdSchema.nullish(),
  user_agent: z.string().nullish(),
  /** base64(SHA-256(raw token)); treated as an opaque key (fixtures hold placeholders). */
  hashed_token: z.string().nullish(),
  token_id: githubIdSchema.nullish(),
  /** Token type wording, e.g. `Personal access token (classic)`, `OAuth access token`. */
  programmatic_access_type: z.string().nullish(),
  token_scopes: z.union([z.string(), z.array(z.string())]).nullish(),
  oauth_application_id: githubIdSchema.nullish(),
  oauth_application: z.string().nullish(),
  oauth_application_name: z.string().nullish(),
  /** GitHub App name (slug) for GitHub App events. */
  integration: githubIdSchema.nullish(),
  user_programmatic_access_name: z.string().nullish(),
  user_programmatic_access_id: githubIdSchema.nullish(),
  repository_selection: z.string().nullish(),
  business: z.string().nullish(),
  business_id: githubIdSchema.nullish(),
  org: z.union([z.string(), z.array(z.string())]).nullish(),
  org_id: z.union([githubIdSchema, z.array(githubIdSchema)]).nullish(),
  repo: z.string().nullish(),
  repo_id: githubIdSchema.nullish(),
  repository: z.string().nullish(),
  repository_id: githubIdSchema.nullish(),
  public_repo: flag.nullish(),
  visibility: z.string().nullish(),
  request_id: z.string().nullish(),
  /** `api` or `other` on `api.request`. */
  request_category: z.string().nullish(),
  request_method: z.string().nullish(),
  route: z.string().nullish(),
  status_code: z.union([z.number(), z.string()]).nullish(),
  transport_protocol: z.union([z.number(), z.string()]).nullish(),
  transport_protocol_name: z.string().nullish(),
  external_identity_nameid: z.string().nullish(),
  external_identity_username: z.string().nullish(),
});

/** A validated raw GitHub audit event (ids as strings, unknown fields kept). */
export type GithubAuditEvent = z.output<typeof githubAuditEventSchema>;

// Fast path (see fast-parse.ts): mirrors githubAuditEventSchema field by field.
const fId = nullish(idText);
const fStr = nullish(str);
const fTime = nullish(either(numOrStr, looseObject([['value', numOrStr, false]])));
const fFlag = nullish(boolish);
const fStrOrList = nullish(either(str, array(str)));

/** Fields of the fast path, in the schema's shape order (checked by fast-parse.test.ts). */
export const GITHUB_FAST_FIELDS: readonly FastField[] = [
  ['action', nonEmptyStr, false],
  ['@timestamp', fTime, true],
  ['at_sign_timestamp', fTime, true],
  ['created_at', fTime, true],
  ['_document_id', fStr, true],
  ['operation_type', fStr, true],
  ['actor', fStr, true],
  ['actor_id', fId, true],
  ['actor_is_bot', fFlag, true],
  ['actor_is_agent', fFlag, true],
  ['actor_ip', fStr, true],
  [
    'actor_location',
    nullish(
      looseObject([
        ['country_code', fStr, true],
        ['country_name', fStr, true],
        ['ip', fStr, true],
      ]),
    ),
    true,
  ],
  ['user', fStr, true],
  ['user_id', fId, true],
  ['user_agent', fStr, true],
  ['hashed_token', fStr, true],
  ['token_id', fId, true],
  ['programmatic_access_type', fStr, true],
  ['token_scopes', fStrOrList, true],
  ['oauth_application_id', fId, true],
  ['oauth_application', fStr, true],
  ['oauth_application_name', fStr, true],
  ['integration', fId, true],
  ['user_programmatic_access_name', fStr, true],
  ['user_programmatic_access_id', fId, true],
  ['repository_selection', fStr, true],
  ['business', fStr, true],
  ['business_id', fId, true],
  ['org', fStrOrList, true],
  ['org_id', nullish(either(idText, array(idText))), true],
  ['repo', fStr, true],
  ['repo_id', fId, true],
  ['repository', fStr, true],
  ['repository_id', fId, true],
  ['public_repo', fFlag, true],
  ['visibility', fStr, true],
  ['request_id', fStr, true],
  ['request_category', fStr, true],
  ['request_method', fStr, true],
  ['route', fStr, true],
  ['status_code', nullish(numOrStr), true],
  ['transport_protocol', nullish(numOrStr), true],
  ['transport_protocol_name', fStr, true],
  ['external_identity_nameid', fStr, true],
  ['external_identity_username', fStr, true],
];

const fastGithubAuditEvent = looseObject(GITHUB_FAST_FIELDS);

/**
 * `githubAuditEventSchema.safeParse(value)`, answered by a hand-written fast path for the usual
 * shapes (identical results) and by zod for everything else, errors included.
 */
export const safeParseGithubAuditEvent = (value: unknown) =>
  safeParseFast(githubAuditEventSchema, fastGithubAuditEvent, value);
