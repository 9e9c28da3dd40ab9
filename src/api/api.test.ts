import { rmSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/fixture.js';
import type { Alert } from '../../schemas/alert.js';
import { appendAlertLog } from './alert-log.js';
import { checkAuthOptions } from './auth.js';
import { EmbeddedStore } from './embedded-store.js';
import { buildConsoleServer } from './server.js';
import { alertAt, fixtureState, HOSTILE, silentLogger, T_END, TOKENS } from './testing.js';

const KEY = 'analyst:s3cret-key-0123456789';
const SECRET = 's3cret-key-0123456789';
const auth = { authorization: `Bearer ${SECRET}` };
const NOW = new Date('2026-02-01T00:00:00Z');

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function server(
  dir: string,
  options: { noAuth?: boolean; rate?: number } = {},
): Promise<FastifyInstance> {
  const store = await EmbeddedStore.open(dir, { now: () => NOW });
  const app = await buildConsoleServer({
    store,
    logger: silentLogger,
    auth: { keys: options.noAuth ? [] : [KEY], noAuth: options.noAuth ?? false },
    now: () => NOW,
    ...(options.rate ? { rateLimitPerMinute: options.rate } : {}),
  });
  apps.push(app);
  return app;
}

async function fixture(): Promise<{ dir: string; alerts: Alert[] }> {
  const f = await fixtureState();
  dirs.push(f.dir);
  return f;
}

describe('API authentication', () => {
  it('answers 401 without a key or with a wrong one, 200 with a right one (Bearer or X-API-Key)', async () => {
    const app = await server((await fixture()).dir);
    const missing = await app.inject({ url: '/api/v1/alerts' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(
      (await app.inject({ url: '/api/v1/alerts', headers: { authorization: 'Bearer wrong-key-0123456789' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/alerts', headers: { 'x-api-key': `${SECRET}x` } })).statusCode,
    ).toBe(401);
    expect((await app.inject({ url: '/api/v1/alerts', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/tokens', headers: { 'x-api-key': SECRET } })).statusCode).toBe(
      200,
    );
    // probes stay open
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('allows no authentication only on a loopback address', () => {
    expect(() => checkAuthOptions('0.0.0.0', { keys: [], noAuth: true })).toThrow(/loopback/);
    expect(() => checkAuthOptions('10.1.2.3', { keys: [], noAuth: false })).toThrow(/TOKENWATCH_API_KEYS/);
    expect(() => checkAuthOptions('127.0.0.1', { keys: ['short'], noAuth: false })).toThrow(/16 characters/);
    expect(() => checkAuthOptions('127.0.0.1', { keys: [], noAuth: true })).not.toThrow();
    expect(() => checkAuthOptions('::1', { keys: [], noAuth: true })).not.toThrow();
  });

  it('sends the console to the login page, and the login cookie opens it', async () => {
    const app = await server((await fixture()).dir);
    const anon = await app.inject({ url: '/console/tokens' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/console/login');
    const origin = { origin: 'http://localhost:8080', host: 'localhost:8080' };
    const bad = await app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'key=nope',
    });
    expect(bad.statusCode).toBe(401);
    const ok = await app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${SECRET}`,
    });
    expect(ok.statusCode).toBe(303);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await app.inject({
      url: '/console/tokens',
      headers: { cookie: cookie.split(';')[0] as string },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('signed in as analyst');
  });
});

describe('GET /api/v1/alerts', () => {
  it('pages newest first with a cursor: every alert once, in order', async () => {
    const { dir, alerts } = await fixture();
    const app = await server(dir);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await app.inject({
        url: `/api/v1/alerts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string; timestamp: string }[]; next_cursor?: string };
      seen.push(...body.items.map((i) => i.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    const newestFirst = [...alerts]
      .sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? 1 : -1))
      .map((a) => a.event.id);
    expect(seen).toEqual(newestFirst);
    expect((await app.inject({ url: '/api/v1/alerts?cursor=not-a-cursor', headers: auth })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ url: '/api/v1/alerts?limit=0', headers: auth })).statusCode).toBe(400);
  });

  it('filters by detector, token, severity and time range', async () => {
    const { dir, alerts } = await fixture();
    const app = await server(dir);
    const get = async (q: string) =>
      (
        (await app.inject({ url: `/api/v1/alerts?${q}`, headers: auth })).json() as {
          items: { id: string }[];
        }
      ).items.map((i) => i.id);
    const first = alerts[0] as Alert;
    expect(await get(`detector=${first.event.action}`)).toContain(first.event.id);
    expect((await get(`detector=${first.event.action}`)).length).toBe(
      alerts.filter((a) => a.event.action === first.event.action).length,
    );
    expect((await get(`token=${encodeURIComponent(TOKENS.busy)}`)).length).toBe(7);
    expect(await get('token=github%3Ahash%3Anone')).toEqual([]);
    const from = new Date(T_END - 3 * 3_600_000).toISOString();
    expect((await get(`from=${from}`)).length).toBe(3);
    expect((await get(`to=${from}`)).length).toBe(4);
    const sev = (alerts[0] as Alert).event.severity;
    const label = { 21: 'low', 47: 'medium', 73: 'high', 99: 'critical' }[sev];
    expect((await get(`severity=${label}`)).length).toBe(
      alerts.filter((a) => a.event.severity === sev).length,
    );
  });
});

describe('triage', () => {
  it('persists a status and note across a restart, and filters by status', async () => {
    const { dir, alerts } = await fixture();
    const id = (alerts[2] as Alert).event.id;
    const app = await server(dir);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${id}/status`,
      headers: auth,
      payload: { status: 'closed_true_positive', note: 'confirmed with the owner' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'closed_true_positive',
      triage: { by: 'analyst', note: 'confirmed with the owner' },
    });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/alerts/${id}/status`,
          headers: auth,
          payload: { status: 'maybe' },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/alerts/nope/status',
          headers: auth,
          payload: { status: 'acknowledged' },
        })
      ).statusCode,
    ).toBe(404);
    await app.close();
    const again = await server(dir);
    const one = (await again.inject({ url: `/api/v1/alerts/${id}`, headers: auth })).json() as {
      alert: { status: string; triage: { note: string } };
    };
    expect(one.alert.status).toBe('closed_true_positive');
    expect(one.alert.triage.note).toBe('confirmed with the owner');
    const open = (await again.inject({ url: '/api/v1/alerts?status=open', headers: auth })).json() as {
      items: unknown[];
    };
    expect(open.items).toHaveLength(6);
  });

  it('suppresses only alerts recorded after the suppression, until it is deleted', async () => {
    const { dir } = await fixture();
    const app = await server(dir);
    const noMatcher = await app.inject({
      method: 'POST',
      url: '/api/v1/suppressions',
      headers: auth,
      payload: { reason: 'x', expires_at: '2026-03-01T00:00:00Z' },
    });
    expect(noMatcher.statusCode).toBe(400);
    const past = await app.inject({
      method: 'POST',
      url: '/api/v1/suppressions',
      headers: auth,
      payload: { reason: 'x', token: TOKENS.busy, expires_at: '2025-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/suppressions',
      headers: auth,
      payload: { reason: 'known scanner', token: TOKENS.busy, expires_at: '2026-03-01T00:00:00Z' },
    });
    expect(created.statusCode).toBe(201);
    const sup = created.json() as { id: string; created_by: string };
    expect(sup.created_by).toBe('analyst');
    // the 7 alerts recorded before the suppression stay open
    const status = async () =>
      (
        (
          await app.inject({ url: `/api/v1/alerts?token=${encodeURIComponent(TOKENS.busy)}`, headers: auth })
        ).json() as { items: { id: string; status: string }[] }
      ).items;
    expect((await status()).every((a) => a.status === 'open')).toBe(true);
    // a new alert recorded after it is suppressed
    const later = activityFixture({
      at: T_END + 60_000,
      event: { id: 'e-later' },
      token: { id: TOKENS.busy },
    });
    const fresh = alertAt(later, T_END + 60_000, 1);
    await appendAlertLog(dir, [fresh], new Date(NOW.getTime() + 1000));
    expect((await status()).find((a) => a.id === fresh.event.id)?.status).toBe('suppressed');
    expect(
      ((await app.inject({ url: '/api/v1/suppressions', headers: auth })).json() as { items: unknown[] })
        .items,
    ).toHaveLength(1);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/suppressions/${sup.id}`, headers: auth }))
        .statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/suppressions/${sup.id}`, headers: auth }))
        .statusCode,
    ).toBe(404);
    expect((await status()).find((a) => a.id === fresh.event.id)?.status).toBe('open');
  });
});

describe('tokens and apps', () => {
  it('lists the inventory with hygiene filters and shows one token with its recent activity and alerts', async () => {
    const { dir } = await fixture();
    const app = await server(dir);
    const unused = (await app.inject({ url: '/api/v1/tokens?flag=unused', headers: auth })).json() as {
      items: { id: string; idle_days: number }[];
      as_of: string;
    };
    expect(unused.items.map((i) => i.id)).toEqual([TOKENS.idle]);
    expect(unused.items[0]?.idle_days).toBe(100);
    expect(unused.as_of).toBe(new Date(T_END).toISOString());
    const page = (await app.inject({ url: '/api/v1/tokens?limit=2&offset=2', headers: auth })).json() as {
      items: unknown[];
      total: number;
    };
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(1);
    const detail = await app.inject({
      url: `/api/v1/tokens/${encodeURIComponent(TOKENS.idle)}`,
      headers: auth,
    });
    expect(detail.statusCode).toBe(200);
    const busy = (
      await app.inject({ url: `/api/v1/tokens/${encodeURIComponent(TOKENS.busy)}`, headers: auth })
    ).json() as { recent: unknown[]; alerts: unknown[]; token: { alert_count: number } };
    expect(busy.recent).toHaveLength(7);
    expect(busy.alerts).toHaveLength(7);
    expect(busy.token.alert_count).toBe(7);
    expect((await app.inject({ url: '/api/v1/tokens/github%3Ahash%3Anope', headers: auth })).statusCode).toBe(
      404,
    );
    // a Workspace grant's id is long (email and OAuth client id): looked up, never 414
    const grant = encodeURIComponent(
      'google_workspace:grant:marta.lindgren@northwind.example:1075432618117-slackcal7k2n0n8bq1hq2lr7q5s0sm2v.apps.googleusercontent.com',
    );
    expect((await app.inject({ url: `/api/v1/tokens/${grant}`, headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/console/tokens/${grant}`, headers: auth })).statusCode).toBe(404);
  });

  it('approves and revokes an app; the unvetted_app flag follows', async () => {
    const { dir } = await fixture();
    const app = await server(dir);
    const flagged = async () =>
      (
        (await app.inject({ url: '/api/v1/tokens?flag=unvetted_app', headers: auth })).json() as {
          items: { id: string }[];
        }
      ).items.map((i) => i.id);
    expect(await flagged()).toContain(TOKENS.hostile);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/apps/approve',
      headers: auth,
      payload: {
        source: 'google_workspace',
        client_id: '666',
        scopes: ['https://mail.google.com/'],
        expires_at: '2027-01-01T00:00:00Z',
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ approved_by: 'analyst', status: 'approved' });
    expect(await flagged()).not.toContain(TOKENS.hostile);
    expect(
      ((await app.inject({ url: '/api/v1/apps', headers: auth })).json() as { items: unknown[] }).items,
    ).toHaveLength(1);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/apps/revoke',
          headers: auth,
          payload: { source: 'google_workspace', client_id: '666' },
        })
      ).statusCode,
    ).toBe(200);
    expect(await flagged()).toContain(TOKENS.hostile);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/apps/revoke',
          headers: auth,
          payload: { source: 'github', client_id: 'x' },
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('limits, OpenAPI and escaping', () => {
  it('serves an OpenAPI 3 document that validates and lists every API route', async () => {
    const app = await server((await fixture()).dir);
    const res = await app.inject({ url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, unknown> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/alerts',
        '/api/v1/alerts/{id}',
        '/api/v1/alerts/{id}/status',
        '/api/v1/apps',
        '/api/v1/apps/approve',
        '/api/v1/apps/revoke',
        '/api/v1/suppressions',
        '/api/v1/suppressions/{id}',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
      ].sort(),
    );
  });

  it('refuses bodies over the limit (413) and rate-limits a client (429)', async () => {
    const { dir, alerts } = await fixture();
    const app = await server(dir, { rate: 5 });
    const big = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${(alerts[0] as Alert).event.id}/status`,
      headers: auth,
      payload: { status: 'acknowledged', note: 'x'.repeat(100_000) },
    });
    expect(big.statusCode).toBe(413);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await app.inject({ url: '/api/v1/apps', headers: auth })).statusCode);
    expect(codes.slice(0, 4).every((c) => c === 200)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });

  it('escapes attacker-controlled strings in console pages and sends a strict CSP', async () => {
    const app = await server((await fixture()).dir, { noAuth: true });
    for (const url of [
      '/console/tokens',
      `/console/tokens/${encodeURIComponent(TOKENS.hostile)}`,
      '/console/alerts',
    ]) {
      const res = await app.inject({ url, headers: { host: '127.0.0.1:8080' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.body).not.toContain(HOSTILE);
      expect(res.body).not.toMatch(/<script|<img/i);
    }
    const detail = await app.inject({
      url: `/console/tokens/${encodeURIComponent(TOKENS.hostile)}`,
      headers: { host: '127.0.0.1:8080' },
    });
    expect(detail.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('refuses a console form posted from another site (CSRF), even without authentication', async () => {
    const { dir, alerts } = await fixture();
    const app = await server(dir, { noAuth: true });
    const form = { 'content-type': 'application/x-www-form-urlencoded', host: '127.0.0.1:8080' };
    const url = `/console/alerts/${(alerts[0] as Alert).event.id}/status`;
    const cross = await app.inject({
      method: 'POST',
      url,
      headers: { ...form, origin: 'https://evil.example' },
      payload: 'status=closed_false_positive',
    });
    expect(cross.statusCode).toBe(403);
    const same = await app.inject({
      method: 'POST',
      url,
      headers: { ...form, origin: 'http://127.0.0.1:8080' },
      payload: 'status=closed_false_positive&note=ok&back=/console/alerts',
    });
    expect(same.statusCode).toBe(303);
    expect(same.headers.location).toBe('/console/alerts');
    const view = (
      await app.inject({
        url: `/api/v1/alerts/${(alerts[0] as Alert).event.id}`,
        headers: { host: '127.0.0.1:8080' },
      })
    ).json() as { alert: { status: string } };
    expect(view.alert.status).toBe('closed_false_positive');
    // DNS rebinding: another host name resolving to 127.0.0.1 is refused without authentication
    expect(
      (await app.inject({ url: '/api/v1/alerts', headers: { host: 'rebind.evil.example:8080' } })).statusCode,
    ).toBe(403);
  });
});
