/**
 * Clients for the integration tests, built from what test/global-setup.ts provides (real Kafka and
 * Elasticsearch: scripts/services/start.sh, testcontainers, or KAFKA_BROKERS/ELASTICSEARCH_URL).
 */
import { randomBytes } from 'node:crypto';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** The Kafka bootstrap brokers (`host:port` strings) provided by the global setup. */
export function kafkaBrokers(): string[] {
  const brokers = (inject('kafkaBrokers') ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length === 0) {
    throw new Error('no Kafka brokers provided: is test/global-setup.ts the globalSetup of this project?');
  }
  return brokers;
}

/**
 * A kafkajs client for the provided brokers. Logs only errors (kafkajs is chatty at INFO);
 * `overrides` replaces any of the defaults, e.g. `{ logLevel: logLevel.DEBUG }`.
 */
export function createKafka(overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: uniqueName('tokenwatch-test'),
    brokers: kafkaBrokers(),
    logLevel: logLevel.ERROR,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 200 },
    ...overrides,
  });
}

/**
 * An Elasticsearch client (the 8.x client, which also talks to ES 9) for the provided node and
 * credentials. Close it with `await client.close()` when done.
 */
export function createEsClient(overrides: Partial<ClientOptions> = {}): Client {
  const nodes = (inject('esUrl') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  if (nodes.length === 0) {
    throw new Error(
      'no Elasticsearch URL provided: is test/global-setup.ts the globalSetup of this project?',
    );
  }
  const auth = inject('esAuth');
  return new Client({
    nodes,
    ...(auth ? { auth } : {}),
    requestTimeout: 30_000,
    maxRetries: 2,
    ...overrides,
  });
}

let sequence = 0;

/**
 * A name no other test (or earlier run against the same services) uses, valid as a Kafka topic,
 * consumer group, Elasticsearch index, data stream dataset or template name: the prefix lowercased,
 * characters other than `a-z 0-9 . _ -` replaced by `-`, then `-<time>-<pid>-<seq>-<random>`.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[-_.]+/, '')
    .slice(0, 100);
  sequence += 1;
  const suffix = `${Date.now().toString(36)}-${process.pid.toString(36)}-${sequence}-${randomBytes(3).toString('hex')}`;
  return clean ? `${clean}-${suffix}` : suffix;
}
