/**
 * Salesforce vocabulary -> tokenwatch vocabulary: which event types are credential activity,
 * API families, login types and outcomes. Pure lookup functions; sources are the Object Reference
 * "EventLogFile Supported Event Types" pages and the Platform Events Developer Guide.
 */

/**
 * What an event says about a credential:
 * - `login` / `logout`: session start / end (Login, LoginEvent / Logout, LogoutEvent),
 * - `impersonation_start`: an admin starts a Login-As session (LoginAsEvent),
 * - `impersonated_action`: a request made inside a Login-As session (LoginAs ELF rows),
 * - `api`, `web`, `file`: a request using the credential (API calls, UI page views, exports).
 */
export type EventClass =
  | 'login'
  | 'logout'
  | 'impersonation_start'
  | 'impersonated_action'
  | 'api'
  | 'web'
  | 'file';

/** ELF event types normalized to token activity, by class. Other ELF types are skipped. */
const ELF_CLASSES: Readonly<Record<string, EventClass>> = {
  Login: 'login',
  Logout: 'logout',
  LoginAs: 'impersonated_action',
  API: 'api',
  RestApi: 'api',
  ApexRestApi: 'api',
  ApexSoap: 'api',
  BulkApi: 'api',
  BulkApi2: 'api',
  BulkApiRequest: 'api',
  ApiTotalUsage: 'api',
  MetadataApiOperation: 'api',
  URI: 'web',
  AuraRequest: 'web',
  VisualforceRequest: 'web',
  LightningPageView: 'web',
  ReportExport: 'file',
  Report: 'file',
  ContentTransfer: 'file',
};

/** RTEM object types normalized to token activity, by class. */
const RTEM_CLASSES: Readonly<Record<string, EventClass>> = {
  LoginEvent: 'login',
  LogoutEvent: 'logout',
  LoginAsEvent: 'impersonation_start',
  ApiEvent: 'api',
  BulkApiResultEvent: 'api',
  ReportEvent: 'file',
  // Page and record views, like their EventLogFile twins (URI, LightningPageView: `web`).
  UriEvent: 'web',
  LightningUriEvent: 'web',
  ListViewEvent: 'web',
};

/** ELF types that record requests with no principal or credential (anonymous traffic, telemetry). */
const ELF_NOT_CREDENTIAL: Readonly<Record<string, string>> = {
  HostnameRedirects: 'hostname redirect of an anonymous request, not about a credential',
  CORSViolation: 'CORS violation record, not about a credential',
  CspViolation: 'CSP violation record, not about a credential',
  InsecureExternalAssets: 'insecure asset report, not about a credential',
};

/** Class of an ELF event type, or undefined when the type is not normalized. */
export function elfClass(eventType: string): EventClass | undefined {
  return ELF_CLASSES[eventType];
}

/** Class of an RTEM object type, or undefined when the type is not normalized. */
export function rtemClass(type: string): EventClass | undefined {
  return RTEM_CLASSES[type];
}

/** Why an ELF event type is skipped (it is not normalized). */
export function elfSkipReason(eventType: string): string {
  return (
    ELF_NOT_CREDENTIAL[eventType] ?? `ELF event type ${eventType} is not token activity (not normalized)`
  );
}

/** RTEM detection records (Transaction Security threat stores); not token use in themselves. */
const RTEM_DETECTIONS = new Set([
  'ApiAnomalyEventStore',
  'ApiAnomalyEvent',
  'SessionHijackingEventStore',
  'SessionHijackingEvent',
  'CredentialStuffingEventStore',
  'CredentialStuffingEvent',
  'ReportAnomalyEventStore',
  'ReportAnomalyEvent',
  'LoginAnomalyEventStore',
  'PermissionSetEventStore',
]);

/**
 * Skip reason of an `EventLogFile` query-result row (`Id, EventType, LogDate, LogFile, ...`): it
 * describes a log file, whose events are in the CSV behind `LogFile`.
 */
export const ELF_METADATA_SKIP = 'EventLogFile metadata row: download LogFile';

/** Why an RTEM object type is skipped. */
export function rtemSkipReason(type: string): string {
  if (RTEM_DETECTIONS.has(type)) return `${type} is a Salesforce threat-detection record, not token activity`;
  if (type === 'EventLogFile') return ELF_METADATA_SKIP;
  return `Salesforce object type ${type} is not normalized`;
}

/**
 * ELF `API_TYPE` codes (Object Reference, API / Login / Logout event types) to API families:
 * SOAP variants (E Enterprise, P Partner, I Cross Instance, O Old SOAP, S Apex, p ClientSync) ->
 * `SOAP`; M -> `Metadata`; T -> `Tooling`; X -> `XmlRPC`; D -> `Apex`; f -> `Feed`;
 * l -> `LiveAgent`; R -> `REST`. Unknown codes are returned unchanged.
 */
const API_TYPE_CODES: Readonly<Record<string, string>> = {
  E: 'SOAP',
  P: 'SOAP',
  I: 'SOAP',
  O: 'SOAP',
  S: 'SOAP',
  p: 'SOAP',
  M: 'Metadata',
  T: 'Tooling',
  X: 'XmlRPC',
  D: 'Apex',
  f: 'Feed',
  l: 'LiveAgent',
  R: 'REST',
};

/** API family of an ELF `API_TYPE` code (case-sensitive: `p` and `P` differ). */
export function apiTypeFromCode(code: string | undefined): string | undefined {
  const c = code?.trim();
  if (c === undefined || c === '') return undefined;
  return API_TYPE_CODES[c] ?? c;
}

/** API family implied by the ELF event type itself. */
const ELF_TYPE_API: Readonly<Record<string, string>> = {
  RestApi: 'REST',
  ApexRestApi: 'REST',
  ApexSoap: 'SOAP',
  BulkApi: 'Bulk',
  BulkApiRequest: 'Bulk',
  BulkApi2: 'Bulk2',
  MetadataApiOperation: 'Metadata',
};

/** API family of an ELF event type (`RestApi` -> `REST`, `BulkApi2` -> `Bulk2`), if it implies one. */
export function apiTypeFromElfType(eventType: string): string | undefined {
  return ELF_TYPE_API[eventType];
}

/**
 * API family of a spelled-out API name: RTEM `ApiType` (`SOAP Enterprise`, `SOAP Partner`, `REST`,
 * `Bulk`, `N/A`) and ELF `API_FAMILY` (`REST`, `SOAP`, `Bulk`). `N/A` and empty -> undefined.
 */
export function apiTypeFromName(name: string | null | undefined): string | undefined {
  const n = name?.trim();
  if (n === undefined || n === '' || /^n\/?a$/i.test(n)) return undefined;
  if (/^soap/i.test(n)) return 'SOAP';
  if (/^rest/i.test(n)) return 'REST';
  if (/^bulk\s*(api)?\s*2/i.test(n)) return 'Bulk2';
  if (/^bulk/i.test(n)) return 'Bulk';
  return n;
}

/** OAuth login types: token issuance through a connected app. */
const OAUTH_LOGIN_TYPES = new Set(['remote access 2.0', 'remote access client', 'oauth']);
/** API-only login types: SOAP `login()` with password + security token, partner integrations. */
const API_LOGIN_TYPES = new Set(['other apex api', 'partner product', 'sync', 'soap api']);

/** True for OAuth login types (`Remote Access 2.0`, `Remote Access Client`). */
export function isOAuthLoginType(loginType: string | undefined): boolean {
  return loginType !== undefined && OAUTH_LOGIN_TYPES.has(loginType.trim().toLowerCase());
}

/** True for API-only login types (`Other Apex API`, `Partner Product`, `SYNC`). */
export function isApiLoginType(loginType: string | undefined): boolean {
  return loginType !== undefined && API_LOGIN_TYPES.has(loginType.trim().toLowerCase());
}

/** True for interactive (browser) login types: `Application`, SAML SSO, community logins. */
export function isUiLoginType(loginType: string | undefined): boolean {
  if (loginType === undefined) return false;
  const t = loginType.trim().toLowerCase();
  return t === 'application' || t.startsWith('saml') || t.includes('communit') || t.includes('portal');
}

/** Outcome of an event. */
export type Outcome = 'success' | 'failure' | 'unknown';

/** ELF Login `LOGIN_STATUS`: `LOGIN_NO_ERROR` -> success, any other `LOGIN_*` code -> failure. */
export function outcomeFromLoginStatus(status: string | undefined): Outcome | undefined {
  const s = status?.trim().toUpperCase();
  if (s === undefined || s === '') return undefined;
  return s === 'LOGIN_NO_ERROR' ? 'success' : 'failure';
}

/** RTEM `Status`: `Success` -> success, `Failed: ...`, `Password Lockout`, ... -> failure. */
export function outcomeFromStatus(status: string | null | undefined): Outcome | undefined {
  const s = status?.trim();
  if (s === undefined || s === '' || /^n\/?a$/i.test(s)) return undefined;
  return /^success/i.test(s) ? 'success' : 'failure';
}

/**
 * ELF `REQUEST_STATUS`: `S`/`Success` and `R` (redirect) -> success; `F`/`Failure`, `A`
 * (authorization error), `N` (not found) -> failure; `U` (undefined) and empty -> undefined.
 */
export function outcomeFromRequestStatus(status: string | undefined): Outcome | undefined {
  const s = status?.trim().toLowerCase();
  if (s === undefined || s === '' || s === 'u' || s === 'undefined') return undefined;
  if (s === 's' || s === 'r' || s.startsWith('success') || s === 'redirect') return 'success';
  if (s === 'f' || s === 'a' || s === 'n' || s.startsWith('fail')) return 'failure';
  return undefined;
}

/** HTTP status: 1xx-3xx -> success, 4xx-5xx -> failure. */
export function outcomeFromHttpStatus(code: number | undefined): Outcome | undefined {
  if (code === undefined || code < 100 || code > 599) return undefined;
  return code < 400 ? 'success' : 'failure';
}

/** Bulk API 2.0 `JOB_STATUS`: `Failed` -> failure, other states -> success. */
export function outcomeFromJobStatus(status: string | undefined): Outcome | undefined {
  const s = status?.trim().toLowerCase();
  if (s === undefined || s === '') return undefined;
  return s === 'failed' ? 'failure' : 'success';
}

/** Transaction Security `PolicyOutcome`: `Block` -> failure (the call was stopped). */
export function outcomeFromPolicy(outcome: string | null | undefined): Outcome | undefined {
  return outcome?.trim().toLowerCase() === 'block' ? 'failure' : undefined;
}

/** User types that stand for anonymous site visitors: guest users have no credential. */
export function isGuestUserType(userType: string | null | undefined): boolean {
  const t = userType?.trim();
  return t === 'G' || /^guest\b/i.test(t ?? '');
}
