import { type ElfRow, safeParseElfRow } from '../../schemas/raw/salesforce.js';
import type { SecretExposure } from '../../schemas/token-activity.js';
import { SALESFORCE_ELF_OPERATION_FIELDS, salesforceEventId } from '../common/ids.js';
import { canonicalIp } from '../common/ip.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { buildActivity } from './activity.js';
import { deadFromValue, skipped } from './dead-letter.js';
import { SalesforceTimestampError } from './errors.js';
import type { SalesforceFacts } from './facts.js';
import { elfFamily, elfTypeOfFamily } from './family.js';
import { tryCanonicalId18 } from './ids.js';
import {
  apiTypeFromCode,
  apiTypeFromElfType,
  apiTypeFromName,
  type EventClass,
  elfClass,
  elfSkipReason,
  isGuestUserType,
  type Outcome,
  outcomeFromHttpStatus,
  outcomeFromJobStatus,
  outcomeFromLoginStatus,
  outcomeFromRequestStatus,
} from './mapping.js';
import { isSessionKeyField, redactSecretsInText } from './redact.js';
import { parseAnySalesforceTimestamp, parseSalesforceIso } from './time.js';
import { cleanUserAgent } from './user-agent.js';
import {
  count,
  distinct,
  entities,
  entityFromQuery,
  name,
  reportIdFromUri,
  text,
  uriPath,
} from './values.js';

/**
 * Normalization of EventLogFile rows (Object Reference, "EventLogFile Supported Event Types").
 * Column meanings follow the per-type pages: Login, Logout, LoginAs, API (SOAP), RestApi, BulkApi,
 * BulkApi2, ApiTotalUsage, URI, ReportExport.
 */

/** `API_VERSION` Salesforce logs for logins that did not go through an API. */
const NON_API_VERSION = /^9998(\.0*)?$/;

/**
 * Event time: `TIMESTAMP` (`yyyyMMddHHmmss.SSS`, or a vendor's ISO rewrite) preferred; when it is
 * empty or unparseable, `TIMESTAMP_DERIVED`. Throws {@link SalesforceTimestampError} when neither
 * parses.
 */
export function elfTimestamp(row: ElfRow): string {
  const raw = text(row.TIMESTAMP);
  const derived = text(row.TIMESTAMP_DERIVED);
  let first: unknown;
  if (raw !== undefined) {
    try {
      return parseAnySalesforceTimestamp(raw);
    } catch (err) {
      first = err;
    }
  }
  if (derived !== undefined) {
    try {
      return parseSalesforceIso(derived);
    } catch (err) {
      if (first === undefined) throw err;
      throw new SalesforceTimestampError(
        `${raw} / ${derived}`,
        'a valid TIMESTAMP or TIMESTAMP_DERIVED (TIMESTAMP / TIMESTAMP_DERIVED)',
      );
    }
  }
  if (first instanceof SalesforceTimestampError) throw first;
  throw new SalesforceTimestampError('', 'present: TIMESTAMP and TIMESTAMP_DERIVED are both empty');
}

/**
 * event.id per IDS.md: `salesforce:<EVENT_TYPE>:<REQUEST_ID>:<hex 16 of timestamp|user|operation>`
 * (Salesforce documents REQUEST_ID as shared by every event of one transaction), else a hash of
 * the whole row. `timestamp` is the normalized event time, `user` the canonical user id or name.
 */
export function elfEventId(
  eventType: string,
  row: ElfRow,
  timestamp: string,
  user: string | undefined,
): string {
  return salesforceEventId({
    eventType,
    requestId: text(row.REQUEST_ID),
    timestamp,
    user,
    operation: SALESFORCE_ELF_OPERATION_FIELDS.map((k) => text(row[k])),
    record: row,
  });
}

function outcomeOf(cls: EventClass, row: ElfRow, httpStatus: number | undefined): Outcome {
  if (cls === 'login') {
    return (
      outcomeFromLoginStatus(row.LOGIN_STATUS) ?? outcomeFromRequestStatus(row.REQUEST_STATUS) ?? 'unknown'
    );
  }
  // The Logout event type records completed logouts and has no status column.
  if (cls === 'logout') return outcomeFromRequestStatus(row.REQUEST_STATUS) ?? 'success';
  return (
    outcomeFromHttpStatus(httpStatus) ??
    outcomeFromRequestStatus(row.REQUEST_STATUS) ??
    outcomeFromJobStatus(row.JOB_STATUS) ??
    (text(row.EXCEPTION_MESSAGE) !== undefined ? 'failure' : 'unknown')
  );
}

function apiTypeOf(cls: EventClass, eventType: string, row: ElfRow): string | undefined {
  if (cls === 'api') {
    return apiTypeFromElfType(eventType) ?? apiTypeFromName(row.API_FAMILY) ?? apiTypeFromCode(row.API_TYPE);
  }
  if (cls === 'login' && isApiLogin(row)) return apiTypeFromCode(row.API_TYPE);
  return undefined;
}

/** A Login row for an API login: an API type and a real API version (UI logins log 9998.0). */
function isApiLogin(row: ElfRow): boolean {
  const version = text(row.API_VERSION);
  return text(row.API_TYPE) !== undefined && version !== undefined && !NON_API_VERSION.test(version);
}

/**
 * Resource: for report events the report (canonical 18-char id from REPORT_ID or the URI); else
 * the sObjects (ENTITY_NAME, ENTITY_TYPE, or the FROM of QUERY); else the SOAP method / Bulk
 * operation of API events; else the URI path of UI events.
 */
function resourceOf(cls: EventClass, row: ElfRow): SalesforceFacts['resource'] {
  if (cls === 'file') {
    const report = text(row.REPORT_ID) ?? reportIdFromUri(row.URI);
    if (report !== undefined) return { type: 'report', name: tryCanonicalId18(report) ?? report };
  }
  const entity = entities(row.ENTITY_NAME) ?? entities(row.ENTITY_TYPE) ?? entityFromQuery(row.QUERY);
  if (entity !== undefined) return { type: 'sobject', name: entity };
  if (cls === 'api') {
    const method = text(row.METHOD_NAME) ?? text(row.OPERATION_TYPE);
    if (method !== undefined) return { type: 'api_method', name: method };
  }
  const path = uriPath(row.URI);
  if (path !== undefined && cls !== 'login' && cls !== 'logout') return { type: 'uri', name: path };
  return undefined;
}

function bytesOf(row: ElfRow): number | undefined {
  const response = count(row.RESPONSE_SIZE);
  if (response !== undefined) return response;
  const mb = count(row.RESULT_SIZE_MB);
  return mb === undefined ? undefined : Math.round(mb * 1024 * 1024);
}

/**
 * Access tokens leaked into any column (e.g. a frontdoor URI with `sid=`), as exposures. The
 * access-token pattern needs a `!` (org id `!` secret), so a value without one is not scanned.
 */
function exposuresIn(row: Record<string, unknown>): SecretExposure[] {
  const found: SecretExposure[] = [];
  for (const column in row) {
    const value = row[column];
    if (typeof value === 'string' && value.includes('!') && !isSessionKeyField(column))
      redactSecretsInText(value, column, found);
  }
  return found;
}

/**
 * Normalizes one ELF row (a RawRecord whose family is `EventLogFile[:<type>]` or whose value has
 * `EVENT_TYPE`). Results:
 * - dead `schema_invalid`: a value is not a string/number, or no event type is known;
 * - skipped: event types that are not token activity (HostnameRedirects, telemetry types) and
 *   guest-user rows (anonymous site visitors have no credential);
 * - dead `no_principal`: no user id and no user name;
 * - dead `bad_timestamp`: neither TIMESTAMP nor TIMESTAMP_DERIVED parses;
 * - activity otherwise.
 */
export function normalizeElf(record: RawRecord): NormalizeResult {
  const parsed = safeParseElfRow(record.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason =
      `ELF row does not match the schema: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
    return { kind: 'dead', dead: deadFromValue('schema_invalid', reason, record.value, record.location) };
  }
  const row = parsed.data;
  const eventType = text(row.EVENT_TYPE) ?? elfTypeOfFamily(record.family);
  if (eventType === undefined) {
    const reason = 'ELF row has no EVENT_TYPE and the file gave no event type';
    return { kind: 'dead', dead: deadFromValue('schema_invalid', reason, record.value, record.location) };
  }
  const cls = elfClass(eventType);
  if (cls === undefined)
    return { kind: 'skipped', skipped: skipped(elfSkipReason(eventType), record.location) };
  if (isGuestUserType(row.USER_TYPE)) {
    return {
      kind: 'skipped',
      skipped: skipped('guest user (anonymous site visitor): no credential', record.location),
    };
  }

  const userId = tryCanonicalId18(row.USER_ID) ?? tryCanonicalId18(row.USER_ID_DERIVED);
  const userName = text(row.USER_NAME);
  if (userId === undefined && userName === undefined) {
    const given = text(row.USER_ID);
    const reason =
      given === undefined
        ? 'row has no USER_ID, USER_ID_DERIVED or USER_NAME'
        : `USER_ID ${JSON.stringify(given)} is not a Salesforce id`;
    return { kind: 'dead', dead: deadFromValue('no_principal', reason, record.value, record.location) };
  }

  let timestamp: string;
  try {
    timestamp = elfTimestamp(row);
  } catch (err) {
    return {
      kind: 'dead',
      dead: deadFromValue('bad_timestamp', (err as Error).message, record.value, record.location),
    };
  }

  const sourceIp = canonicalIp(row.SOURCE_IP);
  const clientIp = canonicalIp(row.CLIENT_IP);
  const httpStatus = count(row.STATUS_CODE);
  const uri = text(row.URI);
  const facts: SalesforceFacts = {
    eventType,
    provider: elfFamily(eventType),
    eventClass: cls,
    eventId: elfEventId(eventType, row, timestamp, userId ?? userName),
    timestamp,
    userId,
    userName,
    orgId: tryCanonicalId18(row.ORGANIZATION_ID),
    loginKey: text(row.LOGIN_KEY),
    sessionKey: text(row.SESSION_KEY),
    sourceIp: sourceIp ?? clientIp,
    ips: distinct([sourceIp, clientIp]),
    userAgent: cleanUserAgent(row.USER_AGENT) ?? cleanUserAgent(row.BROWSER_TYPE),
    connectedAppId: tryCanonicalId18(row.CONNECTED_APP_ID),
    clientName: name(row.CONNECTED_APP_NAME) ?? name(row.CLIENT_NAME),
    loginType: text(row.LOGIN_TYPE),
    oauthTokenEndpoint: cls === 'login' && uri !== undefined && /\/services\/oauth2\/token\b/i.test(uri),
    apiLogin: cls === 'login' && isApiLogin(row),
    apiType: apiTypeOf(cls, eventType, row),
    resource: resourceOf(cls, row),
    rows: count(row.ROWS_PROCESSED) ?? count(row.RECORDS_PROCESSED) ?? count(row.ROW_COUNT),
    bytes: bytesOf(row),
    outcome: outcomeOf(cls, row, httpStatus),
    httpStatus,
    delegatedUserId:
      tryCanonicalId18(row.DELEGATED_USER_ID_DERIVED) ?? tryCanonicalId18(row.DELEGATED_USER_ID),
    delegatedUserName: text(row.DELEGATED_USER_NAME),
    secretExposures: exposuresIn(record.value),
    operation:
      cls === 'api' || cls === 'file'
        ? (text(row.METHOD_NAME) ?? text(row.OPERATION_TYPE) ?? text(row.METHOD))
        : undefined,
    userType: text(row.USER_TYPE),
    tlsProtocol: text(row.TLS_PROTOCOL),
    cipherSuite: text(row.CIPHER_SUITE),
    // `URI` is a path for UI and REST rows (`/index.jsp`), a label such as `Api` for SOAP rows
    url: uriPath(row.URI)?.startsWith('/') ? uriPath(row.URI) : undefined,
    httpMethod:
      text(row.HTTP_METHOD) ?? text(row.REQUEST_METHOD) ?? (cls === 'api' ? text(row.METHOD) : undefined),
  };
  return { kind: 'activity', activity: buildActivity(facts) };
}
