import { z } from 'zod';
import {
  array,
  either,
  type Fast,
  type FastField,
  boolish as fBoolish,
  scalarText as fScalarText,
  idText,
  looseObject,
  nonEmptyStr,
  nullish,
  recordOfUnknown,
  safeParseFast,
  str,
  UNSURE,
} from './fast-parse.js';

/**
 * One raw Google Workspace activity from the Admin SDK Reports API
 * (`activities.list`, `GET https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/{applicationName}`;
 * resource shape per the discovery document
 * https://raw.githubusercontent.com/googleapis/discovery-artifact-manager/master/discoveries/admin.reports_v1.json
 * and the per-application event references, e.g.
 * https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token ,
 * `…/login`, `…/admin-domain-settings`, `…/drive`).
 *
 * Tolerated variants (tokenwatch `shared/reference/formats.md` 2d):
 * - `id.uniqueQualifier`, `actor.profileId`, `intValue`, `multiIntValue` as JSON strings (REST) or
 *   numbers (fixtures, relays); all kept as strings (int64 overflows JS numbers);
 * - `id.time` as RFC 3339 with or without milliseconds, or the client-library leak
 *   `{"dateOnly":false,"timeZoneShift":0,"value":<epoch ms>}`; parsed later by
 *   `ingestors/common/time.ts`;
 * - `events` as an array (API), a single object (Elastic's split form), or a singular `event`
 *   (AppOmni); Panther's flattening with `name` / `type` / `parameters` (as a map) at top level;
 * - `parameters` absent, and any value kind: `value`, `multiValue`, `intValue`, `multiIntValue`,
 *   `boolValue`, `multiBoolValue`, `messageValue{parameter[]}`, `multiMessageValue[{parameter[]}]`;
 * - `actor` without `email` (profileId only) or without `callerType`; `ipAddress` absent;
 * - `null` for any optional field. Unknown fields pass through.
 */

/** An int64 that arrives as a JSON string or number; kept as a string. */
export const int64Schema = z.union([z.string(), z.number()]).transform((v) => String(v));

const scalarText = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const boolish = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true');

/** A typed name/value pair of an event (`parameters[]`). */
export interface GwsParameter {
  name: string;
  value?: string | null | undefined;
  multiValue?: string[] | null | undefined;
  intValue?: string | null | undefined;
  multiIntValue?: string[] | null | undefined;
  boolValue?: boolean | null | undefined;
  multiBoolValue?: boolean[] | null | undefined;
  messageValue?: { parameter?: GwsParameter[] | null | undefined } | null | undefined;
  multiMessageValue?: { parameter?: GwsParameter[] | null | undefined }[] | null | undefined;
  [key: string]: unknown;
}

export const gwsParameterSchema: z.ZodType<GwsParameter> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    value: scalarText.nullish(),
    multiValue: z.array(scalarText).nullish(),
    intValue: int64Schema.nullish(),
    multiIntValue: z.array(int64Schema).nullish(),
    boolValue: boolish.nullish(),
    multiBoolValue: z.array(boolish).nullish(),
    messageValue: z.looseObject({ parameter: z.array(gwsParameterSchema).nullish() }).nullish(),
    multiMessageValue: z.array(z.looseObject({ parameter: z.array(gwsParameterSchema).nullish() })).nullish(),
  }),
);

/** One `events[]` entry. `parameters` is a list (API) or a name->value map (Panther). */
export const gwsEventSchema = z.looseObject({
  type: z.string().nullish(),
  name: z.string().min(1),
  parameters: z.union([z.array(gwsParameterSchema), z.record(z.string(), z.unknown())]).nullish(),
});
export type GwsEvent = z.output<typeof gwsEventSchema>;

export const gwsActorSchema = z.looseObject({
  email: z.string().nullish(),
  profileId: int64Schema.nullish(),
  /** `USER`, `EXTERNAL_USER`, or `KEY` for OAuth 2LO requests. */
  callerType: z.string().nullish(),
  /** For OAuth 2LO API requests, the consumer key of the requestor. */
  key: z.string().nullish(),
  applicationInfo: z
    .looseObject({
      oauthClientId: int64Schema.nullish(),
      applicationName: z.string().nullish(),
      /** True for domain-wide delegation (the app acts as `email`). */
      impersonation: boolish.nullish(),
    })
    .nullish(),
});

export const gwsActivityIdSchema = z.looseObject({
  time: z.union([z.string(), z.number(), z.looseObject({ value: z.union([z.number(), z.string()]) })]),
  uniqueQualifier: int64Schema,
  applicationName: z.string().min(1),
  customerId: z.string().nullish(),
});

export const gwsActivitySchema = z.looseObject({
  kind: z.string().nullish(),
  etag: z.string().nullish(),
  id: gwsActivityIdSchema,
  actor: gwsActorSchema.nullish(),
  ownerDomain: z.string().nullish(),
  ipAddress: z.string().nullish(),
  networkInfo: z
    .looseObject({
      ipAsn: z.array(z.union([z.number(), z.string()])).nullish(),
      regionCode: z.string().nullish(),
      subdivisionCode: z.string().nullish(),
    })
    .nullish(),
  events: z.union([z.array(gwsEventSchema), gwsEventSchema]).nullish(),
  event: gwsEventSchema.nullish(),
  /** Set by tokenwatch framing: index of the single event in the original `events[]`. */
  tokenwatch_event_index: z.number().int().nonnegative().nullish(),
  // Panther's flattened form carries the event fields at top level.
  name: z.string().nullish(),
  type: z.string().nullish(),
  parameters: z.union([z.array(gwsParameterSchema), z.record(z.string(), z.unknown())]).nullish(),
});

/** A validated raw activity (possibly already split to one event). */
export type GwsActivity = z.output<typeof gwsActivitySchema>;

/**
 * Event names tokenwatch maps explicitly, per application (others are still normalized, as
 * generic `used` activity). From Google's Reports API activity references for each application.
 */
export const GWS_KNOWN_EVENTS = {
  token: ['authorize', 'revoke', 'activity', 'request'],
  login: [
    'login_success',
    'login_failure',
    'login_challenge',
    'login_verification',
    'logout',
    'suspicious_login',
    'suspicious_login_less_secure_app',
    'suspicious_programmatic_login',
    'gov_attack_warning',
    'risky_sensitive_action_allowed',
  ],
  admin: [
    'AUTHORIZE_API_CLIENT_ACCESS',
    'REMOVE_API_CLIENT_ACCESS',
    'ALLOW_SERVICE_FOR_OAUTH2_ACCESS',
    'DISALLOW_SERVICE_FOR_OAUTH2_ACCESS',
    'ADD_TO_TRUSTED_OAUTH2_APPS',
    'REMOVE_FROM_TRUSTED_OAUTH2_APPS',
    'TRUST_DOMAIN_OWNED_OAUTH2_APPS',
    'UNTRUST_DOMAIN_OWNED_OAUTH2_APPS',
    'WEAK_PROGRAMMATIC_LOGIN_SETTINGS_CHANGED',
    'CHANGE_SESSION_LENGTH',
  ],
  drive: [
    'download',
    'view',
    'edit',
    'create',
    'upload',
    'delete',
    'trash',
    'copy',
    'rename',
    'change_user_access',
  ],
} as const;

/** Applications with explicit mappings. */
export type GwsKnownApplication = keyof typeof GWS_KNOWN_EVENTS;

// Fast path (see fast-parse.ts): mirrors the schemas above construct by construct.
const fStr = nullish(str);
const fInt64 = nullish(idText);

/** `gwsParameterSchema` fields (recursive through message values). */
export const GWS_PARAMETER_FAST_FIELDS: readonly FastField[] = [
  ['name', str, false],
  ['value', nullish(fScalarText), true],
  ['multiValue', nullish(array(fScalarText)), true],
  ['intValue', fInt64, true],
  ['multiIntValue', nullish(array(idText)), true],
  ['boolValue', nullish(fBoolish), true],
  ['multiBoolValue', nullish(array(fBoolish)), true],
  ['messageValue', nullish((v) => fastMessage(v)), true],
  ['multiMessageValue', nullish((v) => fastMessages(v)), true],
];
const fastParameter: Fast<unknown> = looseObject(GWS_PARAMETER_FAST_FIELDS);
const fastParameters = array(fastParameter);
const fastMessage = looseObject([['parameter', nullish(fastParameters), true]]);
const fastMessages = array(fastMessage);
const fParams = nullish(either(fastParameters, recordOfUnknown));

export const GWS_EVENT_FAST_FIELDS: readonly FastField[] = [
  ['type', fStr, true],
  ['name', nonEmptyStr, false],
  ['parameters', fParams, true],
];
const fastEvent = looseObject(GWS_EVENT_FAST_FIELDS);

export const GWS_ACTOR_FAST_FIELDS: readonly FastField[] = [
  ['email', fStr, true],
  ['profileId', fInt64, true],
  ['callerType', fStr, true],
  ['key', fStr, true],
  [
    'applicationInfo',
    nullish(
      looseObject([
        ['oauthClientId', fInt64, true],
        ['applicationName', fStr, true],
        ['impersonation', nullish(fBoolish), true],
      ]),
    ),
    true,
  ],
];

export const GWS_ID_FAST_FIELDS: readonly FastField[] = [
  [
    'time',
    (v) =>
      typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
        ? v
        : looseObject([
            [
              'value',
              (x) => (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)) ? x : UNSURE),
              false,
            ],
          ])(v),
    false,
  ],
  ['uniqueQualifier', idText, false],
  ['applicationName', nonEmptyStr, false],
  ['customerId', fStr, true],
];

/** Index set by framing: `z.number().int().nonnegative()`, safe integers only. */
const fIndex = nullish((v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : UNSURE));

export const GWS_ACTIVITY_FAST_FIELDS: readonly FastField[] = [
  ['kind', fStr, true],
  ['etag', fStr, true],
  ['id', looseObject(GWS_ID_FAST_FIELDS), false],
  ['actor', nullish(looseObject(GWS_ACTOR_FAST_FIELDS)), true],
  ['ownerDomain', fStr, true],
  ['ipAddress', fStr, true],
  [
    'networkInfo',
    nullish(
      looseObject([
        [
          'ipAsn',
          nullish(
            array((v) =>
              typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : UNSURE,
            ),
          ),
          true,
        ],
        ['regionCode', fStr, true],
        ['subdivisionCode', fStr, true],
      ]),
    ),
    true,
  ],
  ['events', nullish(either(array(fastEvent), fastEvent)), true],
  ['event', nullish(fastEvent), true],
  ['tokenwatch_event_index', fIndex, true],
  ['name', fStr, true],
  ['type', fStr, true],
  ['parameters', fParams, true],
];

const fastActivity = looseObject(GWS_ACTIVITY_FAST_FIELDS);

/**
 * `gwsActivitySchema.safeParse(value)`, answered by a hand-written fast path for the usual shapes
 * (identical results) and by zod for everything else, errors included.
 */
export const safeParseGwsActivity = (value: unknown) => safeParseFast(gwsActivitySchema, fastActivity, value);
