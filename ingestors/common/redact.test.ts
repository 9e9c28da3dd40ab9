import { describe, expect, it } from 'vitest';
import { fingerprint16 } from './ids.js';
import { redactRecord, redactText } from './redact.js';

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
