import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { normalizeSalesforce } from './normalize.js';

const USER15 = '0055j000000q9s7';
const USER18 = '0055j000000q9s7AAA';

function elf(values: Record<string, string>, family?: string): RawRecord {
  const type = values.EVENT_TYPE;
  return {
    source: 'salesforce',
    value: { TIMESTAMP: '20240502170000.000', USER_ID: USER15, ...values },
    family: family ?? (type === undefined ? 'EventLogFile' : `EventLogFile:${type}`),
    location: 'test.csv:2',
  };
}

function rtem(type: string, values: Record<string, unknown>): RawRecord {
  return {
    source: 'salesforce',
    value: { EventDate: '2024-05-03T09:15:27.431+0000', EventIdentifier: 'ev-1', UserId: USER18, ...values },
    family: type,
    location: 'test.json#records[0]',
  };
}

function activity(result: NormalizeResult): TokenActivity {
  if (result.kind !== 'activity') throw new Error(`expected an activity, got ${JSON.stringify(result)}`);
  return result.activity;
}

const sha32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

describe('event and token ids (IDS.md)', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  it('ELF: salesforce:<EVENT_TYPE>:<REQUEST_ID>:<hex16 of time|user|operation>', () => {
    const a = activity(
      normalizeSalesforce(
        elf({
          EVENT_TYPE: 'RestApi',
          REQUEST_ID: '4nQgAiSs9WefFl1cJKx6Hh',
          METHOD: 'GET',
          URI: '/services/data',
        }),
      ),
    );
    const key = `2024-05-02T17:00:00.000Z|${USER18}|||GET|/services/data|||`;
    expect(a.event.id).toBe(`salesforce:RestApi:4nQgAiSs9WefFl1cJKx6Hh:${sha(key).slice(0, 16)}`);
  });

  it('ELF rows of one transaction (shared REQUEST_ID) by two users get two ids', () => {
    const row = { EVENT_TYPE: 'Logout', REQUEST_ID: 'TID-1' };
    const one = activity(normalizeSalesforce(elf({ ...row, USER_ID: '0055j000000q9s7' })));
    const two = activity(normalizeSalesforce(elf({ ...row, USER_ID: '0055j000000q9s8' })));
    expect(one.event.id).not.toBe(two.event.id);
  });

  it('ELF without REQUEST_ID: sha256-32 of the canonical row, empty values left out', () => {
    const a = activity(
      normalizeSalesforce(
        elf({ EVENT_TYPE: 'URI', REQUEST_ID: '', LOGIN_KEY: 'NK2oPJrJze8tH+vC', URI: '/001/o' }),
      ),
    );
    const canonical = `{"EVENT_TYPE":"URI","LOGIN_KEY":"NK2oPJrJze8tH+vC","TIMESTAMP":"20240502170000.000","URI":"/001/o","USER_ID":"${USER15}"}`;
    expect(a.event.id).toBe(`salesforce:URI:h:${sha32(canonical)}`);
  });

  it('RTEM: salesforce:<type>:<EventIdentifier>:<hex16 of time|user|operation>', () => {
    const key = `2024-05-03T09:15:27.431Z|${USER18}|query||||||||`;
    expect(activity(normalizeSalesforce(rtem('ApiEvent', { Operation: 'query' }))).event.id).toBe(
      `salesforce:ApiEvent:ev-1:${sha(key).slice(0, 16)}`,
    );
  });

  it('grant token when a connected app is on the row (15-char app id made 18)', () => {
    const a = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'RestApi', CONNECTED_APP_ID: '0H4RM00000000Kr' })),
    );
    expect(a.token).toMatchObject({
      id: `salesforce:grant:${USER18}:0H4RM00000000Kr0AI`,
      key_kind: 'oauth_grant',
      type: 'oauth_access_token',
      client: { id: '0H4RM00000000Kr0AI' },
      principal: 'machine',
    });
  });

  it('user token otherwise, with session_id = sha256-32 of LOGIN_KEY, else SESSION_KEY', () => {
    const withLogin = activity(
      normalizeSalesforce(
        elf({ EVENT_TYPE: 'URI', LOGIN_KEY: 'NK2oPJrJze8tH+vC', SESSION_KEY: 'mN4/oP6qRs8tUv0w' }),
      ),
    );
    expect(withLogin.token.id).toBe(`salesforce:user:${USER18}`);
    expect(withLogin.token.key_kind).toBe('session');
    expect(withLogin.tokenwatch.session_id).toBe(sha32('NK2oPJrJze8tH+vC'));
    const sessionOnly = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'URI', SESSION_KEY: 'mN4/oP6qRs8tUv0w' })),
    );
    expect(sessionOnly.tokenwatch.session_id).toBe(sha32('mN4/oP6qRs8tUv0w'));
  });

  it('never outputs the raw SESSION_KEY or SessionKey', () => {
    const outputs = [
      normalizeSalesforce(elf({ EVENT_TYPE: 'API', SESSION_KEY: 'Wx3/bZ1dN0pQa7Lk' })),
      normalizeSalesforce(elf({ EVENT_TYPE: 'API', SESSION_KEY: 'Wx3/bZ1dN0pQa7Lk', TIMESTAMP: 'bad' })),
      normalizeSalesforce(rtem('ApiEvent', { SessionKey: 'Wx3/bZ1dN0pQa7Lk', EventIdentifier: null })),
    ];
    expect(outputs.map((o) => o.kind)).toEqual(['activity', 'dead', 'dead']);
    expect(JSON.stringify(outputs)).not.toContain('Wx3/bZ1dN0pQa7Lk');
  });
});

describe('user, time, IP and user agent', () => {
  it('prefers the 15-char USER_ID (made 18), falls back to USER_ID_DERIVED', () => {
    expect(activity(normalizeSalesforce(elf({ EVENT_TYPE: 'API' }))).user.id).toBe(USER18);
    const derivedOnly = elf({ EVENT_TYPE: 'API', USER_ID: '', USER_ID_DERIVED: '0055j000000utlPAAQ' });
    expect(activity(normalizeSalesforce(derivedOnly)).user.id).toBe('0055j000000utlPAAQ');
  });

  it('TIMESTAMP wins over a disagreeing TIMESTAMP_DERIVED; DERIVED is the fallback', () => {
    const both = elf({
      EVENT_TYPE: 'Logout',
      TIMESTAMP: '20211019050707.13',
      TIMESTAMP_DERIVED: '2021-10-19T05:07:07.128Z',
    });
    expect(activity(normalizeSalesforce(both))['@timestamp']).toBe('2021-10-19T05:07:07.130Z');
    const fallback = elf({
      EVENT_TYPE: 'Logout',
      TIMESTAMP: '',
      TIMESTAMP_DERIVED: '2021-10-19T05:07:07.128Z',
    });
    expect(activity(normalizeSalesforce(fallback))['@timestamp']).toBe('2021-10-19T05:07:07.128Z');
    const none = normalizeSalesforce(elf({ EVENT_TYPE: 'Logout', TIMESTAMP: '', TIMESTAMP_DERIVED: '' }));
    expect(none.kind === 'dead' && none.dead.code).toBe('bad_timestamp');
  });

  it('source.ip: SOURCE_IP, else CLIENT_IP, never the "Salesforce.com IP" literal', () => {
    const both = elf({ EVENT_TYPE: 'Login', SOURCE_IP: '203.0.113.10', CLIENT_IP: '198.51.100.1' });
    expect(activity(normalizeSalesforce(both)).source?.ip).toBe('203.0.113.10');
    expect(activity(normalizeSalesforce(both)).related.ip).toEqual(['203.0.113.10', '198.51.100.1']);
    const literal = elf({ EVENT_TYPE: 'Login', SOURCE_IP: 'Salesforce.com IP', CLIENT_IP: '2001:DB8::1' });
    expect(activity(normalizeSalesforce(literal)).source?.ip).toBe('2001:db8::1');
    const none = activity(normalizeSalesforce(elf({ EVENT_TYPE: 'API', CLIENT_IP: 'Salesforce.com IP' })));
    expect(none.source).toBeUndefined();
    expect(none.related.ip).toEqual([]);
  });

  it('user agent from USER_AGENT, else BROWSER_TYPE, decoded; numeric codes dropped', () => {
    const a = elf({
      EVENT_TYPE: 'RestApi',
      USER_AGENT: '13047000',
      BROWSER_TYPE: 'Mozilla/5.0 (X11; rv%3A50.0)',
    });
    expect(activity(normalizeSalesforce(a)).user_agent).toEqual({ original: 'Mozilla/5.0 (X11; rv:50.0)' });
    expect(
      activity(normalizeSalesforce(elf({ EVENT_TYPE: 'Logout', BROWSER_TYPE: '13050000' }))).user_agent,
    ).toBeUndefined();
  });

  it('leaves geo, user_agent.name and network to the enrich stage', () => {
    const a = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'Login', SOURCE_IP: '203.0.113.10', BROWSER_TYPE: 'curl/8' })),
    );
    expect(a.source).toEqual({ ip: '203.0.113.10' });
    expect(a.user_agent).toEqual({ original: 'curl/8' });
    expect(a.tokenwatch.network).toBeUndefined();
  });
});

describe('token type, lifecycle and principal', () => {
  const login = (values: Record<string, string>) =>
    activity(normalizeSalesforce(elf({ EVENT_TYPE: 'Login', ...values })));

  it.each([
    // OAuth web-server flow completed in a browser: an OAuth token, but a person at the keyboard.
    ['Remote Access 2.0', 'oauth_access_token', 'authorized', 'human'],
    ['Other Apex API', 'api_key', 'used', 'machine'],
    ['Partner Product', 'api_key', 'used', 'machine'],
    ['Application', 'session', 'used', 'human'],
    ['SAML Sfdc Initiated SSO', 'session', 'used', 'human'],
  ])('LOGIN_TYPE %s -> %s / %s / %s', (loginType, type, lifecycle, principal) => {
    const a = login({ LOGIN_TYPE: loginType, BROWSER_TYPE: 'Mozilla/5.0 (Windows NT 10.0)' });
    expect([a.token.type, a.token.lifecycle, a.token.principal]).toEqual([type, lifecycle, principal]);
  });

  it('a Login to /services/oauth2/token is an OAuth token issuance', () => {
    const a = login({ URI: '/services/oauth2/token', BROWSER_TYPE: 'python-requests/2.31.0' });
    expect([a.token.type, a.token.lifecycle, a.token.principal]).toEqual([
      'oauth_access_token',
      'authorized',
      'machine',
    ]);
  });

  it('a SOAP login (API type with a real version) is an API-key login; 9998.0 is a UI login', () => {
    const soap = login({ API_TYPE: 'E', API_VERSION: '58.0', BROWSER_TYPE: 'Apache-HttpClient/4.5.13' });
    expect([soap.token.type, soap.tokenwatch.api_type]).toEqual(['api_key', 'SOAP']);
    const ui = login({ API_TYPE: 'f', API_VERSION: '9998.0', BROWSER_TYPE: 'Mozilla/5.0 (Windows NT 10.0)' });
    expect([ui.token.type, ui.tokenwatch.api_type, ui.token.principal]).toEqual([
      'session',
      undefined,
      'human',
    ]);
  });

  it('Logout -> used (ends a session, revokes nothing); LoginAs -> used with the delegated user as impersonated_user', () => {
    expect(activity(normalizeSalesforce(elf({ EVENT_TYPE: 'Logout' }))).token.lifecycle).toBe('used');
    const la = activity(
      normalizeSalesforce(
        elf({
          EVENT_TYPE: 'LoginAs',
          DELEGATED_USER_NAME: 'admin@example.com',
          DELEGATED_USER_ID: '0055j00000AT6I1',
        }),
      ),
    );
    expect(la.token.lifecycle).toBe('used');
    expect(la.tokenwatch.impersonated_user).toBe('admin@example.com');
    expect(la.related.user).toEqual([USER18, '0055j00000AT6I1AAL', 'admin@example.com']);
    const rt = activity(
      normalizeSalesforce(rtem('LoginAsEvent', { DelegatedUsername: 'admin@example.com' })),
    );
    expect([rt.tokenwatch.impersonated_user, rt.event.category]).toEqual([
      'admin@example.com',
      ['authentication', 'session'],
    ]);
  });

  it('API calls without a connected app: browser -> session/human, script -> api_key/machine', () => {
    const browser = activity(
      normalizeSalesforce(
        elf({ EVENT_TYPE: 'RestApi', USER_AGENT: 'Mozilla/5.0 (Windows NT 10.0) Chrome/124.0' }),
      ),
    );
    expect([browser.token.type, browser.token.principal]).toEqual(['session', 'human']);
    const script = activity(normalizeSalesforce(elf({ EVENT_TYPE: 'RestApi', USER_AGENT: 'curl/8.4.0' })));
    expect([script.token.type, script.token.principal]).toEqual(['api_key', 'machine']);
  });
});

describe('api type, resource, volume, outcome', () => {
  it.each([
    ['API', { API_TYPE: 'P' }, 'SOAP'],
    ['API', { API_TYPE: 'E' }, 'SOAP'],
    ['API', { API_TYPE: 'T' }, 'Tooling'],
    ['API', { API_TYPE: 'M' }, 'Metadata'],
    ['API', { API_TYPE: 'R' }, 'REST'],
    ['RestApi', {}, 'REST'],
    ['BulkApi', {}, 'Bulk'],
    ['BulkApi2', {}, 'Bulk2'],
    ['ApiTotalUsage', { API_FAMILY: 'REST' }, 'REST'],
  ])('%s %j -> %s', (type, extra, apiType) => {
    expect(activity(normalizeSalesforce(elf({ EVENT_TYPE: type, ...extra }))).tokenwatch.api_type).toBe(
      apiType,
    );
  });

  it.each([
    ['SOAP Partner', 'SOAP'],
    ['REST', 'REST'],
    ['Bulk', 'Bulk'],
    ['N/A', undefined],
  ])('RTEM ApiType %s -> %s', (apiType, expected) => {
    expect(activity(normalizeSalesforce(rtem('ApiEvent', { ApiType: apiType }))).tokenwatch.api_type).toBe(
      expected,
    );
  });

  it('resource: ENTITY_NAME / ENTITY_TYPE / QueriedEntities as sobject, report id for exports', () => {
    const api = activity(normalizeSalesforce(elf({ EVENT_TYPE: 'API', ENTITY_NAME: 'Account, Contact' })));
    expect(api.tokenwatch.resource).toEqual({ type: 'sobject', name: 'Account,Contact' });
    const bulk = activity(normalizeSalesforce(elf({ EVENT_TYPE: 'BulkApi', ENTITY_TYPE: 'Lead' })));
    expect(bulk.tokenwatch.resource).toEqual({ type: 'sobject', name: 'Lead' });
    const ev = activity(normalizeSalesforce(rtem('ApiEvent', { QueriedEntities: 'Opportunity' })));
    expect(ev.tokenwatch.resource).toEqual({ type: 'sobject', name: 'Opportunity' });
    const rep = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'ReportExport', URI: '/00O5j000004XyZa?export=1' })),
    );
    expect(rep.tokenwatch.resource).toEqual({ type: 'report', name: '00O5j000004XyZaEAK' });
    expect(rep.event.category).toEqual(['file']);
    // RTEM ReportEvent names the same report the same way.
    const re = activity(
      normalizeSalesforce(
        rtem('ReportEvent', { ReportId: '00O5j000004XyZa', QueriedEntities: 'Lead', RowsProcessed: 18250 }),
      ),
    );
    expect([re.tokenwatch.resource, re.tokenwatch.volume, re.event.category]).toEqual([
      { type: 'report', name: '00O5j000004XyZaEAK' },
      { rows: 18250 },
      ['file'],
    ]);
  });

  it('volume: ROWS_PROCESSED / RowsProcessed / Records, bytes from RESPONSE_SIZE', () => {
    const api = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'API', ROWS_PROCESSED: '48211', RESPONSE_SIZE: '91234567' })),
    );
    expect(api.tokenwatch.volume).toEqual({ rows: 48211, bytes: 91234567 });
    const ev = activity(normalizeSalesforce(rtem('ApiEvent', { RowsProcessed: 2000 })));
    expect(ev.tokenwatch.volume).toEqual({ rows: 2000 });
    const rec = activity(normalizeSalesforce(rtem('ApiEvent', { Records: '{"totalSize":7,"records":[]}' })));
    expect(rec.tokenwatch.volume).toEqual({ rows: 7 });
    const none = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'API', ROWS_PROCESSED: '', RESPONSE_SIZE: 'N/A' })),
    );
    expect(none.tokenwatch.volume).toBeUndefined();
  });

  it.each([
    [{ EVENT_TYPE: 'Login', LOGIN_STATUS: 'LOGIN_NO_ERROR' }, 'success'],
    [{ EVENT_TYPE: 'Login', LOGIN_STATUS: 'LOGIN_ERROR_INVALID_PASSWORD' }, 'failure'],
    [{ EVENT_TYPE: 'Login', REQUEST_STATUS: 'Failed' }, 'failure'],
    [{ EVENT_TYPE: 'RestApi', STATUS_CODE: '200' }, 'success'],
    [{ EVENT_TYPE: 'RestApi', STATUS_CODE: '403', REQUEST_STATUS: 'S' }, 'failure'],
    [{ EVENT_TYPE: 'URI', REQUEST_STATUS: 'A' }, 'failure'],
    [{ EVENT_TYPE: 'URI', REQUEST_STATUS: 'R' }, 'success'],
    [{ EVENT_TYPE: 'URI', REQUEST_STATUS: 'U' }, 'unknown'],
    [{ EVENT_TYPE: 'BulkApi2', JOB_STATUS: 'Failed' }, 'failure'],
    [{ EVENT_TYPE: 'API', EXCEPTION_MESSAGE: 'INVALID_FIELD' }, 'failure'],
    [{ EVENT_TYPE: 'API' }, 'unknown'],
    [{ EVENT_TYPE: 'Logout' }, 'success'],
  ])('%j -> %s', (values, outcome) => {
    expect(activity(normalizeSalesforce(elf(values))).event.outcome).toBe(outcome);
  });

  it('RTEM Status and PolicyOutcome', () => {
    const failed = rtem('LoginEvent', { Status: 'Failed: Missing Consumer Key Parameter' });
    expect(activity(normalizeSalesforce(failed)).event.outcome).toBe('failure');
    const blocked = rtem('ApiEvent', { PolicyOutcome: 'Block' });
    expect(activity(normalizeSalesforce(blocked)).event.outcome).toBe('failure');
  });

  it('401/403 API calls get event.type denied', () => {
    const a = activity(normalizeSalesforce(elf({ EVENT_TYPE: 'RestApi', STATUS_CODE: '401' })));
    expect(a.event.type).toEqual(['access', 'denied']);
  });

  it('reports a leaked access token in a URI without copying it', () => {
    const token = '00D5j000000VI3n!AQ4AQFakeTokenValue1234567890abcdef';
    const a = activity(
      normalizeSalesforce(elf({ EVENT_TYPE: 'URI', URI: `/secur/frontdoor.jsp?sid=${token}` })),
    );
    expect(a.tokenwatch.secret_exposures).toEqual([
      { kind: 'salesforce_access_token', field: 'URI', fingerprint: sha32(token) },
    ]);
    expect(a.tokenwatch.resource).toEqual({ type: 'uri', name: '/secur/frontdoor.jsp' });
    expect(JSON.stringify(a)).not.toContain(token);
  });
});

describe('dead letters and skips', () => {
  it('no user at all -> no_principal', () => {
    const r = normalizeSalesforce(elf({ EVENT_TYPE: 'URI', USER_ID: '' }));
    expect(r.kind === 'dead' && [r.dead.code, r.dead.location]).toEqual(['no_principal', 'test.csv:2']);
    const bad = normalizeSalesforce(elf({ EVENT_TYPE: 'URI', USER_ID: 'nobody' }));
    expect(bad.kind === 'dead' && bad.dead.reason).toMatch(/"nobody" is not a Salesforce id/);
    const rt = normalizeSalesforce(rtem('ApiEvent', { UserId: null }));
    expect(rt.kind === 'dead' && rt.dead.code).toBe('no_principal');
  });

  it('a username without a user id (failed login of an unknown user) still yields an activity', () => {
    const a = activity(
      normalizeSalesforce(
        rtem('LoginEvent', { UserId: null, Username: 'Ghost@Example.com', Status: 'Invalid Password' }),
      ),
    );
    expect(a.token).toMatchObject({ id: 'salesforce:username:ghost@example.com', key_kind: 'principal' });
    expect(a.event.outcome).toBe('failure');
  });

  it('skips records that are not about a credential', () => {
    const hr = normalizeSalesforce(elf({ EVENT_TYPE: 'HostnameRedirects', USER_ID: '' }));
    expect(hr.kind === 'skipped' && hr.skipped.reason).toMatch(/not about a credential/);
    const guest = normalizeSalesforce(elf({ EVENT_TYPE: 'URI', USER_TYPE: 'G' }));
    expect(guest.kind).toBe('skipped');
    expect(normalizeSalesforce(elf({ EVENT_TYPE: 'ApexTrigger' })).kind).toBe('skipped');
    expect(normalizeSalesforce(rtem('SessionHijackingEventStore', {})).kind).toBe('skipped');
    expect(normalizeSalesforce(rtem('cometd:meta', {})).kind).toBe('skipped');
  });

  it('schema problems are schema_invalid, with the location kept', () => {
    const nested = normalizeSalesforce({
      source: 'salesforce',
      value: { EVENT_TYPE: 'API', USER_ID: { a: 1 } },
      location: 'x:9',
    });
    expect(nested.kind === 'dead' && [nested.dead.code, nested.dead.location]).toEqual([
      'schema_invalid',
      'x:9',
    ]);
    const noType = normalizeSalesforce(elf({ EVENT_TYPE: '' }, 'EventLogFile'));
    expect(noType.kind === 'dead' && noType.dead.code).toBe('schema_invalid');
    const unknown = normalizeSalesforce({ source: 'salesforce', value: { foo: 1 }, location: 'x:1' });
    expect(unknown.kind === 'dead' && unknown.dead.code).toBe('schema_invalid');
  });

  it('uses the family hint when the row has no EVENT_TYPE', () => {
    const r = elf({}, 'EventLogFile:BulkApi2');
    expect(activity(normalizeSalesforce(r)).event.action).toBe('BulkApi2');
  });
});

describe('RTEM shapes: Pub/Sub dates, page-view events, EventLogFile metadata rows', () => {
  it('epoch-ms EventDate (Pub/Sub Avro timestamp-millis, number or 13-digit string) is event time', () => {
    expect(
      activity(normalizeSalesforce(rtem('LogoutEvent', { EventDate: 1751360400123 })))['@timestamp'],
    ).toBe('2025-07-01T09:00:00.123Z');
    expect(
      activity(normalizeSalesforce(rtem('LogoutEvent', { EventDate: '1751360400123' })))['@timestamp'],
    ).toBe('2025-07-01T09:00:00.123Z');
  });

  it('UriEvent, LightningUriEvent and ListViewEvent are web access like their ELF twins', () => {
    const uri = activity(
      normalizeSalesforce(
        rtem('UriEvent', { Operation: 'Read', OperationStatus: 'FAILURE', QueriedEntities: 'Account' }),
      ),
    );
    expect(uri.event.category).toEqual(['web']);
    expect(uri.event.outcome).toBe('failure');
    expect(uri.tokenwatch.resource).toEqual({ type: 'sobject', name: 'Account' });
    const page = activity(
      normalizeSalesforce(
        rtem('LightningUriEvent', { PageUrl: '/lightning/page/home?x=1', Operation: 'Read' }),
      ),
    );
    expect(page.tokenwatch.resource).toEqual({ type: 'uri', name: '/lightning/page/home' });
    const list = activity(
      normalizeSalesforce(
        rtem('ListViewEvent', { ListViewId: '00B', QueriedEntities: 'Account', RowsProcessed: 2000 }),
      ),
    );
    expect(list.tokenwatch.volume).toEqual({ rows: 2000 });
  });

  it('an EventLogFile query-result row is skipped with its reason, not dead-lettered', () => {
    const row: RawRecord = {
      source: 'salesforce',
      value: {
        attributes: { type: 'EventLogFile' },
        Id: '0AT',
        EventType: 'Login',
        LogFile: '/services/x/LogFile',
      },
      family: 'EventLogFile',
      location: 'q.json#records[0]',
    };
    const result = normalizeSalesforce(row);
    expect(result.kind === 'skipped' && result.skipped.reason).toBe(
      'EventLogFile metadata row: download LogFile',
    );
  });
});
