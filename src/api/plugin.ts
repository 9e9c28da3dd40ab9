import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InventoryFilter } from '../inventory/hygiene.js';
import { type ApiKeys, isLoopbackHost, presentedSecret } from './auth.js';
import {
  alertsQuery,
  alertViewSchema,
  appEntrySchema,
  approveBody,
  errorSchema,
  idParams,
  inventoryRowSchema,
  revokeBody,
  statusBody,
  suppressionBody,
  suppressionSchema,
  tokensQuery,
} from './schemas.js';
import type { AlertStatus, ConsoleStore, TriageStatus } from './types.js';
import { decodeCursor } from './types.js';

/**
 * Longest path parameter the API and console servers accept: a token id in a path
 * (`/api/v1/tokens/{id}`, `/console/tokens/{id}`). A Workspace grant is
 * `google_workspace:grant:<email>:<client id>`, past 130 characters for an ordinary address and
 * OAuth client (up to ~330); fastify's default of 100 answered such a token's page with
 * `414 FST_ERR_MAX_PARAM_LENGTH`.
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

/** Dependencies of {@link registerApi}. */
export interface ApiDeps {
  store: ConsoleStore;
  /** configured keys; `noAuth` only on loopback (checked by the caller with checkAuthOptions) */
  keys: ApiKeys;
  /** requests per minute per client address (default 600) */
  rateLimitPerMinute?: number;
  /** wall clock (tests) */
  now?: () => Date;
}

/** Who made a request (the API key's name, `local` without authentication). */
const principals = new WeakMap<FastifyRequest, string>();
/** The authenticated principal of a request (after the auth hook). */
export const principalOf = (req: FastifyRequest): string => principals.get(req) ?? 'anonymous';

/** Paths that need no key: probes, the OpenAPI document, the console login page and its stylesheet. */
const PUBLIC =
  /^\/(?:healthz|readyz|metrics|detectors|api\/v1\/openapi\.json|console\/login|console\/assets\/)/;

/** Host name of a Host header (`127.0.0.1:8080` -> `127.0.0.1`, `[::1]:8080` -> `::1`). */
const hostnameOf = (host: string | undefined): string => {
  if (!host) return '';
  const m = /^\[([^\]]+)\]/.exec(host);
  return m ? (m[1] as string) : (host.split(':')[0] ?? '');
};

const UNAUTHORIZED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'send an API key: Authorization: Bearer <key> or X-API-Key: <key>',
};

/**
 * Registers the analyst API on `app` (an existing fastify instance: `tokenwatch ui` or serve):
 * OpenAPI generation (`@fastify/swagger`, served at `GET /api/v1/openapi.json`), rate limiting
 * (`@fastify/rate-limit`), authentication (API key as `Authorization: Bearer` or `X-API-Key`, or
 * the console cookie; compared in constant time; none with `keys.options.noAuth`), and the routes
 * `GET /api/v1/alerts`, `GET /api/v1/alerts/{id}`, `POST /api/v1/alerts/{id}/status`,
 * `GET|POST /api/v1/suppressions`, `DELETE /api/v1/suppressions/{id}`, `GET /api/v1/tokens`,
 * `GET /api/v1/tokens/{id}`, `GET /api/v1/apps`, `POST /api/v1/apps/approve|revoke`.
 * Call before any other route is added whose schema should appear in the document, and before
 * `ready()`.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'tokenwatch API',
        version: '1',
        description: 'Token inventory, alerts, triage, suppressions and app vetting of tokenwatch.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearerAuth: [] }, { apiKey: [] }],
    },
  });
  await app.register(rateLimit, { global: true, max: deps.rateLimitPerMinute ?? 600, timeWindow: 60_000 });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/') && !path.startsWith('/console')) return;
    if (deps.keys.options.noAuth) {
      // Without keys only this machine may talk to us: a page elsewhere resolving its own name
      // to 127.0.0.1 (DNS rebinding) sends its own Host header and is refused.
      if (!isLoopbackHost(hostnameOf(req.headers.host)))
        return reply.code(403).send({
          statusCode: 403,
          error: 'Forbidden',
          message: 'loopback host names only without authentication',
        });
      principals.set(req, 'local');
      return;
    }
    if (PUBLIC.test(path)) return;
    const name = deps.keys.identify(presentedSecret(req.headers));
    if (name === undefined) {
      if (path.startsWith('/console')) return reply.redirect('/console/login', 303);
      return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
    }
    principals.set(req, name);
  });

  const tags = (t: string) => ({ tags: [t] });
  const r404 = { 404: errorSchema };

  app.get(
    '/api/v1/openapi.json',
    { schema: { hide: true } as Record<string, unknown>, config: { rateLimit: false } },
    async () => app.swagger(),
  );

  app.get<{ Querystring: Record<string, string | number | undefined> }>(
    '/api/v1/alerts',
    {
      schema: {
        ...tags('alerts'),
        summary: 'Alerts, newest first, with their triage status',
        querystring: alertsQuery,
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: alertViewSchema }, next_cursor: { type: 'string' } },
          },
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const cursor = q.cursor as string | undefined;
      if (cursor !== undefined && decodeCursor(cursor) === undefined)
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'malformed cursor' });
      const severity =
        typeof q.severity === 'string' ? q.severity.split(',').map((s) => s.trim().toLowerCase()) : undefined;
      return deps.store.alerts({
        limit: Number(q.limit ?? 50),
        ...(severity ? { severity } : {}),
        ...(q.detector ? { detector: String(q.detector) } : {}),
        ...(q.token ? { token: String(q.token) } : {}),
        ...(q.status ? { status: q.status as AlertStatus } : {}),
        ...(q.from ? { from: new Date(String(q.from)).toISOString() } : {}),
        ...(q.to ? { to: new Date(String(q.to)).toISOString() } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id',
    {
      schema: {
        ...tags('alerts'),
        summary: 'One alert: its view and full ECS document',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { alert: alertViewSchema, document: { type: 'object', additionalProperties: true } },
          },
          ...r404,
        },
      },
    },
    async (req, reply) => {
      const found = await deps.store.alert(req.params.id);
      if (!found)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such alert' });
      return { alert: found.view, document: found.document };
    },
  );

  app.post<{ Params: { id: string }; Body: { status: TriageStatus; note?: string } }>(
    '/api/v1/alerts/:id/status',
    {
      schema: {
        ...tags('alerts'),
        summary: 'Triage an alert: acknowledged, closed_true_positive or closed_false_positive, with a note',
        params: idParams,
        body: statusBody,
        response: { 200: alertViewSchema, 400: errorSchema, ...r404 },
      },
    },
    async (req, reply) => {
      const view = await deps.store.setAlertStatus(req.params.id, {
        status: req.body.status,
        note: req.body.note ?? '',
        by: principalOf(req),
        at: now().toISOString(),
      });
      if (!view)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such alert' });
      return view;
    },
  );

  app.get(
    '/api/v1/suppressions',
    {
      schema: {
        ...tags('suppressions'),
        summary: 'Suppressions (expired ones included)',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: suppressionSchema } } },
        },
      },
    },
    async () => ({ items: await deps.store.suppressions() }),
  );

  app.post<{
    Body: {
      reason: string;
      expires_at: string;
      detector?: string;
      token?: string;
      owner?: string;
      source_ip?: string;
    };
  }>(
    '/api/v1/suppressions',
    {
      schema: {
        ...tags('suppressions'),
        summary: 'Suppress new alerts matching detector / token / owner / source IP until expires_at',
        body: suppressionBody,
        response: { 201: suppressionSchema, 400: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const bad = (message: string) =>
        reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
      if (!b.detector && !b.token && !b.owner && !b.source_ip)
        return bad('a suppression needs at least one of detector, token, owner, source_ip');
      const expires = new Date(b.expires_at);
      if (expires.getTime() <= now().getTime()) return bad('expires_at must be in the future');
      const created = await deps.store.addSuppression({
        reason: b.reason,
        expires_at: expires.toISOString(),
        created_by: principalOf(req),
        ...(b.detector ? { detector: b.detector } : {}),
        ...(b.token ? { token: b.token } : {}),
        ...(b.owner ? { owner: b.owner } : {}),
        ...(b.source_ip ? { source_ip: b.source_ip } : {}),
      });
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/suppressions/:id',
    {
      schema: {
        ...tags('suppressions'),
        summary: 'Delete a suppression',
        params: idParams,
        response: { 204: { type: 'null' }, ...r404 },
      },
    },
    async (req, reply) => {
      if (!(await deps.store.deleteSuppression(req.params.id)))
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such suppression' });
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: Record<string, string | number | undefined> }>(
    '/api/v1/tokens',
    {
      schema: {
        ...tags('tokens'),
        summary: 'Token inventory with hygiene flags (idle days as of the reference clock)',
        querystring: tokensQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: inventoryRowSchema },
              total: { type: 'integer' },
              as_of: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const filter: InventoryFilter = {
        ...(q.flag ? { flag: q.flag as InventoryFilter['flag'] & string } : {}),
        ...(q.source ? { source: String(q.source) } : {}),
        ...(q.owner ? { owner: String(q.owner) } : {}),
        ...(q.app ? { app: String(q.app) } : {}),
        ...(q.state ? { state: q.state as InventoryFilter['state'] & string } : {}),
      };
      return deps.store.tokens(filter, { offset: Number(q.offset ?? 0), limit: Number(q.limit ?? 100) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      schema: {
        ...tags('tokens'),
        summary: 'One token: inventory row, baseline summary, recent activity, its alerts',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              token: inventoryRowSchema,
              baseline: { type: 'object', nullable: true, additionalProperties: true },
              recent: { type: 'array', items: { type: 'object', additionalProperties: true } },
              alerts: { type: 'array', items: alertViewSchema },
            },
          },
          ...r404,
        },
      },
    },
    async (req, reply) => {
      const detail = await deps.store.token(req.params.id);
      if (!detail)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such token' });
      return detail;
    },
  );

  app.get(
    '/api/v1/apps',
    {
      schema: {
        ...tags('apps'),
        summary: 'App vetting registry',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: appEntrySchema } } },
        },
      },
    },
    async () => ({ items: await deps.store.apps() }),
  );

  app.post<{
    Body: {
      source: 'github' | 'google_workspace' | 'salesforce';
      client_id: string;
      name?: string;
      scopes?: string[];
      expires_at?: string;
      note?: string;
    };
  }>(
    '/api/v1/apps/approve',
    {
      schema: {
        ...tags('apps'),
        summary: 'Approve an app for some scopes (empty: any), until expires_at',
        body: approveBody,
        response: { 200: appEntrySchema, 400: errorSchema },
      },
    },
    async (req) => {
      const b = req.body;
      return deps.store.approveApp({
        source: b.source,
        client_id: b.client_id,
        by: principalOf(req),
        ...(b.name ? { name: b.name } : {}),
        ...(b.scopes ? { scopes: b.scopes } : {}),
        ...(b.expires_at ? { expires_at: b.expires_at } : {}),
        ...(b.note ? { note: b.note } : {}),
      });
    },
  );

  app.post<{ Body: { source: string; client_id: string } }>(
    '/api/v1/apps/revoke',
    {
      schema: {
        ...tags('apps'),
        summary: 'Revoke an app approval',
        body: revokeBody,
        response: { 200: appEntrySchema, ...r404 },
      },
    },
    async (req, reply) => {
      const entry = await deps.store.revokeApp(req.body.source, req.body.client_id, principalOf(req));
      if (!entry)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', message: 'app not in the registry' });
      return entry;
    },
  );
}
