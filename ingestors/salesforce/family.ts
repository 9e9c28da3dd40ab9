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
 * The family of a bare JSON object: `attributes.type` (SOQL rows), `EVENT_TYPE` (ELF rows already
 * converted to JSON), else type-specific fields: `JobId`/`BatchId` -> BulkApiResultEvent,
 * `LoginType`/`LoginUrl`/`LoginGeoId` -> LoginEvent, `DelegatedUsername` -> LoginAsEvent,
 * `Operation`/`QueriedEntities`/`ApiType` -> ApiEvent. Undefined when nothing matches.
 */
export function detectFamily(value: Record<string, unknown>): string | undefined {
  const attributes = value.attributes;
  if (attributes !== null && typeof attributes === 'object') {
    const type = (attributes as Record<string, unknown>).type;
    if (typeof type === 'string' && type !== '') return type;
  }
  if (typeof value.EVENT_TYPE === 'string') return elfFamily(value.EVENT_TYPE);
  if (has(value, 'JobId') || has(value, 'BatchId')) return 'BulkApiResultEvent';
  if (has(value, 'DelegatedUsername')) return 'LoginAsEvent';
  if (has(value, 'LoginType') || has(value, 'LoginUrl') || has(value, 'LoginGeoId')) return 'LoginEvent';
  if (has(value, 'Operation') || has(value, 'QueriedEntities') || has(value, 'ApiType')) return 'ApiEvent';
  return undefined;
}
