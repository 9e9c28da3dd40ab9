import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { registerConsole } from '../console/routes.js';
import { ApiKeys, type AuthOptions } from './auth.js';
import { MAX_PATH_PARAM_LENGTH, registerApi } from './plugin.js';
import type { ConsoleStore } from './types.js';

/** Options of {@link buildConsoleServer}. */
export interface ConsoleServerOptions {
  store: ConsoleStore;
  logger: Logger;
  auth: AuthOptions;
  /** request body limit, bytes (default 64 KiB) */
  bodyLimit?: number;
  /** requests per minute per address (default 600) */
  rateLimitPerMinute?: number;
  now?: () => Date;
}

/**
 * The `tokenwatch ui` server: `/healthz`, the API (src/api/plugin.ts) and the console
 * (src/console/routes.ts) over one store. Built, not started (tests use `inject`).
 */
export async function buildConsoleServer(options: ConsoleServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 65_536,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  });
  const keys = new ApiKeys(options.auth);
  // The routes take the plain FastifyInstance; this one only differs in its (pino) logger type.
  const plain = app as unknown as FastifyInstance;
  app.get('/healthz', { schema: { hide: true } as Record<string, unknown> }, async () => ({ status: 'ok' }));
  await registerApi(plain, {
    store: options.store,
    keys,
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  registerConsole(plain, { store: options.store, keys });
  return plain;
}
