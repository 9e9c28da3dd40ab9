import { type Logger, pino, destination as pinoDestination } from 'pino';
import { redactText } from '../ingestors/common/redact.js';

/** Paths pino must never print: credentials in config objects and HTTP headers. */
export const REDACT_PATHS = [
  'password',
  'apiKey',
  'token',
  'secret',
  'authorization',
  'sasl',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.sasl',
  '*.*.password',
  '*.*.apiKey',
  '*.*.sasl',
  'config.kafka.sasl',
  'config.elasticsearch.auth',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Log objects are scrubbed this deep; deeper values are replaced by a note. */
const MAX_LOG_DEPTH = 10;

/**
 * A copy of a log value with every string passed through the full redaction rule set
 * (ingestors/common/redact.ts: tokens, keys, `user:password@` in URLs, ...). Errors become
 * `{type, message, stack}` (what pino's error serializer prints), scrubbed.
 */
export function scrubLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, 'log').text;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_LOG_DEPTH) return '[too deep to log]';
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message, 'log').text,
      ...(value.stack ? { stack: redactText(value.stack, 'log').text } : {}),
      ...(value.cause !== undefined ? { cause: scrubLogValue(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubLogValue(v, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubLogValue(v, depth + 1);
  return out;
}

/**
 * Creates the root logger: JSON lines on stderr (stdout stays free for NDJSON output), level from
 * config. Components take `logger.child({ component: 'pipeline' })`. Secrets never reach a line:
 * {@link REDACT_PATHS} censor credential fields, every field of a log call is scrubbed with the
 * full redaction rule set (errors included), and each finished line is scrubbed once more, which
 * also covers child-logger bindings and strips passwords from URLs
 * (`http://user:[REDACTED:url_password]@host`).
 */
export function createLogger(level: string, destination: number = 2): Logger {
  const sink = pinoDestination({ dest: destination, sync: true });
  const scrubbing = {
    write(line: string): boolean {
      return sink.write(redactText(line, 'log').text);
    },
    flush(cb?: (err?: Error) => void): void {
      sink.flush(cb);
    },
    flushSync(): void {
      sink.flushSync();
    },
    end(): void {
      sink.end();
    },
  };
  return pino(
    {
      level,
      base: { service: 'tokenwatch' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (object) => scrubLogValue(object) as Record<string, unknown> },
    },
    scrubbing,
  );
}

export type { Logger };
