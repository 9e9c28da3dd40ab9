import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { type CaseInput, caseSchema } from './case-file.js';
import { CaseFileError } from './errors.js';
import { inputText } from './input-text.js';
import { durationMs, expandRepeat, repeatedId, shiftTime } from './repeat.js';

const DAY = 86_400_000;

/** Character classes of an id: digit 9, lower a, upper A, others kept. */
const shape = (id: string): string => id.replace(/[0-9]/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A');

/** Normalizes a case input through the real ingestors (what run-cases does). */
function normalize(input: CaseInput): { activities: TokenActivity[]; other: string[] } {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
  const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
  const activities: TokenActivity[] = [];
  const other: string[] = [];
  for (const n of pipeline.normalize(inputText(input), { source: input.source, location: 'test' })) {
    if (n.kind === 'activity') activities.push(n.activity);
    else other.push(n.kind);
  }
  return { activities, other };
}

// GitHub enterprise audit log event (docs.github.com "Using the audit log API for your
// enterprise": `@timestamp` epoch ms, `_document_id`, `created_at`); shape as in
// detectors/token-session-concurrent-networks/cases.
const githubFetch = {
  '@timestamp': 1748790600000, // 2025-06-01T15:10:00Z
  _document_id: 'aae79099230de48df0cb57',
  action: 'git.fetch',
  actor: 'akumar',
  actor_ip: '73.7.34.86',
  created_at: 1748790600000,
  hashed_token: 'N8wxfkk3E4fhqoSI0x1q6N9unLBxiaggY7I3GHskIuA=',
  programmatic_access_type: 'Personal access token (classic)',
  org: 'northwind',
  repo: 'northwind/billing-api',
};

// Reports API activity (developers.google.com/workspace/admin/reports/v1/reference/activities:
// id.time RFC 3339, id.uniqueQualifier int64; login_timestamp parameter in microseconds).
const workspaceLogin = {
  kind: 'admin#reports#activity',
  id: {
    time: '2025-06-02T08:00:00.000Z',
    uniqueQualifier: '9200000000000000001',
    applicationName: 'login',
    customerId: 'C03az79cb',
  },
  actor: { email: 'dana@acme.example', profileId: '114000000000000000042', callerType: 'USER' },
  ipAddress: '81.2.69.142',
  events: [
    {
      type: 'login',
      name: 'login_success',
      parameters: [
        { name: 'login_type', value: 'google_password' },
        { name: 'login_timestamp', intValue: '1748851200000000' },
      ],
    },
  ],
};

// EventLogFile Login row (Salesforce "Login Event Type": TIMESTAMP yyyyMMddHHmmss.SSS,
// TIMESTAMP_DERIVED ISO 8601, REQUEST_ID); values as in ingestors/salesforce/fixtures/elf-login.csv.
const elfLogin = {
  EVENT_TYPE: 'Login',
  TIMESTAMP: '20250602080000.13',
  REQUEST_ID: '4lGJ1R0ZSWVXwFl1cJIRH-',
  ORGANIZATION_ID: '00D5j000000VI3n',
  USER_ID: '0055j000000utlP',
  URI: '/index.jsp',
  LOGIN_KEY: 'NK2oPJrJze8tH+vC',
  USER_TYPE: 'Standard',
  BROWSER_TYPE:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  USER_NAME: 'dana@acme.example',
  TIMESTAMP_DERIVED: '2025-06-02T08:00:00.130Z',
  USER_ID_DERIVED: '0055j000000utlPAAQ',
  CLIENT_IP: '81.2.69.142',
  LOGIN_STATUS: 'LOGIN_NO_ERROR',
  SOURCE_IP: '81.2.69.142',
};

describe('repeat: times and ids of each repetition', () => {
  it('GitHub: @timestamp and created_at shift by k days, _document_id stays 22 hex and unique', () => {
    const out = expandRepeat('github', [githubFetch], { every: 'P1D', times: 30 });
    expect(out).toHaveLength(30);
    expect(out[0]).toEqual(githubFetch);
    const last = out[29] as Record<string, unknown>;
    expect(last['@timestamp']).toBe(1748790600000 + 29 * DAY); // 2025-06-30T15:10:00Z
    expect(new Date(last['@timestamp'] as number).toISOString()).toBe('2025-06-30T15:10:00.000Z');
    expect(last.created_at).toBe(1748790600000 + 29 * DAY);
    expect(last._document_id).toMatch(/^[0-9a-f]{22}$/);
    expect(new Set(out.map((r) => r._document_id)).size).toBe(30);
    expect(last.hashed_token).toBe(githubFetch.hashed_token);
    expect(githubFetch['@timestamp']).toBe(1748790600000); // the template is not mutated
  });

  it('Workspace: id.time and login_timestamp shift by k * 8 h, uniqueQualifier stays an int64 of 19 digits', () => {
    const out = expandRepeat('google_workspace', [workspaceLogin], { every: 'PT8H', times: 10 });
    const last = out[9] as typeof workspaceLogin;
    expect(out[0]).toEqual(workspaceLogin);
    expect(last.id.time).toBe('2025-06-05T08:00:00.000Z'); // + 72 h
    expect(last.events[0]?.parameters[1]).toEqual({ name: 'login_timestamp', intValue: '1749110400000000' });
    const qualifiers = out.map((r) => (r as typeof workspaceLogin).id.uniqueQualifier);
    expect(new Set(qualifiers).size).toBe(10);
    for (const q of qualifiers.slice(1)) {
      expect(q).toMatch(/^[1-8]\d{18}$/);
      expect(BigInt(q) <= 9223372036854775807n).toBe(true);
    }
  });

  it('Salesforce ELF: TIMESTAMP keeps its compact form and 2 fraction digits, REQUEST_ID its shape', () => {
    const out = expandRepeat('salesforce_elf', [elfLogin], { every: 'P1D', times: 3 });
    const last = out[2] as typeof elfLogin;
    expect(last.TIMESTAMP).toBe('20250604080000.13');
    expect(last.TIMESTAMP_DERIVED).toBe('2025-06-04T08:00:00.130Z');
    expect(shape(last.REQUEST_ID)).toBe(shape(elfLogin.REQUEST_ID)); // 9aAA9A9AAAAAaAa9aAAAA-
    expect(last.REQUEST_ID).not.toBe(elfLogin.REQUEST_ID);
    // a new login session per repetition, the same for every row of the template that shared it
    expect(last.LOGIN_KEY).not.toBe(elfLogin.LOGIN_KEY);
    expect(shape(last.LOGIN_KEY)).toBe(shape(elfLogin.LOGIN_KEY));
    const api = { ...elfLogin, EVENT_TYPE: 'RestApi', REQUEST_ID: '4nQgAiSs9WefFl1cJKx6Hh' };
    const [, , apiLast] = expandRepeat('salesforce_elf', [api], { every: 'P1D', times: 3 });
    expect(apiLast?.LOGIN_KEY).toBe(last.LOGIN_KEY);
  });

  it('Salesforce RTEM: EventDate shifts, EventIdentifier is new', () => {
    const rtem = {
      attributes: { type: 'LoginEvent' },
      EventDate: '2025-06-02T08:00:00Z',
      EventIdentifier: '7ac1c0ff-0a2c-4f06-9b5c-4c1b6a3c9f10',
    };
    const [, second] = expandRepeat('salesforce_rtem', [rtem], { every: 'PT30M', times: 2 });
    expect(second?.EventDate).toBe('2025-06-02T08:30:00Z');
    expect(second?.EventIdentifier).toMatch(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/);
    expect(second?.EventIdentifier).not.toBe(rtem.EventIdentifier);
  });

  it('keeps a TID: prefix and is deterministic', () => {
    expect(repeatedId('TID:1234567890000abcde', 3)).toMatch(/^TID:[0-9a-f]{18}$/);
    expect(repeatedId('TID:1234567890000abcde', 3)).toBe(repeatedId('TID:1234567890000abcde', 3));
    expect(repeatedId('TID:1234567890000abcde', 3)).not.toBe(repeatedId('TID:1234567890000abcde', 4));
    expect(repeatedId('abc', 0)).toBe('abc');
  });

  it('shifts epoch seconds, digit strings and ISO text without a fraction in their own form', () => {
    expect(shiftTime(1748790600, DAY, 'x')).toBe(1748877000);
    expect(shiftTime('1748790600000', DAY, 'x')).toBe('1748877000000');
    expect(shiftTime('2025-06-02T23:30:00Z', 3_600_000, 'x')).toBe('2025-06-03T00:30:00Z');
  });

  it('rejects durations without a fixed length, and records without a time', () => {
    expect(durationMs('PT8H')).toBe(8 * 3_600_000);
    expect(durationMs('P1W')).toBe(7 * DAY);
    expect(() => durationMs('P1M')).toThrow(CaseFileError);
    expect(() => durationMs('8h')).toThrow(/not an ISO 8601 duration/);
    expect(() => expandRepeat('github', [{ action: 'git.fetch' }], { every: 'P1D', times: 2 })).toThrow(
      /no @timestamp or created_at/,
    );
  });
});

describe('repeat through the real ingestors', () => {
  it('GitHub: 30 distinct events, the 30th 29 days after the first', () => {
    const { activities, other } = normalize({
      source: 'github',
      records: [githubFetch],
      repeat: { every: 'P1D', times: 30 },
    });
    expect(other).toEqual([]);
    expect(activities).toHaveLength(30);
    expect(new Set(activities.map((a) => a.event.id)).size).toBe(30);
    expect(activities[0]?.['@timestamp']).toBe('2025-06-01T15:10:00.000Z');
    expect(activities[29]?.['@timestamp']).toBe('2025-06-30T15:10:00.000Z');
  });

  it('Workspace: 21 distinct events every 8 hours', () => {
    const { activities, other } = normalize({
      source: 'google_workspace',
      records: [workspaceLogin],
      repeat: { every: 'PT8H', times: 21 },
    });
    expect(other).toEqual([]);
    expect(activities).toHaveLength(21);
    expect(new Set(activities.map((a) => a.event.id)).size).toBe(21);
    expect(activities[20]?.['@timestamp']).toBe('2025-06-09T00:00:00.000Z'); // + 160 h
  });

  it('Salesforce ELF rows: one CSV, 14 distinct Login events a day apart', () => {
    const input: CaseInput = { source: 'salesforce', rows: [elfLogin], repeat: { every: 'P1D', times: 14 } };
    expect(inputText(input).split('\n')[0]).toBe(
      `${Object.keys(elfLogin)
        .map((c) => `"${c}"`)
        .join(',')}`,
    );
    const { activities, other } = normalize(input);
    expect(other).toEqual([]);
    expect(activities).toHaveLength(14);
    expect(new Set(activities.map((a) => a.event.id)).size).toBe(14);
    expect(activities[13]?.['@timestamp']).toBe('2025-06-15T08:00:00.130Z');
  });
});

describe('case schema', () => {
  const base = { name: 'n', description: 'd', expect: [] };
  it('accepts a repeated warm-up and rejects repeat on text, rows outside Salesforce, two bodies', () => {
    const ok = caseSchema.safeParse({
      ...base,
      warmup: [{ source: 'github', records: [githubFetch], repeat: { every: 'P1D', times: 30 } }],
      records: [{ source: 'github', records: [githubFetch] }],
    });
    expect(ok.success).toBe(true);
    const bad = (input: unknown): string => {
      const r = caseSchema.safeParse({ ...base, records: [input] });
      return r.success ? 'ok' : r.error.issues.map((i) => i.message).join('; ');
    };
    expect(bad({ source: 'salesforce', text: 'x', repeat: { every: 'P1D', times: 2 } })).toMatch(/not text/);
    expect(bad({ source: 'github', rows: [{ A: '1' }] })).toMatch(/source must be salesforce/);
    expect(bad({ source: 'github', records: [], text: '' })).toMatch(/exactly one of records, rows, text/);
    expect(bad({ source: 'github', records: [githubFetch], repeat: { every: 'P1M', times: 2 } })).toMatch(
      /no fixed length/,
    );
  });
});
