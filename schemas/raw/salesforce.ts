import { z } from 'zod';
import { type Fast, isPlainObject, safeParseFast, UNSURE } from './fast-parse.js';

/**
 * Raw Salesforce Event Monitoring records, as tokenwatch receives them before normalization.
 *
 * Two families:
 * - **EventLogFile (ELF)** CSV rows, one object per row keyed by the CSV header. Every value is a
 *   string and an empty string means "not applicable" (Salesforce Object Reference, "EventLogFile
 *   Supported Event Types": API, RestApi, BulkApi, BulkApi2, Login, LoginAs, Logout, URI,
 *   ReportExport, ...). Column order and the column set change per release, so rows are keyed by
 *   header and unknown columns pass through untouched.
 * - **Real-Time Event Monitoring (RTEM)** objects in PascalCase JSON (Platform Events Developer
 *   Guide: ApiEvent, LoginEvent, LogoutEvent, LoginAsEvent, BulkApiResultEvent), either bare, in a
 *   SOQL query page (`{totalSize, done, records:[{attributes:{type}, ...}]}`) or in a CometD
 *   streaming message (`{channel, data:{event:{replayId}, payload:{...}, schema}}`).
 *
 * The schemas validate types only. Semantic checks (timestamp format, id format, presence of a
 * principal) happen in `ingestors/salesforce/` so that each failure gets its own dead-letter code.
 */

/** The ELF columns tokenwatch reads. All optional: each event type has its own subset. */
const ELF_COLUMNS = [
  'EVENT_TYPE',
  // `yyyyMMddHHmmss.SSS` UTC; the fraction has 0 to 3 digits (`.13` = 130 ms) or is absent.
  'TIMESTAMP',
  // ISO 8601 `2023-12-18T05:48:31.655Z`; may be empty or disagree with TIMESTAMP in the ms.
  'TIMESTAMP_DERIVED',
  'REQUEST_ID',
  'ORGANIZATION_ID',
  // 15-character case-sensitive user id (some exports put the 18-character form here).
  'USER_ID',
  // 18-character case-safe user id.
  'USER_ID_DERIVED',
  'USER_NAME',
  'USER_TYPE',
  // Client IP or the literal `Salesforce.com IP` for Salesforce-internal hops.
  'CLIENT_IP',
  'SOURCE_IP',
  'SESSION_KEY',
  'LOGIN_KEY',
  'URI',
  'URI_ID_DERIVED',
  'API_TYPE',
  'API_VERSION',
  'API_FAMILY',
  'METHOD_NAME',
  'METHOD',
  'HTTP_METHOD',
  'ENTITY_NAME',
  'ENTITY_TYPE',
  'OPERATION_TYPE',
  'ROWS_PROCESSED',
  'RECORDS_PROCESSED',
  'ROW_COUNT',
  'REQUEST_SIZE',
  'RESPONSE_SIZE',
  'RESULT_SIZE_MB',
  'CLIENT_NAME',
  'USER_AGENT',
  'CONNECTED_APP_ID',
  'CONNECTED_APP_NAME',
  'STATUS_CODE',
  'REQUEST_STATUS',
  'JOB_STATUS',
  'LOGIN_STATUS',
  'LOGIN_TYPE',
  'LOGIN_SUB_TYPE',
  'BROWSER_TYPE',
  'DELEGATED_USER_ID',
  'DELEGATED_USER_ID_DERIVED',
  'DELEGATED_USER_NAME',
  'QUERY',
  'REPORT_ID',
  'REPORT_DESCRIPTION',
  'EXCEPTION_MESSAGE',
  'TLS_PROTOCOL',
  'CIPHER_SUITE',
  'REQUEST_METHOD',
] as const;

/** Column names of {@link elfRowSchema} that tokenwatch reads. */
export type ElfColumn = (typeof ELF_COLUMNS)[number];

/**
 * CSV always yields strings; rows that a vendor already converted to JSON may carry numbers,
 * booleans or null, which are turned back into their CSV string form (`null` -> `''`). Objects
 * and arrays are left alone so the schema rejects them.
 */
function toCsvStrings(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entries = Object.values(value);
  if (entries.every((v) => typeof v === 'string')) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = v === null ? '' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  }
  return out;
}

/**
 * One EventLogFile row keyed by header (any event type). Known columns are typed as strings,
 * unknown columns pass through unchanged.
 */
export const elfRowSchema = z.preprocess(
  toCsvStrings,
  z.looseObject(
    Object.fromEntries(ELF_COLUMNS.map((c) => [c, z.string().optional()])) as Record<
      ElfColumn,
      z.ZodOptional<z.ZodString>
    >,
  ),
);
/** A parsed ELF row; see {@link elfRowSchema}. */
export type ElfRow = z.infer<typeof elfRowSchema>;

/**
 * The fast path of {@link elfRowSchema} for what the CSV framing always builds: a plain object
 * whose every value is a string (no own `__proto__` key). For such a row the schema's
 * `toCsvStrings` changes nothing and every known column is a string, so zod returns the same keys
 * and values (in another key order): the row itself is the answer. Anything else: zod decides.
 */
export const fastElfRow: Fast<Record<string, unknown>> = (v) => {
  if (!isPlainObject(v)) return UNSURE;
  for (const key in v) {
    if (key === '__proto__' || typeof v[key] !== 'string') return UNSURE;
  }
  return v;
};

/**
 * `elfRowSchema.safeParse(value)`, answered by {@link fastElfRow} for all-string rows (identical
 * results) and by zod for everything else, errors included.
 */
export const safeParseElfRow = (value: unknown) => safeParseFast(elfRowSchema, fastElfRow, value);

const nullableString = z.string().nullish();
/** Numbers in RTEM objects arrive as JSON numbers, numeric strings or `"N/A"`. */
const numberish = z.union([z.number(), z.string()]).nullish();

/** Fields shared by the RTEM event objects tokenwatch reads (storage objects and stream payloads). */
/**
 * RTEM dates: `2021-10-19T11:47:22Z` or `2024-07-08T07:26:18.239+0000` (offset without a colon)
 * from SOQL and CometD; epoch milliseconds (a number) from the Pub/Sub API, whose Avro schemas
 * declare them `long` (`timestamp-millis`).
 */
const rtemDate = z.union([z.string(), z.number()]).nullish();

const rtemBaseShape = {
  EventDate: rtemDate,
  CreatedDate: rtemDate,
  /** Primary key of the event; the `Id` of streamed events is a placeholder. */
  EventIdentifier: nullableString,
  /** 18-character user id. */
  UserId: nullableString,
  Username: nullableString,
  SessionKey: nullableString,
  LoginKey: nullableString,
  SourceIp: nullableString,
  UserAgent: nullableString,
  UserType: nullableString,
  SessionLevel: nullableString,
  LoginHistoryId: nullableString,
  PolicyId: nullableString,
  PolicyOutcome: nullableString,
  attributes: z.looseObject({ type: z.string().optional(), url: z.string().nullish() }).optional(),
};

/**
 * `ApiEvent` / `ApiEventStream`: user-initiated read-only API calls (query, queryMore, count) over
 * SOAP, REST and Bulk API (Platform Events Developer Guide, "ApiEvent").
 */
export const apiEventSchema = z.looseObject({
  ...rtemBaseShape,
  ApiType: nullableString,
  /** A number (`51`) or `"N/A"`. */
  ApiVersion: numberish,
  Application: nullableString,
  Client: nullableString,
  ConnectedAppId: nullableString,
  Operation: nullableString,
  QueriedEntities: nullableString,
  Query: nullableString,
  RowsProcessed: numberish,
  RowsReturned: numberish,
  /** A JSON string (`{"totalSize":1,"records":[...]}`), parsed separately. */
  Records: z.union([z.string(), z.looseObject({})]).nullish(),
  ElapsedTime: numberish,
});
/** A parsed ApiEvent; see {@link apiEventSchema}. */
export type ApiEvent = z.infer<typeof apiEventSchema>;

/** `LoginEvent` / `LoginEventStream`: login attempts (Platform Events Developer Guide, "LoginEvent"). */
export const loginEventSchema = z.looseObject({
  ...rtemBaseShape,
  ApiType: nullableString,
  ApiVersion: numberish,
  Application: nullableString,
  Browser: nullableString,
  Platform: nullableString,
  ConnectedAppId: nullableString,
  Client: nullableString,
  /** `Remote Access 2.0` (OAuth), `Application` (UI), `Other Apex API`, `SAML Sfdc Initiated SSO`, ... */
  LoginType: nullableString,
  LoginUrl: nullableString,
  /** `Success`, `Failed: Missing Consumer Key Parameter`, `Password Lockout`, ... */
  Status: nullableString,
  CountryIso: nullableString,
});
/** A parsed LoginEvent; see {@link loginEventSchema}. */
export type LoginEvent = z.infer<typeof loginEventSchema>;

/** `LogoutEvent` / `LogoutEventStream`: UI logouts. */
export const logoutEventSchema = z.looseObject({ ...rtemBaseShape });
/** A parsed LogoutEvent; see {@link logoutEventSchema}. */
export type LogoutEvent = z.infer<typeof logoutEventSchema>;

/** `LoginAsEvent` / `LoginAsEventStream`: an admin logs in as another user. */
export const loginAsEventSchema = z.looseObject({
  ...rtemBaseShape,
  Application: nullableString,
  /** Username of the admin who logs in as another user (the impersonator). */
  DelegatedUsername: nullableString,
  DelegatedOrganizationId: nullableString,
  LoginType: nullableString,
  TargetUrl: nullableString,
});
/** A parsed LoginAsEvent; see {@link loginAsEventSchema}. */
export type LoginAsEvent = z.infer<typeof loginAsEventSchema>;

/** `BulkApiResultEvent`: a user downloads the results of a Bulk API / Bulk API 2.0 job. */
export const bulkApiResultEventSchema = z.looseObject({
  ...rtemBaseShape,
  Query: nullableString,
  JobId: nullableString,
  BatchId: nullableString,
  ConnectedAppId: nullableString,
  Application: nullableString,
  RowsProcessed: numberish,
  Records: z.union([z.string(), z.looseObject({})]).nullish(),
});
/** A parsed BulkApiResultEvent; see {@link bulkApiResultEventSchema}. */
export type BulkApiResultEvent = z.infer<typeof bulkApiResultEventSchema>;

/** `ReportEvent` / `ReportEventStream`: a report is run or exported (Platform Events Developer Guide). */
export const reportEventSchema = z.looseObject({
  ...rtemBaseShape,
  /** 15- or 18-character report id (`00O` key prefix). */
  ReportId: nullableString,
  Name: nullableString,
  /** `ReportExported`, `ReportRunFromLightning`, ... */
  Operation: nullableString,
  QueriedEntities: nullableString,
  RowsProcessed: numberish,
  Application: nullableString,
  ConnectedAppId: nullableString,
});
/** A parsed ReportEvent; see {@link reportEventSchema}. */
export type ReportEvent = z.infer<typeof reportEventSchema>;

/**
 * `UriEvent` / `UriEventStream`: a user creates, reads, updates or deletes a record in Salesforce
 * Classic (Platform Events Developer Guide, "UriEvent"); the twin of the URI EventLogFile type.
 */
export const uriEventSchema = z.looseObject({
  ...rtemBaseShape,
  /** `Read`, `Create`, `Update`, `Delete`. */
  Operation: nullableString,
  /** `SUCCESS` / `FAILURE` (Create and Update are logged twice: start, then result). */
  OperationStatus: nullableString,
  QueriedEntities: nullableString,
  RecordId: nullableString,
  Name: nullableString,
  Message: nullableString,
});

/**
 * `LightningUriEvent` / `LightningUriEventStream`: a page view in Lightning Experience or the
 * mobile app (Platform Events Developer Guide, "LightningUriEvent"); the twin of the
 * LightningPageView / URI EventLogFile types.
 */
export const lightningUriEventSchema = z.looseObject({
  ...rtemBaseShape,
  Operation: nullableString,
  OperationStatus: nullableString,
  QueriedEntities: nullableString,
  RecordId: nullableString,
  PageUrl: nullableString,
  PreviousPageUrl: nullableString,
  AppName: nullableString,
  ConnectionType: nullableString,
  DeviceModel: nullableString,
  OsName: nullableString,
  OsVersion: nullableString,
  Duration: numberish,
  EffectivePageTime: numberish,
});

/**
 * `ListViewEvent` / `ListViewEventStream`: a user views a list view (Platform Events Developer
 * Guide, "ListViewEvent"); rows shown are `RowsProcessed`.
 */
export const listViewEventSchema = z.looseObject({
  ...rtemBaseShape,
  ListViewId: nullableString,
  Name: nullableString,
  /** `API`, `Classic`, `Lightning`. */
  EventSource: nullableString,
  QueriedEntities: nullableString,
  RowsProcessed: numberish,
  Application: nullableString,
  ConnectedAppId: nullableString,
});

/** RTEM object types tokenwatch normalizes, with their schema. */
export const RTEM_SCHEMAS = {
  UriEvent: uriEventSchema,
  LightningUriEvent: lightningUriEventSchema,
  ListViewEvent: listViewEventSchema,
  ApiEvent: apiEventSchema,
  LoginEvent: loginEventSchema,
  LogoutEvent: logoutEventSchema,
  LoginAsEvent: loginAsEventSchema,
  BulkApiResultEvent: bulkApiResultEventSchema,
  ReportEvent: reportEventSchema,
} as const;
/** An RTEM object type tokenwatch normalizes. */
export type RtemType = keyof typeof RTEM_SCHEMAS;

/**
 * A CometD / Streaming API message: `{channel:"/event/ApiEventStream", data:{event:{replayId},
 * payload:{...}, schema}}`. Meta channels (`/meta/handshake`, `/meta/connect`) have no payload.
 */
export const streamingEnvelopeSchema = z.looseObject({
  channel: z.string(),
  data: z
    .looseObject({
      event: z.looseObject({ replayId: z.union([z.number(), z.string()]).nullish() }).optional(),
      payload: z.record(z.string(), z.unknown()),
      schema: z.string().nullish(),
    })
    .optional(),
});
/** A parsed streaming message; see {@link streamingEnvelopeSchema}. */
export type StreamingEnvelope = z.infer<typeof streamingEnvelopeSchema>;

/** A SOQL query response page (REST API `query` / `queryMore`). */
export const soqlEnvelopeSchema = z.looseObject({
  totalSize: z.number().optional(),
  done: z.boolean().optional(),
  nextRecordsUrl: z.string().nullish(),
  records: z.array(z.unknown()),
});
/**
 * A Pub/Sub API event after the subscriber decoded its Avro payload with the topic's schema and
 * wrote it as JSON (what the Salesforce Pub/Sub API client examples print): `{replayId, payload}`
 * with optional `id` (EventUuid), `schemaId` and topic name. The payload is the event object,
 * possibly in the Avro JSON encoding (unions as `{"string": "..."}`, dates as epoch ms).
 * https://developer.salesforce.com/docs/platform/pub-sub-api/guide/event-deserialization-considerations.html
 */
export const pubSubEventSchema = z.looseObject({
  replayId: z.union([z.number(), z.string()]).nullish(),
  replay_id: z.union([z.number(), z.string()]).nullish(),
  payload: z.record(z.string(), z.unknown()),
  schemaId: z.string().nullish(),
  topicName: z.string().nullish(),
});
/** A parsed Pub/Sub API event; see {@link pubSubEventSchema}. */
export type PubSubEvent = z.infer<typeof pubSubEventSchema>;

/** A parsed SOQL page; see {@link soqlEnvelopeSchema}. */
export type SoqlEnvelope = z.infer<typeof soqlEnvelopeSchema>;
