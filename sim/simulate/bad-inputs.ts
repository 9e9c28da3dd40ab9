/**
 * Malformed inputs for dead-letter tests, written to their own directory (never mixed into the
 * clean files): truncated JSON, binary junk, a CSV with a broken quote, wrong field types, an
 * oversized record (> 1 MiB) and an empty page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rngFor } from './prng.js';

/** The files {@link writeBadInputs} writes and what is wrong with each. */
export const BAD_INPUT_FILES: Readonly<Record<string, string>> = {
  'github-truncated.ndjson': 'valid event, then an event cut off mid-object, then a valid event',
  'github-wrong-types.ndjson':
    '@timestamp as a date string and a boolean, actor as an object, org as an array',
  'github-oversized.ndjson':
    'one ~1.01 MiB event (a 1.06 MB user_agent, over the 1 MiB record limit), then a valid event',
  'binary-junk.ndjson': 'random bytes including NUL and invalid UTF-8',
  'gws-wrong-types.ndjson':
    'Reports API page whose activities have numeric id.time, events as a string, parameters as an object',
  'gws-empty-page.json': 'a page with no items (valid, yields nothing)',
  'salesforce-broken-quote_RestApi.csv': 'EventLogFile CSV with an unterminated quoted field',
  'salesforce-wrong-types_ApiEvent.ndjson':
    'ApiEvent with RowsProcessed "many", EventDate "yesterday", UserId as a number',
};

/** Writes the malformed inputs into `dir`. Deterministic in `seed`. */
export function writeBadInputs(dir: string, seed: number): string[] {
  mkdirSync(dir, { recursive: true });
  const rng = rngFor(seed, 'bad-inputs');
  const ok = (n: number) =>
    JSON.stringify({
      '@timestamp': 1_750_000_000_000 + n,
      _document_id: `bad-input-ok-${n}`,
      action: 'git.clone',
      actor: 'octocat',
      actor_ip: '203.0.113.10',
      hashed_token: 'YmFkLWlucHV0LXRva2VuLWhhc2gtZm9yLXRlc3RzLW9ubHk=',
      programmatic_access_type: 'Personal access token (classic)',
      org: 'northwind',
      repo: 'northwind/api-service',
      created_at: 1_750_000_000_000 + n,
    });
  const files: Record<string, Buffer | string> = {
    'github-truncated.ndjson': `${ok(1)}\n${ok(2).slice(0, 97)}\n${ok(3)}\n`,
    'github-wrong-types.ndjson': `${JSON.stringify({ '@timestamp': '2025-06-01 10:00:00', _document_id: 'bad-types-1', action: 'git.push', actor: { login: 'octocat' }, org: [], created_at: true })}\n`,
    'github-oversized.ndjson': `${JSON.stringify({ '@timestamp': 1_750_000_000_000, _document_id: 'bad-oversized-1', action: 'api.request', actor: 'octocat', user_agent: 'x'.repeat(1_060_000) })}\n${ok(4)}\n`,
    'binary-junk.ndjson': Buffer.from(
      Array.from({ length: 4096 }, (_, i) => (i % 97 === 0 ? 0 : rng.int(0, 255))),
    ),
    'gws-wrong-types.ndjson': `${JSON.stringify({
      kind: 'admin#reports#activities',
      items: [
        {
          kind: 'admin#reports#activity',
          id: { time: 1750000000, uniqueQualifier: 12, applicationName: 'token' },
          actor: 'nobody',
          events: 'authorize',
        },
        {
          kind: 'admin#reports#activity',
          id: { time: 'not-a-time', applicationName: 'login' },
          events: [{ name: 'login_success', parameters: { login_type: 'saml' } }],
        },
      ],
    })}\n`,
    'gws-empty-page.json': `${JSON.stringify({ kind: 'admin#reports#activities', etag: '"empty"' })}\n`,
    'salesforce-broken-quote_RestApi.csv':
      '"EVENT_TYPE","TIMESTAMP","REQUEST_ID","USER_ID","CLIENT_IP","URI"\n' +
      '"RestApi","20250601100000.000","4exLFFQZ1234567890abcd","0055g00000AbCdE","203.0.113.7","/services/data/v62.0/query"\n' +
      '"RestApi","20250601100001.000","4exLFFQZ1234567890abce","0055g00000AbCdE","203.0.113.7","/services/data/v62.0/query?q=SELECT \n',
    'salesforce-wrong-types_ApiEvent.ndjson': `${JSON.stringify({ attributes: { type: 'ApiEvent' }, EventIdentifier: 'bad-1', EventDate: 'yesterday', UserId: 5_005_000_000, RowsProcessed: 'many', SourceIp: '999.1.1.1' })}\n`,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files);
}
