import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../baselines/seeded-random.js';
import { fingerprint16 } from './ids.js';
import { needsRedaction, redactRecord, redactText } from './redact.js';

const GHP = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const GHS = 'ghs_abcdefghijklmnopqrstuvwxyz0123456789';
const FINE = `github_pat_11ABCDEFG0123456789abc_${'x'.repeat(59)}`;
const YA29 = 'ya29.a0AfB_byC-1234567890abcdefghijklmnopqrstuvwxyz';
const SF_SID = '00D5e000000AbCd!AQ0AQLx7cZ9nZ0G3h0mU.Dr1vXyzQ8tZxK2lA_b4Q7';
const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const AWS = 'AKIAIOSFODNN7EXAMPLE';

describe('redactText', () => {
  it.each([
    ['classic PAT', `token ${GHP} leaked`, 'github_pat_classic', GHP],
    ['server-to-server token', `x ${GHS}`, 'github_server_to_server_token', GHS],
    ['fine-grained PAT', `pat=${FINE}`, 'github_pat_fine_grained', FINE],
    ['Google OAuth token', `access with ${YA29}`, 'google_oauth_token', YA29],
    ['Salesforce session id', `sid ${SF_SID} used`, 'salesforce_session_id', SF_SID],
    ['Slack token', `slack ${SLACK}`, 'slack_token', SLACK],
    ['AWS key id', `key ${AWS}.`, 'aws_access_key_id', AWS],
    [
      'Bearer JWT',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123',
      'bearer_token',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123',
    ],
    [
      'Basic credentials',
      'Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==',
      'basic_auth',
      'dXNlcjpwYXNzd29yZDEyMw==',
    ],
    ['custom Authorization value', 'authorization=sk_live_51Habc', 'authorization_header', 'sk_live_51Habc'],
    ['api_key query parameter', 'GET /v1/x?page=2&api_key=abcd1234efgh&x=1', 'query_secret', 'abcd1234efgh'],
    [
      'access_token query parameter',
      'https://h/cb?access_token=opaque-42-token',
      'query_secret',
      'opaque-42-token',
    ],
  ])('%s', (_name, input, kind, secret) => {
    const { text, exposures } = redactText(input);
    expect(text).not.toContain(secret);
    expect(text).toContain(`[REDACTED:${kind}]`);
    expect(exposures).toEqual([{ kind, field: '$raw', fingerprint: fingerprint16(secret) }]);
  });

  it('keeps the surrounding text', () => {
    expect(redactText(`clone with ${GHP} from x`).text).toBe(
      'clone with [REDACTED:github_pat_classic] from x',
    );
    expect(redactText('GET /a?api_key=abcd1234&page=2').text).toBe(
      'GET /a?api_key=[REDACTED:query_secret]&page=2',
    );
  });

  it('reports a bearer GitHub token once, with the specific kind', () => {
    const { text, exposures } = redactText(`Authorization: Bearer ${GHP}`);
    expect(text).toBe('Authorization: Bearer [REDACTED:github_pat_classic]');
    expect(exposures.map((e) => e.kind)).toEqual(['github_pat_classic']);
  });

  it('reports a Google token in access_token= once', () => {
    const { exposures } = redactText(`/cb?access_token=${YA29}&x=1`);
    expect(exposures.map((e) => e.kind)).toEqual(['google_oauth_token']);
  });

  it('is idempotent', () => {
    const once = redactText(`a ${GHP} b Bearer abcdefgh12345678`).text;
    const twice = redactText(once);
    expect(twice.text).toBe(once);
    expect(twice.exposures).toEqual([]);
  });

  it('uses the field name given', () => {
    expect(redactText(GHP, 'line').exposures[0]?.field).toBe('line');
  });

  it.each([
    ['GitHub hashed_token (base64 sha256)', 'M0n+Yy/Z7ee0fSIEWCxWHb+W2Y4rjVRLqc47hNzEy4I='],
    ['hashed_token with AKIA-looking run', 'AKIA/Yy+Z7ee0fSIEWCxWHb+W2Y4rjVRLqc47hNzEy4I='],
    ['_document_id', 'xYz-abc123_DEF7hJ9kL0mN1pQ2rS3tU4v=='],
    ['Google OAuth client id', '1234567890-abcdefghijklmnop.apps.googleusercontent.com'],
    ['Salesforce org id', '00D5e000000AbCdEAA'],
    ['Salesforce SESSION_KEY', 'vMASKIU6AxEr+Op5'],
    ['prose about ghp_ prefix', 'classic tokens start with ghp_ and are 40 chars'],
    ['Bearer in prose', 'Bearer authentication failed for user'],
    ['authorization in prose', 'authorization: required'],
    ['masked password', 'password=********'],
    ['scopes', 'repo, read:org, admin:public_key'],
    ['action name', 'oauth_access.create'],
    [
      'browser UA',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36',
    ],
    [
      'ordinary URL with key-ish params',
      'https://api.github.com/repos/o/r?per_page=100&monkey=banana&key=public',
    ],
    ['uniqueQualifier', '-4735892738473829291'],
    ['IPv6', '2001:db8::1'],
  ])('does not redact %s', (_name, input) => {
    expect(redactText(input)).toEqual({ text: input, exposures: [] });
  });
});

describe('redactRecord', () => {
  const raw = {
    action: 'git.clone',
    hashed_token: 'M0n+Yy/Z7ee0fSIEWCxWHb+W2Y4rjVRLqc47hNzEy4I=',
    token_id: 123456,
    user_agent: `git/2.43.0 ${GHP}`,
    nested: { headers: { Authorization: 'token opaque0123456789', 'X-Api-Key': 'k-9988' } },
    events: [{ parameters: [{ name: 'uri', value: `https://x/?access_token=${YA29}` }] }],
    password: '',
    flag: true,
    nothing: null,
  };

  it('redacts every string field recursively, with paths', () => {
    const { value, exposures } = redactRecord(raw);
    expect(value.user_agent).toBe('git/2.43.0 [REDACTED:github_pat_classic]');
    expect(value.nested.headers.Authorization).toBe('[REDACTED:secret_field]');
    expect(value.nested.headers['X-Api-Key']).toBe('[REDACTED:secret_field]');
    expect(value.events[0]?.parameters[0]?.value).toBe(
      'https://x/?access_token=[REDACTED:google_oauth_token]',
    );
    expect(exposures).toEqual([
      { kind: 'github_pat_classic', field: 'user_agent', fingerprint: fingerprint16(GHP) },
      {
        kind: 'secret_field',
        field: 'nested.headers.Authorization',
        fingerprint: fingerprint16('token opaque0123456789'),
      },
      { kind: 'secret_field', field: 'nested.headers.X-Api-Key', fingerprint: fingerprint16('k-9988') },
      {
        kind: 'google_oauth_token',
        field: 'events[0].parameters[0].value',
        fingerprint: fingerprint16(YA29),
      },
    ]);
  });

  it('keeps hashes, ids, empty secrets and non-strings unchanged', () => {
    const { value } = redactRecord(raw);
    expect(value.hashed_token).toBe(raw.hashed_token);
    expect(value.token_id).toBe(123456);
    expect(value.password).toBe('');
    expect(value.flag).toBe(true);
    expect(value.nothing).toBeNull();
  });

  it('never mutates its input and returns a copy', () => {
    const before = JSON.stringify(raw);
    const { value } = redactRecord(raw);
    expect(JSON.stringify(raw)).toBe(before);
    expect(value).not.toBe(raw);
    expect(value.nested).not.toBe(raw.nested);
  });

  it('keeps a partially redacted secret-named field rather than double counting', () => {
    const { value, exposures } = redactRecord({ authorization: `Bearer ${GHP}` });
    expect(value.authorization).toBe('Bearer [REDACTED:github_pat_classic]');
    expect(exposures).toHaveLength(1);
  });
});

/** True when redactRecord would find or change anything in `value` (the walk is the reference). */
function walkChanges(value: unknown): boolean {
  const { value: copy, exposures } = redactRecord(value);
  const keys = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.entries(x) : x,
    );
  return exposures.length > 0 || keys(copy) !== keys(value);
}

describe('redaction pre-check (needsRedaction on parsed string values and keys)', () => {
  const SECRETS = [
    GHP,
    FINE,
    YA29,
    SF_SID,
    SLACK,
    AWS,
    'Bearer abcdefgh12345678',
    'Basic dXNlcjpwYXNzd29yZDEyMw==',
    'authorization: token opaque0123456789',
    'GET /x?api_key=abcd1234efgh',
    'password=hunter22',
    `1//0${'z'.repeat(35)}`,
    `AIza${'q'.repeat(35)}`,
  ];
  const KEYS = [
    'password',
    'Authorization',
    'X-Api-Key',
    'apikey',
    'client_secret',
    'Access-Token',
    'api_\u212Aey', // KELVIN SIGN: lower-cases to "api_key"
    'PASSWD',
    'private-key',
    'aws_secret_access_key',
  ];

  /** Fixture records of every JSON source, as framed. */
  const fixtures = (): unknown[] => {
    const out: unknown[] = [];
    for (const dir of ['../github/fixtures', '../google-workspace/fixtures']) {
      const path = join(import.meta.dirname, dir);
      for (const f of readdirSync(path)) {
        if (f.includes('.expected.')) continue;
        const text = readFileSync(join(path, f), 'utf8');
        const values: unknown[] = [];
        for (const unit of f.endsWith('.json') ? [text] : text.split('\n')) {
          try {
            values.push(JSON.parse(unit));
          } catch {
            // fixtures hold deliberately malformed lines
          }
        }
        for (const v of values as { items?: unknown }[]) {
          out.push(...(Array.isArray(v) ? v : Array.isArray(v?.items) ? v.items : [v]));
        }
      }
    }
    return out;
  };

  /** A copy of `v` with secrets planted in some strings and secret-named keys in some objects. */
  function plant(v: unknown, random: () => number): unknown {
    if (typeof v === 'string') {
      if (random() > 0.05) return v;
      const secret = SECRETS[Math.floor(random() * SECRETS.length)] as string;
      const at = Math.floor(random() * (v.length + 1));
      return v.slice(0, at) + secret + v.slice(at);
    }
    if (Array.isArray(v)) return v.map((x) => plant(x, random));
    if (v === null || typeof v !== 'object') return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plant(x, random);
    const r = random();
    if (r < 0.03)
      o[KEYS[Math.floor(random() * KEYS.length)] as string] = random() < 0.8 ? 'opaque-value-1' : 7;
    else if (r < 0.035)
      Object.defineProperty(o, '__proto__', {
        value: { a: 1 },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return o;
  }

  /** JSON text with a few letters or slashes inside strings written as `\uXXXX` / `\/` escapes. */
  function escapeSome(json: string, random: () => number): string {
    let out = '';
    let inString = false;
    for (let i = 0; i < json.length; i++) {
      const c = json[i] as string;
      if (c === '\\') {
        out += c + (json[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = !inString;
      if (inString && /[a-zA-Z/]/.test(c) && random() < 0.01) {
        out += c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      } else out += c;
    }
    return out;
  }

  it('never clear a record the walk would change (fixtures, planted secrets and keys, escapes)', () => {
    const random = rng(11);
    const base = fixtures();
    expect(base.length).toBeGreaterThan(20);
    let changing = 0;
    let cleared = 0;
    for (let round = 0; round < 20; round++) {
      for (const record of base) {
        const planted = round === 0 ? record : plant(record, random);
        for (const text of [JSON.stringify(planted), escapeSome(JSON.stringify(planted), random)]) {
          const value = JSON.parse(text) as unknown;
          const changes = walkChanges(value);
          if (changes) changing++;
          if (!needsRedaction(value)) {
            cleared++;
            expect(changes, text).toBe(false);
          }
        }
      }
    }
    // the test exercises both outcomes
    expect(changing).toBeGreaterThan(100);
    expect(cleared).toBeGreaterThan(100);
  });

  it('remember only clear strings, and stay right when that memory fills up', () => {
    for (let round = 0; round < 2; round++) {
      expect(needsRedaction({ ua: 'git/2.43.0' })).toBe(false);
      expect(needsRedaction({ ua: `git/2.43.0 ${GHP}` })).toBe(true);
    }
    // more distinct clear strings than the memory holds (it is emptied when full)
    for (let i = 0; i < 70_000; i++) expect(needsRedaction({ [`k${i}`]: `value ${i}` })).toBe(false);
    expect(needsRedaction({ ua: `git/2.43.0 ${GHP}` })).toBe(true);
    expect(needsRedaction({ ua: 'git/2.43.0' })).toBe(false);
  });

  it('clear an ordinary audit record', () => {
    const gh =
      '{"action":"git.clone","actor":"octocat","hashed_token":"M0n+Yy/Z7ee0fSIEWCxWHb+W2Y4rjVRLqc47hNzEy4I=","token_id":1}';
    expect(needsRedaction(JSON.parse(gh))).toBe(false);
  });

  it.each([
    ['a secret in a value', `{"user_agent":"git/2 ${GHP}"}`],
    ['a secret-named key', '{"Password":"x"}'],
    ['a dash-named secret key', '{"X-API-KEY":"k"}'],
    ['a key with a KELVIN SIGN', '{"api_\u212aey":"k"}'],
    ['a \\u escape', '{"a":"\\u0067hp_x"}'],
    ['an escaped slash', '{"a":"1\\/\\/0x"}'],
    ['a __proto__ key', '{"__proto__":{"a":1}}'],
  ])('flag %s', (_name, text) => {
    expect(needsRedaction(JSON.parse(text))).toBe(true);
  });
});
