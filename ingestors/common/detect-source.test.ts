import { describe, expect, it } from 'vitest';
import { ingestors } from '../index.js';
import { detectSource } from './detect-source.js';

describe('detectSource', () => {
  it.each([
    ['ELF CSV by name', 'anything', 'LoginEvents-2025-06-01.csv', 'salesforce'],
    [
      'ELF CSV header',
      '"EVENT_TYPE","TIMESTAMP","REQUEST_ID"\n"API","20231218054831.655","4x"',
      'x.log',
      'salesforce',
    ],
    ['ELF CSV header (unquoted, later column)', 'TIMESTAMP,EVENT_TYPE,USER_ID\n', undefined, 'salesforce'],
    [
      'SOQL page',
      '{"totalSize":1,"done":true,"records":[{"attributes":{"type":"LoginEvent","url":"/x"}}]}',
      undefined,
      'salesforce',
    ],
    [
      'RTEM NDJSON',
      '{"EventIdentifier":"a1b2","EventDate":"2024-07-08T07:26:18.239+0000"}',
      undefined,
      'salesforce',
    ],
    [
      'streaming envelope',
      '{"channel":"/event/ApiEventStream","data":{"payload":{}}}',
      undefined,
      'salesforce',
    ],
    ['Reports API page', '{"kind":"admin#reports#activities","items":[]}', undefined, 'google_workspace'],
    [
      'activity NDJSON',
      '{"id":{"time":"2025-06-03T09:15:22Z","applicationName":"token"}}',
      undefined,
      'google_workspace',
    ],
    [
      'GitHub NDJSON',
      '{"@timestamp":1748851200123,"action":"git.clone","actor":"alice"}',
      undefined,
      'github',
    ],
    [
      'GitHub REST array',
      '[\n  {\n    "action": "repo.create",\n    "created_at": 1, "actor": "a"\n  }\n]',
      'audit.json',
      'github',
    ],
    ['GitHub with only hashed_token', '{"action":"git.clone","hashed_token":"x="}', undefined, 'github'],
  ])('%s', (_name, text, filename, expected) => {
    expect(detectSource(text, filename)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['unrelated JSON', '{"hello":"world"}'],
    ['action without actor/time/token', '{"action":"x"}'],
    ['plain text', 'just some log line'],
  ])('returns undefined for %s', (_name, text) => {
    expect(detectSource(text)).toBeUndefined();
  });
});

describe('ingestors registry', () => {
  it('has one ingestor per source, keyed by its own source', () => {
    for (const [source, ingestor] of Object.entries(ingestors)) expect(ingestor.source).toBe(source);
    expect(Object.keys(ingestors).sort()).toEqual(['github', 'google_workspace', 'salesforce']);
  });
});
