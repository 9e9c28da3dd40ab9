import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importKibanaAssets, KibanaImportError, writerRole } from './setup.js';

const files = {
  savedObjects: fileURLToPath(new URL('../../kibana/tokenwatch-saved-objects.ndjson', import.meta.url)),
  rules: fileURLToPath(new URL('../../kibana/tokenwatch-detection-rules.ndjson', import.meta.url)),
};

interface Seen {
  url: string;
  headers: Record<string, string>;
  file: string;
  name: string;
}

/** A fetch that records the multipart import requests and answers like Kibana. */
function fakeKibana(answers: Record<string, { status: number; body: unknown }>) {
  const seen: Seen[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const form = init?.body as FormData;
    const file = form.get('file') as File;
    seen.push({
      url,
      headers: init?.headers as Record<string, string>,
      file: await file.text(),
      name: file.name,
    });
    const path = new URL(url).pathname;
    const a = answers[path] ?? { status: 404, body: { message: 'not found' } };
    return new Response(JSON.stringify(a.body), { status: a.status });
  }) as typeof fetch;
  return { seen, fetchFn };
}

describe('importKibanaAssets', () => {
  it('posts both NDJSON files as multipart "file" with kbn-xsrf and basic auth, overwriting', async () => {
    const { seen, fetchFn } = fakeKibana({
      '/api/saved_objects/_import': { status: 200, body: { success: true, successCount: 12 } },
      '/api/detection_engine/rules/_import': {
        status: 200,
        body: { success: true, success_count: 1, errors: [], rules_count: 1 },
      },
    });
    const result = await importKibanaAssets(
      { url: 'http://kibana:5601/', username: 'elastic', password: 'pw', fetch: fetchFn },
      files,
    );
    expect(result.map((r) => r.imported)).toEqual([12, 1]);
    expect(seen.map((s) => s.url)).toEqual([
      'http://kibana:5601/api/saved_objects/_import?overwrite=true',
      'http://kibana:5601/api/detection_engine/rules/_import?overwrite=true',
    ]);
    for (const s of seen) {
      expect(s.headers['kbn-xsrf']).toBeTruthy();
      expect(s.headers['authorization']).toBe(`Basic ${Buffer.from('elastic:pw').toString('base64')}`);
    }
    expect(seen[0]?.name).toBe('tokenwatch-saved-objects.ndjson');
    expect(seen[0]?.file.split('\n').filter(Boolean).length).toBe(14);
    expect(seen[1]?.file).toContain('"rule_id"');
  });

  it('a partial import (200 with success false) is an error naming what failed', async () => {
    const { fetchFn } = fakeKibana({
      '/api/saved_objects/_import': {
        status: 200,
        body: {
          success: false,
          successCount: 11,
          errors: [{ id: 'tokenwatch-overview', error: { type: 'missing_references' } }],
        },
      },
    });
    const err = await importKibanaAssets({ url: 'http://k', fetch: fetchFn }, files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KibanaImportError);
    expect((err as Error).message).toContain('tokenwatch-overview');
    expect((err as KibanaImportError).retriable).toBe(false);
  });

  it('Kibana still starting (503) is a retriable error; 401 is not', async () => {
    for (const [status, retriable] of [
      [503, true],
      [401, false],
    ] as const) {
      const { fetchFn } = fakeKibana({ '/api/saved_objects/_import': { status, body: { message: 'x' } } });
      const err = await importKibanaAssets({ url: 'http://k', fetch: fetchFn }, files).catch(
        (e: unknown) => e,
      );
      expect((err as KibanaImportError).retriable).toBe(retriable);
    }
  });
});

describe('writerRole', () => {
  it('grants only tokenwatch indices, and the privileges serve uses', () => {
    const role = writerRole() as { cluster: string[]; indices: { names: string[]; privileges: string[] }[] };
    expect(role.cluster.sort()).toEqual(['manage_index_templates', 'monitor']);
    expect(role.indices.flatMap((i) => i.names).sort()).toEqual([
      'logs-tokenwatch.activity-*',
      'logs-tokenwatch.alert-*',
      'tokenwatch-identities-*',
      'tokenwatch-tokens-*',
    ]);
  });
});
