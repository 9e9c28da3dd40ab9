import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiKeys, CONSOLE_COOKIE } from '../api/auth.js';
import { principalOf } from '../api/plugin.js';
import type { AlertStatus, ConsoleStore, TriageStatus } from '../api/types.js';
import { ALERT_STATUSES, decodeCursor, TRIAGE_STATUSES } from '../api/types.js';
import {
  HYGIENE_FLAGS,
  type HygieneFlag,
  type InventoryFilter,
  type LifecycleState,
} from '../inventory/hygiene.js';
import { CONSOLE_CSS } from './assets.js';
import { html } from './html.js';
import { alertsPage, inventoryPage, layout, loginPage, tokenPage } from './pages.js';

/**
 * Content-Security-Policy of every console page: nothing but this origin's stylesheet, no
 * scripts at all, forms only to this origin, never framed.
 */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SOURCES = new Set(['github', 'google_workspace', 'salesforce']);
const STATES = new Set(['live', 'revoked', 'expired', 'owner_offboarded']);
const str = (v: unknown, max = 512): string | undefined =>
  typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;

/**
 * A console POST must come from a console page: its `Origin` (or, without one, `Referer`) must
 * name this host. Blocks cross-site form posts (CSRF), also in `--no-auth` mode.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const host = req.headers.host;
  const origin = req.headers.origin ?? req.headers.referer;
  if (!host || typeof origin !== 'string') return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Local paths only (an open redirect would help phishing). */
const safeBack = (v: unknown): string => {
  const s = str(v, 4096);
  return s && /^\/console\/[^/\\]/.test(s) && !s.startsWith('//') ? s : '/console/alerts';
};

/**
 * Registers the server-rendered console on `app` (after {@link registerApi}, whose hook
 * authenticates `/console/*`): `/console/tokens` (inventory with hygiene filters),
 * `/console/tokens/{id}` (detail: timeline, hour-of-week profile, networks, countries, alerts),
 * `/console/alerts` (list with triage forms), `/console/login`. Every value is HTML-escaped;
 * pages carry a strict CSP and no script.
 */
export function registerConsole(
  app: FastifyInstance,
  deps: { store: ConsoleStore; keys: ApiKeys; secureCookie?: boolean },
): void {
  const store = deps.store;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const send = (reply: FastifyReply, page: string, code = 200) =>
    reply
      .code(code)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .send(page);
  const hide = { schema: { hide: true } as Record<string, unknown> };
  const who = (req: FastifyRequest): string => (deps.keys.options.noAuth ? '' : principalOf(req));

  app.get('/console', hide, async (_req, reply) => reply.redirect('/console/tokens', 303));
  app.get('/console/assets/console.css', hide, async (_req, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'max-age=300')
      .send(CONSOLE_CSS),
  );

  app.get<{ Querystring: Record<string, unknown> }>('/console/tokens', hide, async (req, reply) => {
    const q = req.query;
    const flag = str(q.flag);
    const source = str(q.source);
    const state = str(q.state);
    const filter: InventoryFilter = {
      ...(flag && (HYGIENE_FLAGS as readonly string[]).includes(flag) ? { flag: flag as HygieneFlag } : {}),
      ...(source && SOURCES.has(source) ? { source } : {}),
      ...(state && STATES.has(state) ? { state: state as LifecycleState } : {}),
      ...(str(q.owner) ? { owner: str(q.owner) as string } : {}),
      ...(str(q.app) ? { app: str(q.app) as string } : {}),
    };
    const page = await store.tokens(filter, { offset: 0, limit: 1000 });
    const { flag: _flag, ...rest } = filter;
    const counts: Record<string, number> = {};
    const unflagged = await store.tokens(rest, { offset: 0, limit: 100_000 });
    for (const f of HYGIENE_FLAGS) counts[f] = unflagged.items.filter((r) => r.flags.includes(f)).length;
    return send(reply, layout('Inventory', 'tokens', who(req), inventoryPage(page, filter, counts)));
  });

  app.get<{ Params: { id: string } }>('/console/tokens/:id', hide, async (req, reply) => {
    const detail = await store.token(req.params.id);
    if (!detail) return send(reply, layout('Not found', 'tokens', who(req), inventoryNotFound()), 404);
    return send(reply, layout(detail.token.owner || 'Token', 'tokens', who(req), tokenPage(detail)));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/console/alerts', hide, async (req, reply) => {
    const q = req.query;
    const status = str(q.status);
    const severity = str(q.severity);
    const detector = str(q.detector, 256);
    const cursor = str(q.cursor, 2048);
    const page = await store.alerts({
      limit: 50,
      ...(status && (ALERT_STATUSES as readonly string[]).includes(status)
        ? { status: status as AlertStatus }
        : {}),
      ...(severity ? { severity: [severity] } : {}),
      ...(detector ? { detector } : {}),
      ...(cursor && decodeCursor(cursor) ? { cursor } : {}),
    });
    return send(
      reply,
      layout(
        'Alerts',
        'alerts',
        who(req),
        alertsPage(page, {
          ...(status ? { status } : {}),
          ...(severity ? { severity } : {}),
          ...(detector ? { detector } : {}),
          ...(cursor ? { cursor } : {}),
        }),
      ),
    );
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/console/alerts/:id/status',
    hide,
    async (req, reply) => {
      if (!sameOrigin(req))
        return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'cross-origin form' });
      const body = req.body ?? {};
      const status = str(body.status);
      if (!status || !(TRIAGE_STATUSES as readonly string[]).includes(status))
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'unknown status' });
      const view = await store.setAlertStatus(req.params.id, {
        status: status as TriageStatus,
        note: str(body.note, 4000) ?? '',
        by: principalOf(req),
        at: new Date().toISOString(),
      });
      if (!view)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such alert' });
      return reply.redirect(safeBack(body.back), 303);
    },
  );

  app.get('/console/login', hide, async (_req, reply) =>
    send(reply, layout('Sign in', 'login', '', loginPage(undefined))),
  );
  app.post<{ Body: Record<string, unknown> }>('/console/login', hide, async (req, reply) => {
    if (!sameOrigin(req))
      return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'cross-origin form' });
    const key = str(req.body?.key, 1024);
    if (!deps.keys.identify(key))
      return send(reply, layout('Sign in', 'login', '', loginPage('unknown key')), 401);
    const cookie = `${CONSOLE_COOKIE}=${encodeURIComponent(key as string)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${deps.secureCookie ? '; Secure' : ''}`;
    return reply.header('set-cookie', cookie).redirect('/console/tokens', 303);
  });
}

/** Body of the 404 page of an unknown token. */
function inventoryNotFound() {
  return html`<h1>No such token</h1><p><a href="/console/tokens">back to the inventory</a></p>`;
}
