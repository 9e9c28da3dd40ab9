/**
 * vitest globalSetup of the `integration` project: finds a Kafka broker and an Elasticsearch node
 * and hands them to the tests through `provide`/`inject` (see test/services.ts).
 *
 * 1. KAFKA_BROKERS and ELASTICSEARCH_URL are set (scripts/test.sh, .ci/run or a developer): use
 *    them. ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD, when set, become `esAuth`.
 * 2. Otherwise, when a Docker engine answers: start both with testcontainers (pinned to 11.14.0, the
 *    last line that runs on Node 20) and stop them in the teardown.
 * 3. Otherwise: fail with instructions.
 */
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of Kafka bootstrap brokers. */
    kafkaBrokers: string;
    /** Elasticsearch base URL, e.g. `http://127.0.0.1:9200` (comma-separated for several nodes). */
    esUrl: string;
    /** Basic-auth credentials for Elasticsearch, or null when security is off. */
    esAuth: { username: string; password: string } | null;
  }
}

/** Images for the testcontainers fallback; keep them in step with scripts/services/*\/pom.xml. */
const KAFKA_IMAGE = process.env['TOKENWATCH_TC_KAFKA_IMAGE'] ?? 'confluentinc/cp-kafka:8.1.0';
const ES_IMAGE =
  process.env['TOKENWATCH_TC_ES_IMAGE'] ?? 'docker.elastic.co/elasticsearch/elasticsearch:9.2.0';

const START_HINT =
  'Run the whole suite with `npm test` (scripts/test.sh starts Kafka and Elasticsearch from Maven ' +
  'Central artifacts), or start them yourself with `eval "$(bash scripts/services/start.sh)"` ' +
  '(exports KAFKA_BROKERS=127.0.0.1:9092 ELASTICSEARCH_URL=http://127.0.0.1:9200; stop with ' +
  '`bash scripts/services/stop.sh`), or make a Docker engine reachable for testcontainers.';

/**
 * vitest global setup: provides `kafkaBrokers`, `esUrl` and `esAuth` to the tests and returns the
 * teardown that stops containers it started (nothing when the services came from the environment).
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { KAFKA_BROKERS, ELASTICSEARCH_URL, ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD } = process.env;
  if (KAFKA_BROKERS && ELASTICSEARCH_URL) {
    await assertReachable(KAFKA_BROKERS, ELASTICSEARCH_URL);
    project.provide('kafkaBrokers', KAFKA_BROKERS);
    project.provide('esUrl', ELASTICSEARCH_URL);
    project.provide(
      'esAuth',
      ELASTICSEARCH_USERNAME && ELASTICSEARCH_PASSWORD
        ? { username: ELASTICSEARCH_USERNAME, password: ELASTICSEARCH_PASSWORD }
        : null,
    );
    return undefined;
  }
  if (KAFKA_BROKERS || ELASTICSEARCH_URL) {
    throw new Error(`Set both KAFKA_BROKERS and ELASTICSEARCH_URL, or neither. ${START_HINT}`);
  }

  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (cause) {
    throw new Error(`KAFKA_BROKERS/ELASTICSEARCH_URL are unset and no Docker engine answers. ${START_HINT}`, {
      cause,
    });
  }

  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { ElasticsearchContainer } = await import('@testcontainers/elasticsearch');
  const [kafka, es] = await Promise.allSettled([
    new KafkaContainer(KAFKA_IMAGE).start(),
    new ElasticsearchContainer(ES_IMAGE).start(),
  ]);
  if (kafka.status === 'rejected' || es.status === 'rejected') {
    await Promise.allSettled(
      [kafka, es].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)),
    );
    const reason = kafka.status === 'rejected' ? kafka.reason : (es as PromiseRejectedResult).reason;
    throw new Error(`testcontainers could not start ${KAFKA_IMAGE} and ${ES_IMAGE}`, { cause: reason });
  }
  const kafkaContainer = kafka.value;
  const esContainer = es.value;
  // KafkaContainer's PLAINTEXT listener for clients outside the Docker network is port 9093.
  project.provide('kafkaBrokers', `${kafkaContainer.getHost()}:${kafkaContainer.getMappedPort(9093)}`);
  project.provide('esUrl', esContainer.getHttpUrl());
  project.provide('esAuth', { username: esContainer.getUsername(), password: esContainer.getPassword() });
  return async () => {
    await Promise.allSettled([kafkaContainer.stop(), esContainer.stop()]);
  };
}

/**
 * Fails fast, with instructions, when the services named by the environment do not answer: a TCP
 * connect to the first Kafka broker and an HTTP request to Elasticsearch (any status counts).
 */
async function assertReachable(kafkaBrokers: string, esUrl: string): Promise<void> {
  const [first = ''] = kafkaBrokers.split(',');
  const separator = first.lastIndexOf(':');
  const host = separator > 0 ? first.slice(0, separator).trim() : first.trim();
  const port = separator > 0 ? Number(first.slice(separator + 1)) : 9092;
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port, timeout: 5_000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error(`timed out connecting to ${host}:${port}`));
      });
      socket.once('error', reject);
    });
  } catch (cause) {
    throw new Error(`KAFKA_BROKERS=${kafkaBrokers}, but no Kafka broker answers there. ${START_HINT}`, {
      cause,
    });
  }
  try {
    const url = new URL(esUrl.split(',')[0]?.trim() ?? esUrl);
    // fetch() refuses URLs with credentials; any answer, even 401, shows the node is up.
    url.username = '';
    url.password = '';
    await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    throw new Error(`ELASTICSEARCH_URL=${esUrl}, but Elasticsearch does not answer there. ${START_HINT}`, {
      cause,
    });
  }
}
