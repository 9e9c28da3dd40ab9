import { type LogEntry, type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/** kafkajs level for a pino level, so kafkajs does not build entries pino would drop. */
export function kafkaLogLevel(pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'silent':
      return logLevel.NOTHING;
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    default:
      return logLevel.DEBUG;
  }
}

/**
 * Routes kafkajs log entries into pino: one child logger `{component: 'kafkajs', namespace}` per
 * kafkajs namespace (`Consumer`, `Connection`...). kafkajs' own fields (broker, groupId, error,
 * stack) become pino fields; its `timestamp` and `logger` fields are dropped. kafkajs never
 * logs SASL passwords, and pino's redaction (logger.ts) masks `*.password`/`*.sasl` anyway.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const base = logger.child({ component: 'kafkajs' });
  const children = new Map<string, Logger>();
  const childFor = (namespace: string): Logger => {
    let child = children.get(namespace);
    if (!child) {
      child = base.child({ namespace });
      children.set(namespace, child);
    }
    return child;
  };
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const child = childFor(namespace || 'kafkajs');
      switch (level) {
        case logLevel.ERROR:
          // Per-request errors (coordinator not available yet, leader moved...) are retried by
          // kafkajs itself; what is fatal surfaces from the consumer/producer, not Connection.
          if (namespace === 'Connection') child.warn(fields, message);
          else child.error(fields, message);
          break;
        case logLevel.WARN:
          child.warn(fields, message);
          break;
        case logLevel.INFO:
          child.info(fields, message);
          break;
        default:
          child.debug(fields, message);
      }
    };
}
