import { type Logger, pino, destination as pinoDestination } from 'pino';

/** Paths pino must never print: credentials in config objects and HTTP headers. */
export const REDACT_PATHS = [
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.sasl',
  'config.kafka.sasl',
  'config.elasticsearch.auth',
  'headers.authorization',
];

/**
 * Creates the root logger: JSON lines on stderr (stdout stays free for NDJSON output), level from
 * config. Components take `logger.child({ component: 'pipeline' })`.
 */
export function createLogger(level: string, destination: number = 2): Logger {
  return pino(
    { level, base: { service: 'tokenwatch' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    pinoDestination({ dest: destination, sync: true }),
  );
}

export type { Logger };
