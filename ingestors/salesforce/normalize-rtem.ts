import { RTEM_SCHEMAS, type RtemType } from '../../schemas/raw/salesforce.js';
import type { Geo, SecretExposure } from '../../schemas/token-activity.js';
import { SALESFORCE_RTEM_OPERATION_FIELDS, salesforceEventId } from '../common/ids.js';
import { canonicalIp } from '../common/ip.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { buildActivity } from './activity.js';
import { deadFromValue, skipped } from './dead-letter.js';
import type { SalesforceFacts } from './facts.js';
import { tryCanonicalId18 } from './ids.js';
import {
  apiTypeFromName,
  type EventClass,
  type Outcome,
  outcomeFromPolicy,
  outcomeFromStatus,
  rtemClass,
  rtemSkipReason,
} from './mapping.js';
import { isSessionKeyField, redactSecretsInText } from './redact.js';
import { parseSalesforceIso } from './time.js';
import { cleanUserAgent } from './user-agent.js';
import { count, distinct, entities, entityFromQuery, name, recordsCount, text, uriPath } from './values.js';

/**
 * Normalization of Real-Time Event Monitoring objects (Platform Events Developer Guide: ApiEvent,
 * LoginEvent, LogoutEvent, LoginAsEvent, BulkApiResultEvent, ReportEvent, UriEvent,
 * LightningUriEvent, ListViewEvent), from SOQL on the storage objects, the CometD streaming
 * channels or the Pub/Sub API.
 */

/** A field as id text: strings and numbers as written, anything else (lists, objects) as canonical JSON. */
function rtemText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v).trim();
  return JSON.stringify(v);
}

function isRtemType(type: string): type is RtemType {
  return Object.hasOwn(RTEM_SCHEMAS, type);
}

function exposuresIn(value: Record<string, unknown>): SecretExposure[] {
  const found: SecretExposure[] = [];
  for (const [field, v] of Object.entries(value)) {
    if (typeof v === 'string' && !isSessionKeyField(field)) redactSecretsInText(v, field, found);
  }
  return found;
}

/**
 * Resource: the report of a ReportEvent (canonical 18-char id, as for ELF ReportExport), else the
 * queried sObjects (`QueriedEntities`, or the FROM of `Query`), else the API operation.
 */
function resourceOf(
  cls: EventClass,
  v: Record<string, unknown>,
  entity: string | undefined,
  operation: string | undefined,
): SalesforceFacts['resource'] {
  const report = cls === 'file' ? text(v.ReportId) : undefined;
  if (report !== undefined) return { type: 'report', name: tryCanonicalId18(report) ?? report };
  if (entity !== undefined) return { type: 'sobject', name: entity };
  const pageUrl = uriPath(v.PageUrl);
  if (cls === 'web' && pageUrl !== undefined) return { type: 'uri', name: pageUrl };
  if (operation !== undefined && cls === 'api') return { type: 'api_method', name: operation };
  return undefined;
}

/**
 * Event time: `EventDate`, else `CreatedDate`, as ISO text (SOQL, CometD) or epoch milliseconds
 * (Pub/Sub API: Avro `long` with logical type `timestamp-millis`; also as a 13-digit string).
 * @throws Error when absent or unparseable.
 */
export function rtemTimestamp(type: string, value: unknown): string {
  const t = text(value);
  if (t === undefined) throw new Error(`${type} has no EventDate or CreatedDate`);
  if (/^\d{12,14}$/.test(t)) {
    const ms = Number(t);
    const d = new Date(ms);
    if (Number.isNaN(d.getTime())) throw new Error(`${type} EventDate ${t} is not a valid epoch-ms time`);
    return d.toISOString();
  }
  return parseSalesforceIso(t);
}

/** ECS `event.created` from `CreatedDate`, or undefined when absent or unparseable. */
function createdOf(type: string, value: unknown): string | undefined {
  if (text(value) === undefined) return undefined;
  try {
    return rtemTimestamp(type, value);
  } catch {
    return undefined;
  }
}

function coordinate(value: unknown, limit: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
}

/**
 * The geolocation Salesforce computed for a login (LoginEvent `City`, `Country`, `CountryIso`,
 * `Subdivision`, `PostalCode`, `LoginLatitude`, `LoginLongitude`; LoginGeo `Latitude` /
 * `Longitude`), as ECS `source.geo`; undefined when it sends none. Elastic's Salesforce
 * integration maps the same fields (`packages/salesforce/data_stream/login`).
 */
export function vendorGeoOf(v: Record<string, unknown>): Geo | undefined {
  const iso = text(v.CountryIso)?.toUpperCase();
  const lat = coordinate(v.LoginLatitude ?? v.Latitude, 90);
  const lon = coordinate(v.LoginLongitude ?? v.Longitude, 180);
  const geo: Geo = {};
  if (iso?.length === 2) geo.country_iso_code = iso;
  const country = name(v.Country);
  if (country) geo.country_name = country;
  const city = name(v.City);
  if (city) geo.city_name = city;
  const region = name(v.Subdivision);
  if (region) geo.region_name = region;
  const postal = name(v.PostalCode);
  if (postal) geo.postal_code = postal;
  if (lat !== undefined && lon !== undefined && !(lat === 0 && lon === 0)) geo.location = { lat, lon };
  return Object.keys(geo).length === 0 ? undefined : geo;
}

/**
 * Outcome: LoginEvent `Status` (`Success` / `Failed: ...`); a Transaction Security `Block` is a
 * failure. ApiEvent and BulkApiResultEvent are only emitted for calls and downloads that ran, so
 * they are successes unless blocked; LogoutEvent and LoginAsEvent record completed actions.
 */
function outcomeOf(value: Record<string, unknown>): Outcome {
  return (
    outcomeFromPolicy(text(value.PolicyOutcome)) ??
    outcomeFromStatus(text(value.Status)) ??
    outcomeFromStatus(text(value.OperationStatus)) ??
    'success'
  );
}

/**
 * Normalizes one RTEM object of type `type`. Results:
 * - skipped: types that are not normalized (threat-detection stores, EventLogFile metadata rows);
 * - dead `schema_invalid`: wrong field types, or no `EventIdentifier` (the id rule needs it);
 * - dead `bad_timestamp`: `EventDate` (or, when absent, `CreatedDate`) does not parse;
 * - dead `no_principal`: no `UserId` and no `Username`;
 * - activity otherwise.
 */
export function normalizeRtem(record: RawRecord, type: string): NormalizeResult {
  const cls = rtemClass(type);
  if (cls === undefined || !isRtemType(type)) {
    return { kind: 'skipped', skipped: skipped(rtemSkipReason(type), record.location) };
  }
  const parsed = RTEM_SCHEMAS[type].safeParse(record.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason =
      `${type} does not match the schema: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
    return { kind: 'dead', dead: deadFromValue('schema_invalid', reason, record.value, record.location) };
  }
  const v = parsed.data as Record<string, unknown>;
  const eventIdentifier = text(v.EventIdentifier);
  if (eventIdentifier === undefined) {
    return {
      kind: 'dead',
      dead: deadFromValue('schema_invalid', `${type} has no EventIdentifier`, record.value, record.location),
    };
  }
  const userId = tryCanonicalId18(text(v.UserId));
  const userName = text(v.Username);
  if (userId === undefined && userName === undefined) {
    return {
      kind: 'dead',
      dead: deadFromValue('no_principal', `${type} has no UserId or Username`, record.value, record.location),
    };
  }
  let timestamp: string;
  try {
    timestamp = rtemTimestamp(type, v.EventDate ?? v.CreatedDate);
  } catch (err) {
    return {
      kind: 'dead',
      dead: deadFromValue('bad_timestamp', (err as Error).message, record.value, record.location),
    };
  }

  const sourceIp = canonicalIp(text(v.SourceIp));
  const query = text(v.Query);
  const isBulkResult = type === 'BulkApiResultEvent';
  const entity = entities(v.QueriedEntities) ?? entityFromQuery(query);
  const operation = text(v.Operation);
  const facts: SalesforceFacts = {
    eventType: type,
    provider: type,
    eventClass: cls,
    eventId: salesforceEventId({
      eventType: type,
      requestId: eventIdentifier,
      timestamp,
      user: userId ?? userName,
      operation: SALESFORCE_RTEM_OPERATION_FIELDS.map((k) => rtemText(v[k])),
      record: v,
    }),
    timestamp,
    userId,
    userName,
    loginKey: text(v.LoginKey),
    sessionKey: text(v.SessionKey),
    sourceIp,
    ips: distinct([sourceIp]),
    userAgent: cleanUserAgent(text(v.UserAgent)),
    connectedAppId: tryCanonicalId18(text(v.ConnectedAppId)),
    clientName: name(v.Application) ?? name(v.Client),
    loginType: text(v.LoginType),
    oauthTokenEndpoint: false,
    apiLogin: false,
    apiType: isBulkResult ? 'Bulk' : apiTypeFromName(text(v.ApiType)),
    resource: resourceOf(cls, v, entity, operation),
    rows: count(v.RowsProcessed) ?? recordsCount(v.Records),
    outcome: outcomeOf(v),
    delegatedUserName: text(v.DelegatedUsername),
    secretExposures: exposuresIn(record.value),
    operation: cls === 'api' || cls === 'file' || cls === 'web' ? operation : undefined,
    userType: text(v.UserType),
    tlsProtocol: text(v.TlsProtocol),
    cipherSuite: text(v.CipherSuite),
    url: text(v.LoginUrl) ?? uriPath(v.PageUrl),
    httpMethod: text(v.HttpMethod),
    created: createdOf(type, v.CreatedDate),
    vendorGeo: vendorGeoOf(v),
    platform: name(v.Platform),
  };
  return { kind: 'activity', activity: buildActivity(facts) };
}
