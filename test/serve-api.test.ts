/**
 * The analyst API inside `tokenwatch serve` (issue 10 item 6): mounted on the serve HTTP port
 * beside `/healthz`, over Elasticsearch (tokens from the inventory index serve writes, alerts from
 * its data stream) with the API's authentication (keys from `http.apiKeys`); the probes stay
 * public. Without a key serve does not mount it at all.
 */
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { createKafka } from './services.js';
import { githubEvent, githubTokenId } from './support/github-events.js';
import { isolatedConfig, produce, startServe, waitFor } from './support/serve-harness.js';

const T0 = Date.UTC(2025, 5, 6, 8);
const KEY = 'soc-automation:0123456789abcdef0123';
let kafka: Kafka;
beforeAll(() => {
  kafka = createKafka();
});

const withKeys = (config: Config, keys: string[]): Config => ({
  ...config,
  http: { ...config.http, apiKeys: keys },
});

describe('serve mounts the analyst API', () => {
  it('answers /api/v1 on the serve port with the API key, 401 without, probes public; tokens come from Elasticsearch', async () => {
    const config = withKeys(isolatedConfig('api'), [KEY]);
    const topic = config.kafka.topics.github;
    await produce(
      kafka,
      topic,
      Array.from({ length: 5 }, (_, i) =>
        JSON.stringify(githubEvent('git.clone', T0 + i * 60_000, { token: 'api-tok' })),
      ),
    );
    const run = startServe(config);
    try {
      const url = (await run.started).httpUrl as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitFor('consumed', () => run.lastOffset(topic) === 4);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/api/v1/tokens`)).status).toBe(401);
      expect(
        (await fetch(`${url}/api/v1/tokens`, { headers: { authorization: 'Bearer wrong-key-wrong-key-00' } }))
          .status,
      ).toBe(401);
      const auth = { authorization: `Bearer ${KEY.slice(KEY.indexOf(':') + 1)}` };
      const id = githubTokenId('api-tok');
      // the inventory index is written in the background and refreshed on its own schedule
      const body = await waitFor('token in the inventory index', async () => {
        const res = await fetch(`${url}/api/v1/tokens?limit=50`, { headers: auth });
        if (res.status !== 200) return undefined;
        const page = (await res.json()) as { items: { id: string; events: number }[] };
        return page.items.find((t) => t.id === id);
      });
      expect(body).toMatchObject({ id });
      const openapi = await fetch(`${url}/api/v1/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(((await openapi.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(
        '/api/v1/tokens',
      );
      const apps = await fetch(`${url}/api/v1/apps`, { headers: auth });
      expect(apps.status).toBe(200);
    } finally {
      await run.stop();
    }
  });

  it('judges every embedded hygiene flag in serve mode: an offboarded owner and granted-but-unused scopes', async () => {
    const config = withKeys(isolatedConfig('api-hygiene'), [KEY]);
    const topic = config.kafka.topics.github;
    const DAY = 86_400_000;
    // event times end a few days before the wall clock the console judges idle days and scope
    // windows against, so `repo` counts as used in the last 90 days
    const start = Math.floor(Date.now() / DAY) * DAY - 45 * DAY;
    // marta's and bob's classic PATs (granted `repo, read:org`), cloning for 40 days: `repo` used,
    // `read:org` never; then an org owner removes marta from the org (GitHub `org.remove_member`).
    const uses = [0, 10, 20, 30, 40].flatMap((d) => [
      githubEvent('git.clone', start + d * DAY, { token: 'marta-pat', actor: 'marta' }),
      githubEvent('git.clone', start + d * DAY + 60_000, { token: 'bob-pat', actor: 'bob' }),
    ]);
    const removal = {
      ...githubEvent('org.remove_member', start + 41 * DAY, { token: 'unused', actor: 'owner-admin' }),
      user: 'marta',
      user_id: 5002,
      operation_type: 'remove',
      hashed_token: undefined,
      programmatic_access_type: undefined,
      token_id: undefined,
      token_scopes: undefined,
      user_agent:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    };
    await produce(
      kafka,
      topic,
      [...uses, removal].map((e) => JSON.stringify(e)),
    );
    const run = startServe(config);
    try {
      const url = (await run.started).httpUrl as string;
      await waitFor('consumed', () => run.lastOffset(topic) === uses.length);
      const auth = { authorization: `Bearer ${KEY.slice(KEY.indexOf(':') + 1)}` };
      type Row = {
        id: string;
        state: string;
        flags: string[];
        scopes_unused: string[];
        scopes_used_90d: string[];
        offboarding?: { action: string; source: string; by?: string };
      };
      const rows = await waitFor('both PATs and the offboarding in Elasticsearch', async () => {
        const res = await fetch(`${url}/api/v1/tokens?limit=50`, { headers: auth });
        if (res.status !== 200) return undefined;
        const page = (await res.json()) as { items: Row[] };
        const marta = page.items.find((t) => t.id === githubTokenId('marta-pat'));
        const bob = page.items.find((t) => t.id === githubTokenId('bob-pat'));
        return marta?.state === 'owner_offboarded' && bob ? { marta, bob } : undefined;
      });
      expect(rows.marta.flags).toEqual(expect.arrayContaining(['owner_offboarded', 'unused_scopes']));
      expect(rows.marta.offboarding).toMatchObject({
        action: 'org.remove_member',
        source: 'github',
        by: 'owner-admin',
      });
      expect(rows.marta.scopes_unused).toEqual(['read:org']);
      expect(rows.marta.scopes_used_90d).toEqual(['repo']);
      expect(rows.bob.state).toBe('live');
      expect(rows.bob.flags).toContain('unused_scopes');
      expect(rows.bob.flags).not.toContain('owner_offboarded');
      // the API's flag filter works over Elasticsearch like over the embedded state
      const off = await fetch(`${url}/api/v1/tokens?flag=owner_offboarded`, { headers: auth });
      expect(((await off.json()) as { items: Row[] }).items.map((r) => r.id)).toEqual([
        githubTokenId('marta-pat'),
      ]);
    } finally {
      await run.stop();
    }
  });

  it('does not mount the API without a key (serve never runs it unauthenticated)', async () => {
    const config = withKeys(isolatedConfig('noapi'), []);
    const run = startServe(config);
    try {
      const url = (await run.started).httpUrl as string;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/api/v1/tokens`)).status).toBe(404);
    } finally {
      await run.stop();
    }
  });
});
