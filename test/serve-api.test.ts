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
