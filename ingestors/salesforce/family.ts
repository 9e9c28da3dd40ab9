/**
 * Which Salesforce log family a record belongs to (`RawRecord.family`):
 * - `EventLogFile:<EVENT_TYPE>` for ELF rows (`EventLogFile` alone when the type is unknown),
 * - the RTEM object type (`ApiEvent`, `LoginEvent`, `BulkApiResultEvent`, ...) for JSON events,
 * - {@link META_FAMILY} for CometD meta-channel messages (handshake, connect) that carry no event.
 */

/** Family of CometD `/meta/*` messages; the normalizer skips them. */
export const META_FAMILY = 'cometd:meta';

/** Prefix of ELF families. */
export const ELF_PREFIX = 'EventLogFile';

/** ELF event types that can be recognised in a file name when the CSV has no EVENT_TYPE column. */
export const KNOWN_ELF_TYPES = [
  'API',
  'ApexRestApi',
  'ApexSoap',
  'ApiTotalUsage',
  'AuraRequest',
  'BulkApi',
  'BulkApi2',
  'BulkApiRequest',
  'ContentTransfer',
  'HostnameRedirects',
  'LightningPageView',
  'Login',
  'LoginAs',
  'Logout',
  'MetadataApiOperation',
  'Report',
  'ReportExport',
  'RestApi',
  'URI',
  'VisualforceRequest',
] as const;

/** `EventLogFile:<type>`, or `EventLogFile` when the type is unknown. */
export function elfFamily(eventType: string | undefined): string {
  const t = eventType?.trim();
  return t === undefined || t === '' ? ELF_PREFIX : `${ELF_PREFIX}:${t}`;
}

/** The ELF event type of an `EventLogFile:<type>` family, else undefined. */
export function elfTypeOfFamily(family: string | undefined): string | undefined {
  if (family === undefined || !family.startsWith(`${ELF_PREFIX}:`)) return undefined;
  const t = family.slice(ELF_PREFIX.length + 1).trim();
  return t === '' ? undefined : t;
}

/**
 * The ELF event type named in a file name or location (`logs/2024-05-01_RestApi.csv`,
 * `EventLogFile-BulkApi2-0AT5j000.csv`): the first path token, split on non-alphanumerics, that
 * equals a {@link KNOWN_ELF_TYPES} name exactly (case-sensitive, so `api` in a path does not match).
 */
export function elfTypeFromLocation(location: string): string | undefined {
  const base = location.split(/[\\/]/).pop() ?? location;
  const tokens = base.split(/[^A-Za-z0-9]+/);
  return tokens.find((t) => (KNOWN_ELF_TYPES as readonly string[]).includes(t));
}

/**
 * RTEM object type of a streaming channel: `/event/ApiEventStream` -> `ApiEvent`,
 * `/event/BulkApiResultEvent` -> `BulkApiResultEvent`; `/meta/*` -> {@link META_FAMILY}.
 */
export function typeFromChannel(channel: string): string | undefined {
  if (channel.startsWith('/meta/')) return META_FAMILY;
  const m = /^\/event\/([A-Za-z0-9_]+?)(?:Stream)?$/.exec(channel);
  return m?.[1];
}

function has(value: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(value, key) && value[key] !== undefined;
}

/**
 * Every field of a LogoutEvent / LogoutEventStream (Platform Events Developer Guide, "LogoutEvent",
 * "LogoutEventStream"), plus record metadata. LogoutEvent has no field of its own: a bare object
 * is one when it has an `EventIdentifier`, a session (`LoginKey` / `SessionKey`) and nothing else.
 */
const LOGOUT_FIELDS = new Set([
  'attributes',
  'Id',
  'CreatedById',
  'CreatedDate',
  'EventDate',
  'EventIdentifier',
  'EventUuid',
  'LoginKey',
  'ProfileId',
  'RelatedEventIdentifier',
  'ReplayId',
  'RoleId',
  'SessionKey',
  'SessionLevel',
  'SourceIp',
  'UserId',
  'Username',
  'UserType',
]);

function isBareLogout(value: Record<string, unknown>): boolean {
  if (!has(value, 'EventIdentifier') || !(has(value, 'LoginKey') || has(value, 'SessionKey'))) return false;
  for (const key in value) if (!LOGOUT_FIELDS.has(key)) return false;
  return true;
}

/**
 * The family of a bare JSON object: `attributes.type` (SOQL rows), `EVENT_TYPE` (ELF rows already
 * converted to JSON), else type-specific fields (Platform Events Developer Guide field lists):
 * `LogFile` + `EventType` -> EventLogFile (a metadata row), `JobId`/`BatchId` ->
 * BulkApiResultEvent, `DelegatedUsername` -> LoginAsEvent, `LoginType`/`LoginUrl`/`LoginGeoId` ->
 * LoginEvent, `ListViewId` -> ListViewEvent, `ReportId` -> ReportEvent, `PageUrl` /
 * `PreviousPageUrl` / `EffectivePageTime` -> LightningUriEvent, `RecordId` or `OperationStatus`
 * -> UriEvent, `Operation`/`QueriedEntities`/`ApiType` -> ApiEvent, only LogoutEvent's fields ->
 * LogoutEvent. Undefined when nothing matches.
 */
export function detectFamily(value: Record<string, unknown>): string | undefined {
  const attributes = value.attributes;
  if (attributes !== null && typeof attributes === 'object') {
    const type = (attributes as Record<string, unknown>).type;
    if (typeof type === 'string' && type !== '') return type;
  }
  if (typeof value.EVENT_TYPE === 'string') return elfFamily(value.EVENT_TYPE);
  if (typeof value.LogFile === 'string' && has(value, 'EventType')) return ELF_PREFIX;
  if (has(value, 'JobId') || has(value, 'BatchId')) return 'BulkApiResultEvent';
  if (has(value, 'DelegatedUsername')) return 'LoginAsEvent';
  if (has(value, 'LoginType') || has(value, 'LoginUrl') || has(value, 'LoginGeoId')) return 'LoginEvent';
  if (has(value, 'ListViewId')) return 'ListViewEvent';
  if (has(value, 'ReportId')) return 'ReportEvent';
  if (has(value, 'PageUrl') || has(value, 'PreviousPageUrl') || has(value, 'EffectivePageTime'))
    return 'LightningUriEvent';
  if (!has(value, 'ApiType') && (has(value, 'RecordId') || has(value, 'OperationStatus'))) return 'UriEvent';
  if (has(value, 'Operation') || has(value, 'QueriedEntities') || has(value, 'ApiType')) return 'ApiEvent';
  if (isBareLogout(value)) return 'LogoutEvent';
  return undefined;
}

/** RTEM object names recognised in a file name (`LogoutEvent.json`, `ApiEventStream-0001.ndjson`). */
const RTEM_NAMES = [
  'ApiEvent',
  'BulkApiResultEvent',
  'LightningUriEvent',
  'ListViewEvent',
  'LoginAsEvent',
  'LoginEvent',
  'LogoutEvent',
  'ReportEvent',
  'UriEvent',
] as const;

/**
 * The RTEM object type named in a location's file name (`exports/LogoutEvent-2025-06.json`,
 * `LoginEventStream.ndjson:3`): a name token equal to an RTEM object or stream name.
 */
export function rtemTypeFromLocation(location: string): string | undefined {
  const base = location.split(/[\\/]/).pop() ?? location;
  for (const token of base.split(/[^A-Za-z0-9]+/)) {
    const t = token.endsWith('Stream') ? token.slice(0, -'Stream'.length) : token;
    if ((RTEM_NAMES as readonly string[]).includes(t)) return t;
  }
  return undefined;
}

/** Avro primitive type names: the keys of a union value in the Avro JSON encoding. */
const AVRO_PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * Unwraps Avro JSON-encoded union values (Avro 1.11 specification, "JSON Encoding": a non-null
 * union value is `{"<type>": value}`) in an event's top-level fields: `{"string": "Success"}` ->
 * `"Success"`, `{"long": 1700000000000}` -> `1700000000000`. Returns the same object when nothing
 * is wrapped, else a copy.
 */
export function unwrapAvroUnions(value: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const v = value[key];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const keys = Object.keys(v);
    if (keys.length !== 1 || !AVRO_PRIMITIVES.has(keys[0] as string)) continue;
    out ??= { ...value };
    out[key] = (v as Record<string, unknown>)[keys[0] as string];
  }
  return out ?? value;
}
