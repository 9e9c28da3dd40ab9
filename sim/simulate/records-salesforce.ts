/**
 * Builds Salesforce Event Monitoring records for one logical call, in the channel the tenant's
 * org uses: EventLogFile rows (every value a string; `TIMESTAMP` as `yyyyMMddHHmmss.SSS`,
 * `TIMESTAMP_DERIVED` ISO, 15-char `USER_ID` and 18-char `USER_ID_DERIVED`) or Real-Time Event
 * Monitoring objects (`EventIdentifier`, `EventDate` as `yyyy-MM-ddTHH:mm:ss.SSS+0000`).
 */
import type { ElfEventType, Emitted, RtemObject } from './emitted.js';
import type { NetAddress } from './geography.js';
import type { SfUser, Tenant } from './population-types.js';
import { type Rng, rngFor } from './prng.js';
import { makeSalesforceId, toCaseSafeId } from './salesforce-ids.js';

/** A Salesforce login session. */
export interface SfSession {
  loginKey: string;
  sessionKey: string;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The deterministic session of a credential for a session slot (day, refresh window...). */
export function sfSession(seed: number, credIdx: number, slot: number | string): SfSession {
  const rng = rngFor(seed, 'sf-session', credIdx, slot);
  return { loginKey: rng.chars(16, KEY_ALPHABET), sessionKey: rng.chars(16, KEY_ALPHABET) };
}

/** What kind of call. */
export type SfCallKind = 'login' | 'logout' | 'soap' | 'rest' | 'bulk' | 'report_export';

/** One logical Salesforce call. */
export interface SfCall {
  t: number;
  tenant: Tenant;
  kind: SfCallKind;
  user: SfUser;
  /** Connected app (18-char id) the call runs under; null for password/UI sessions. */
  app: { id: string; name: string } | null;
  session: SfSession;
  addr: NetAddress;
  ua: string;
  entity?: string;
  rows?: number;
  query?: string;
  /** SOAP method (`query`, `queryMore`, `describeSObject`...), REST method (`GET`...). */
  method?: string;
  uri?: string;
  /** Login: LoginType (`Remote Access 2.0`, `SAML Sfdc Initiated SSO`, `Application`, `Partner Product`). */
  loginType?: string;
  /**
   * Login: ELF `LOGIN_STATUS` code (`LOGIN_NO_ERROR` when absent; `LOGIN_ERROR_INVALID_PASSWORD`
   * for a typo); RTEM LoginEvent `Status` gets the matching text ({@link RTEM_LOGIN_STATUS}).
   */
  loginStatus?: string;
  /** SOAP client name (`CLIENT_NAME`). */
  clientName?: string;
  /** Leave the connected app id off RTEM ApiEvent rows (caller already held a token). */
  omitAppIdOnApiEvent?: boolean;
  rng: Rng;
  /** Extra lag in ms. */
  lag?: number;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `yyyyMMddHHmmss.SSS` (UTC). */
export function elfTimestamp(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** `yyyy-MM-ddTHH:mm:ss.SSS+0000` (the SOQL REST datetime form). */
export function sfDateTime(t: number): string {
  return new Date(t).toISOString().replace('Z', '+0000');
}

/** ELF column order per event type (the `LogFileFieldNames` of each file). */
export const ELF_COLUMNS: Record<ElfEventType, readonly string[]> = {
  Login: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'RUN_TIME',
    'CPU_TIME',
    'URI',
    'SESSION_KEY',
    'LOGIN_KEY',
    'USER_TYPE',
    'REQUEST_STATUS',
    'DB_TOTAL_TIME',
    'LOGIN_TYPE',
    'BROWSER_TYPE',
    'API_TYPE',
    'API_VERSION',
    'USER_NAME',
    'TLS_PROTOCOL',
    'CIPHER_SUITE',
    'AUTHENTICATION_METHOD_REFERENCE',
    'LOGIN_STATUS',
    'SOURCE_IP',
    'CONNECTED_APP_ID',
    'USER_AGENT',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
    'URI_ID_DERIVED',
  ],
  // Logout event type (EventLogFile): the columns of Salesforce's own Logout sample as Elastic's
  // salesforce integration tests it (ingestors/salesforce/fixtures/elf-logout.csv).
  Logout: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'USER_TYPE',
    'SESSION_TYPE',
    'SESSION_LEVEL',
    'BROWSER_TYPE',
    'PLATFORM_TYPE',
    'RESOLUTION_TYPE',
    'APP_TYPE',
    'CLIENT_VERSION',
    'API_TYPE',
    'API_VERSION',
    'USER_INITIATED_LOGOUT',
    'SESSION_KEY',
    'LOGIN_KEY',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
  ],
  API: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'RUN_TIME',
    'CPU_TIME',
    'URI',
    'SESSION_KEY',
    'LOGIN_KEY',
    'USER_TYPE',
    'REQUEST_STATUS',
    'DB_TOTAL_TIME',
    'API_TYPE',
    'API_VERSION',
    'CLIENT_NAME',
    'METHOD_NAME',
    'ENTITY_NAME',
    'ROWS_PROCESSED',
    'REQUEST_SIZE',
    'RESPONSE_SIZE',
    'DB_BLOCKS',
    'DB_CPU_TIME',
    'CONNECTED_APP_ID',
    'USER_AGENT',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
    'URI_ID_DERIVED',
  ],
  RestApi: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'RUN_TIME',
    'CPU_TIME',
    'URI',
    'SESSION_KEY',
    'LOGIN_KEY',
    'USER_TYPE',
    'REQUEST_STATUS',
    'DB_TOTAL_TIME',
    'ENTITY_NAME',
    'METHOD',
    'MEDIA_TYPE',
    'STATUS_CODE',
    'USER_AGENT',
    'ROWS_PROCESSED',
    'NUMBER_FIELDS',
    'REQUEST_SIZE',
    'RESPONSE_SIZE',
    'CONNECTED_APP_ID',
    'DB_BLOCKS',
    'DB_CPU_TIME',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
    'URI_ID_DERIVED',
  ],
  BulkApi: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'RUN_TIME',
    'CPU_TIME',
    'URI',
    'SESSION_KEY',
    'LOGIN_KEY',
    'USER_TYPE',
    'REQUEST_STATUS',
    'DB_TOTAL_TIME',
    'JOB_ID',
    'BATCH_ID',
    'ENTITY_TYPE',
    'OPERATION_TYPE',
    'ROWS_PROCESSED',
    'NUMBER_FAILURES',
    'SUCCESS',
    'MESSAGE',
    'USER_AGENT',
    'CONNECTED_APP_ID',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
  ],
  ReportExport: [
    'EVENT_TYPE',
    'TIMESTAMP',
    'REQUEST_ID',
    'ORGANIZATION_ID',
    'USER_ID',
    'RUN_TIME',
    'CPU_TIME',
    'URI',
    'SESSION_KEY',
    'LOGIN_KEY',
    'USER_TYPE',
    'REQUEST_STATUS',
    'CLIENT_INFO',
    'REPORT_DESCRIPTION',
    'USER_AGENT',
    'TIMESTAMP_DERIVED',
    'USER_ID_DERIVED',
    'CLIENT_IP',
    'URI_ID_DERIVED',
  ],
};

function requestId(rng: Rng): string {
  return rng.base62(22);
}

function base(c: SfCall, type: ElfEventType, t: number, uri: string): Record<string, string> {
  return {
    EVENT_TYPE: type,
    TIMESTAMP: elfTimestamp(t),
    REQUEST_ID: requestId(c.rng),
    ORGANIZATION_ID: c.tenant.sf.orgId15,
    USER_ID: c.user.id15,
    RUN_TIME: String(c.rng.int(20, 900)),
    CPU_TIME: String(c.rng.int(5, 300)),
    URI: uri,
    SESSION_KEY: c.session.sessionKey,
    LOGIN_KEY: c.session.loginKey,
    USER_TYPE: 'Standard',
    REQUEST_STATUS: 'S',
    TIMESTAMP_DERIVED: new Date(t).toISOString(),
    USER_ID_DERIVED: c.user.id18,
    CLIENT_IP: c.addr.ip,
  };
}

/**
 * RTEM LoginEvent `Status` text for an ELF `LOGIN_STATUS` code ("Status: the status of the
 * attempted login; either Success or a reason for failure", Platform Events Developer Guide,
 * LoginEvent; the reasons are the Login History statuses).
 */
export const RTEM_LOGIN_STATUS: Readonly<Record<string, string>> = {
  LOGIN_NO_ERROR: 'Success',
  LOGIN_ERROR_INVALID_PASSWORD: 'Invalid Password',
  LOGIN_ERROR_PASSWORD_LOCKOUT: 'Password Lockout',
};

function elfRows(c: SfCall): Array<{ type: ElfEventType; row: Record<string, string>; t: number }> {
  const t = Math.floor(c.t);
  const appId = c.app?.id ?? '';
  const rows = c.rows ?? 0;
  const v = c.tenant.sf.apiVersion;
  switch (c.kind) {
    case 'login': {
      const oauth = c.loginType === 'Remote Access 2.0';
      const uri = oauth
        ? '/services/oauth2/token'
        : c.loginType === 'Partner Product'
          ? `/services/Soap/u/${v}`
          : '/saml/authn-request.jsp';
      const row = base(c, 'Login', t, uri);
      if (oauth) row['SESSION_KEY'] = '';
      Object.assign(row, {
        DB_TOTAL_TIME: String(c.rng.int(1_000_000, 30_000_000)),
        LOGIN_TYPE: c.loginType ?? 'Application',
        BROWSER_TYPE: c.ua,
        API_TYPE: oauth || c.loginType === 'Partner Product' ? 'P' : '',
        API_VERSION: oauth || c.loginType === 'Partner Product' ? v : '9998.0',
        USER_NAME: c.user.username,
        TLS_PROTOCOL: 'TLSv1.3',
        CIPHER_SUITE: 'TLS_AES_256_GCM_SHA384',
        AUTHENTICATION_METHOD_REFERENCE: oauth
          ? ''
          : c.loginType?.startsWith('SAML')
            ? 'urn:oasis:names:tc:SAML:2.0'
            : 'pwd',
        LOGIN_STATUS: c.loginStatus ?? 'LOGIN_NO_ERROR',
        SOURCE_IP: c.addr.ip,
        CONNECTED_APP_ID: appId,
        USER_AGENT: c.ua,
        URI_ID_DERIVED: '',
      });
      return [{ type: 'Login', row, t }];
    }
    case 'logout': {
      // The Logout event type: a user-initiated logout (USER_INITIATED_LOGOUT 1) of a UI session.
      const b = base(c, 'Logout', t, '');
      const row: Record<string, string> = {
        EVENT_TYPE: 'Logout',
        TIMESTAMP: b.TIMESTAMP as string,
        REQUEST_ID: b.REQUEST_ID as string,
        ORGANIZATION_ID: b.ORGANIZATION_ID as string,
        USER_ID: b.USER_ID as string,
        USER_TYPE: 'S',
        SESSION_TYPE: 'U',
        SESSION_LEVEL: '1',
        BROWSER_TYPE: c.ua,
        PLATFORM_TYPE: /Windows/.test(c.ua) ? '1015' : '2003',
        RESOLUTION_TYPE: '9999',
        APP_TYPE: '1000',
        CLIENT_VERSION: '9998',
        API_TYPE: '',
        API_VERSION: '9998.0',
        USER_INITIATED_LOGOUT: '1',
        SESSION_KEY: c.session.sessionKey,
        LOGIN_KEY: c.session.loginKey,
        TIMESTAMP_DERIVED: b.TIMESTAMP_DERIVED as string,
        USER_ID_DERIVED: b.USER_ID_DERIVED as string,
        CLIENT_IP: c.addr.ip,
      };
      return [{ type: 'Logout', row, t }];
    }
    case 'soap': {
      const row = base(c, 'API', t, `/services/Soap/u/${v}`);
      Object.assign(row, {
        DB_TOTAL_TIME: String(c.rng.int(2_000_000, 90_000_000)),
        API_TYPE: 'P',
        API_VERSION: v,
        CLIENT_NAME: c.clientName ?? '',
        METHOD_NAME: c.method ?? 'query',
        ENTITY_NAME: c.entity ?? '',
        ROWS_PROCESSED: String(rows),
        REQUEST_SIZE: String(c.rng.int(400, 2000)),
        RESPONSE_SIZE: String(Math.max(300, rows * c.rng.int(300, 900))),
        DB_BLOCKS: String(Math.max(1, Math.round(rows / 20))),
        DB_CPU_TIME: String(c.rng.int(5, 400)),
        CONNECTED_APP_ID: appId,
        USER_AGENT: c.ua,
        URI_ID_DERIVED: '',
      });
      return [{ type: 'API', row, t }];
    }
    case 'rest': {
      const uri = c.uri ?? `/services/data/v${v}/query`;
      const row = base(c, 'RestApi', t, uri);
      Object.assign(row, {
        DB_TOTAL_TIME: String(c.rng.int(1_000_000, 60_000_000)),
        ENTITY_NAME: c.entity ?? '',
        METHOD: c.method ?? 'GET',
        MEDIA_TYPE: 'application/json;charset=UTF-8',
        STATUS_CODE: '200',
        USER_AGENT: c.ua,
        ROWS_PROCESSED: String(rows),
        NUMBER_FIELDS: String(c.rng.int(4, 40)),
        REQUEST_SIZE: String(c.rng.int(0, 800)),
        RESPONSE_SIZE: String(Math.max(200, rows * c.rng.int(400, 1200))),
        CONNECTED_APP_ID: appId,
        DB_BLOCKS: String(Math.max(1, Math.round(rows / 20))),
        DB_CPU_TIME: String(c.rng.int(5, 400)),
        URI_ID_DERIVED: '',
      });
      return [{ type: 'RestApi', row, t }];
    }
    case 'bulk': {
      const jobId = makeSalesforceId('750', c.rng, '8d');
      const batches = Math.max(1, Math.min(4, Math.ceil(rows / 250_000)));
      const out: Array<{ type: ElfEventType; row: Record<string, string>; t: number }> = [];
      let left = rows;
      for (let b = 0; b < batches; b++) {
        const part = b === batches - 1 ? left : Math.floor(rows / batches);
        left -= part;
        const bt = t + b * c.rng.int(20_000, 90_000);
        const row = base(c, 'BulkApi', bt, `/services/async/${v}/job/${jobId}/batch`);
        Object.assign(row, {
          RUN_TIME: String(c.rng.int(2000, 60_000)),
          DB_TOTAL_TIME: String(c.rng.int(10_000_000, 900_000_000)),
          JOB_ID: jobId,
          BATCH_ID: makeSalesforceId('751', c.rng, '8d'),
          ENTITY_TYPE: c.entity ?? '',
          OPERATION_TYPE: 'query',
          ROWS_PROCESSED: String(part),
          NUMBER_FAILURES: '0',
          SUCCESS: 'true',
          MESSAGE: '',
          USER_AGENT: c.ua,
          CONNECTED_APP_ID: appId,
        });
        out.push({ type: 'BulkApi', row, t: bt });
      }
      return out;
    }
    default: {
      const reportId = toCaseSafeId(makeSalesforceId('00O', c.rng, '8d'));
      const row = base(c, 'ReportExport', t, `/${reportId.slice(0, 15)}`);
      Object.assign(row, {
        CLIENT_INFO: 'Browser',
        REPORT_DESCRIPTION: c.entity ?? 'Pipeline by Owner',
        USER_AGENT: c.ua,
        URI_ID_DERIVED: reportId,
      });
      return [{ type: 'ReportExport', row, t }];
    }
  }
}

function rtemBase(c: SfCall, object: RtemObject, t: number): Record<string, unknown> {
  return {
    attributes: {
      type: object,
      url: `/services/data/v${c.tenant.sf.apiVersion}/sobjects/${object}/000000000000000AAA`,
    },
    EventIdentifier: c.rng.uuid(),
    EventDate: sfDateTime(t),
    CreatedDate: sfDateTime(t + c.rng.int(200, 4000)),
    UserId: c.user.id18,
    Username: c.user.username,
    SessionKey: c.session.sessionKey,
    LoginKey: c.session.loginKey,
    SourceIp: c.addr.ip,
  };
}

function rtemRecords(c: SfCall): Array<{ object: RtemObject; rec: Record<string, unknown>; t: number }> {
  const t = Math.floor(c.t);
  const rows = c.rows ?? 0;
  const appName = c.app?.name ?? (c.clientName ? c.clientName : 'Browser');
  const v = Number(c.tenant.sf.apiVersion);
  switch (c.kind) {
    case 'login': {
      const oauth = c.loginType === 'Remote Access 2.0';
      const rec = rtemBase(c, 'LoginEvent', t);
      if (oauth) rec['SessionKey'] = null;
      Object.assign(rec, {
        LoginType: c.loginType ?? 'Application',
        LoginUrl: `${c.tenant.slug}.my.salesforce.example`,
        Application: appName,
        ConnectedAppId: c.app?.id ?? null,
        UserAgent: c.ua,
        Browser: /Chrome|Firefox|Safari|Edg/.test(c.ua) ? 'Chrome' : 'Unknown',
        Platform: /Windows/.test(c.ua) ? 'Windows' : /Mac OS/.test(c.ua) ? 'Mac OSX' : 'Unknown',
        Status: RTEM_LOGIN_STATUS[c.loginStatus ?? 'LOGIN_NO_ERROR'] ?? `Failed: ${c.loginStatus}`,
        CountryIso: c.addr.country,
        ApiType: oauth || c.loginType === 'Partner Product' ? 'SOAP Partner' : 'N/A',
        ApiVersion: oauth || c.loginType === 'Partner Product' ? v : 'N/A',
        TlsProtocol: 'TLS 1.3',
      });
      return [{ object: 'LoginEvent', rec, t }];
    }
    case 'logout': {
      // LogoutEvent has no field of its own beyond the common ones (Platform Events Developer
      // Guide, LogoutEvent): user, session and login keys, source IP, session level.
      const rec = rtemBase(c, 'LogoutEvent', t);
      rec['SessionLevel'] = 'STANDARD';
      return [{ object: 'LogoutEvent', rec, t }];
    }
    case 'soap':
    case 'rest': {
      const rec = rtemBase(c, 'ApiEvent', t);
      const entity = c.entity ?? '';
      Object.assign(rec, {
        ApiType: c.kind === 'soap' ? 'SOAP Partner' : 'REST',
        ApiVersion: v,
        Application: appName,
        Client: c.clientName ?? c.ua.split(' ')[0] ?? '',
        ConnectedAppId: c.omitAppIdOnApiEvent ? null : (c.app?.id ?? null),
        ElapsedTime: c.rng.int(15, 4000),
        Operation: c.method === 'count' ? 'query' : (c.method ?? 'query'),
        QueriedEntities: entity,
        Query:
          c.query ?? (entity ? `SELECT Id, Name FROM ${entity} WHERE LastModifiedDate > LAST_N_DAYS:1` : ''),
        RowsProcessed: rows,
        UserAgent: c.ua,
      });
      return [{ object: 'ApiEvent', rec, t }];
    }
    case 'bulk': {
      const out: Array<{ object: RtemObject; rec: Record<string, unknown>; t: number }> = [];
      const entity = c.entity ?? '';
      const query = c.query ?? `SELECT FIELDS(ALL) FROM ${entity}`;
      const api = rtemBase(c, 'ApiEvent', t);
      Object.assign(api, {
        ApiType: 'Bulk',
        ApiVersion: v,
        Application: appName,
        Client: c.ua.split(' ')[0] ?? '',
        ConnectedAppId: c.app?.id ?? null,
        ElapsedTime: c.rng.int(2000, 60_000),
        Operation: 'query',
        QueriedEntities: entity,
        Query: query,
        RowsProcessed: rows,
        UserAgent: c.ua,
      });
      out.push({ object: 'ApiEvent', rec: api, t });
      const jobId = makeSalesforceId('750', c.rng, '8d');
      const parts = Math.max(1, Math.min(3, Math.ceil(rows / 300_000)));
      let left = rows;
      for (let b = 0; b < parts; b++) {
        const part = b === parts - 1 ? left : Math.floor(rows / parts);
        left -= part;
        const bt = t + c.rng.int(30_000, 240_000) * (b + 1);
        const res = rtemBase(c, 'BulkApiResultEvent', bt);
        Object.assign(res, {
          JobId: jobId,
          BatchId: makeSalesforceId('751', c.rng, '8d'),
          Query: query,
          QueriedEntities: entity,
          RowsProcessed: part,
          ConnectedAppId: c.app?.id ?? null,
          Application: appName,
          UserAgent: c.ua,
        });
        out.push({ object: 'BulkApiResultEvent', rec: res, t: bt });
      }
      return out;
    }
    default: {
      const rec = rtemBase(c, 'ReportEvent', t);
      Object.assign(rec, {
        Operation: 'ReportExported',
        ReportId: toCaseSafeId(makeSalesforceId('00O', c.rng, '8d')),
        Name: c.entity ?? 'Pipeline by Owner',
        QueriedEntities: 'Opportunity',
        RowsProcessed: rows,
        UserAgent: c.ua,
      });
      return [{ object: 'ReportEvent', rec, t }];
    }
  }
}

/**
 * The records of a call for the tenant's monitoring channel. ELF files arrive hourly/daily, so
 * ELF rows get no extra lag here (late rows are made by the writer); RTEM arrives within seconds.
 */
export function salesforceEmit(c: SfCall): Emitted[] {
  if (c.tenant.sf.monitoring === 'elf') {
    return elfRows(c).map(({ type, row, t }) => ({
      source: 'salesforce' as const,
      channel: 'elf' as const,
      eventType: type,
      row,
      t,
      arrival: t + (c.lag ?? 0),
      tenant: c.tenant.idx,
    }));
  }
  return rtemRecords(c).map(({ object, rec, t }) => ({
    source: 'salesforce' as const,
    channel: 'rtem' as const,
    object,
    rec,
    t,
    arrival: t + 500 + c.rng.int(0, 3000) + (c.lag ?? 0),
    tenant: c.tenant.idx,
  }));
}
