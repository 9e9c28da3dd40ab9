import { readFileSync } from 'node:fs';
import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { kafkaLogLevel, pinoLogCreator } from './log-creator.js';

/** Connection tuning that is not part of the user configuration (tests shorten it). */
export interface KafkaClientOptions {
  /** TCP connect timeout, ms (default 5000). */
  connectionTimeoutMs?: number;
  /** Per-request timeout, ms (default 30000). */
  requestTimeoutMs?: number;
  /** kafkajs retry count per request before the error reaches our own retry loop (default 5). */
  retries?: number;
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  // kafkajs types SASL per mechanism; the three we accept share {username, password}.
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

/**
 * Creates the kafkajs client from the `kafka` config section: brokers, client id, TLS (with an
 * optional CA file, PEM), SASL PLAIN/SCRAM, kafkajs logs routed into pino. Credentials go to
 * kafkajs only, never to a log line.
 * @throws ConfigError when the TLS CA file cannot be read.
 */
export function createKafka(config: KafkaConfig, logger: Logger, options: KafkaClientOptions = {}): Kafka {
  let ssl: KafkaJsConfig['ssl'];
  if (config.ssl.enabled) {
    if (config.ssl.caFile) {
      try {
        ssl = { ca: [readFileSync(config.ssl.caFile, 'utf8')] };
      } catch (cause) {
        throw new ConfigError(
          `cannot read kafka.ssl.caFile ${config.ssl.caFile}: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      }
    } else {
      ssl = true;
    }
  }
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ...(ssl !== undefined ? { ssl } : {}),
    ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 10_000 },
    logLevel: kafkaLogLevel(logger.level),
    logCreator: pinoLogCreator(logger),
  });
}
