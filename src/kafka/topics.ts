import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { SOURCES, type Source } from '../../schemas/token-activity.js';
import type { KafkaConfig } from '../config.js';

/** Raw topic name to the source whose records it carries (one topic per source). */
export function rawTopics(config: KafkaConfig): ReadonlyMap<string, Source> {
  const out = new Map<string, Source>();
  for (const source of SOURCES) out.set(config.topics[source], source);
  return out;
}

/** Every topic `serve` reads or writes: the raw topics, the activity topic and the DLQ. */
export function allTopics(config: KafkaConfig): string[] {
  return [...new Set([...rawTopics(config).keys(), config.topics.activity, config.topics.deadLetter])];
}

/**
 * Creates the topics that do not exist yet (1 partition, replication factor min(3, brokers)).
 * Best effort: a cluster that forbids topic creation to this principal logs a warning and the
 * topics must be created by an operator. Returns the names created.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  logger: Logger,
): Promise<string[]> {
  const log = logger.child({ component: 'kafka.topics' });
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  const { brokers } = await admin.describeCluster();
  const replicationFactor = Math.min(3, Math.max(1, brokers.length));
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor })),
    });
    log.info({ topics: missing, replicationFactor }, 'created missing topics');
    return missing;
  } catch (err) {
    log.warn(
      { topics: missing, err },
      'could not create missing topics; create them or enable auto-creation',
    );
    return [];
  }
}
