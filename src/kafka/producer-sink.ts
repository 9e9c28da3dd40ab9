import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { SinkError } from '../errors.js';
import { chunkMessages, type MAX_REQUEST_BYTES } from './chunk.js';
import { FastDefaultPartitioner } from './partitioner.js';

/** Messages per topic for one {@link KafkaProducerSink.send}. */
export type TopicMessages = ReadonlyMap<string, readonly Message[]>;

/**
 * The Kafka side of the serve sinks (activity topic, DLQ topic): a kafkajs producer with
 * `acks: -1` (all in-sync replicas), so a resolved {@link send} means the broker has the
 * messages durably. Record batches are gzip-compressed (GitHub/Workspace JSON shrinks several-fold,
 * so fewer bytes cross the network and the broker's disk). Requests are cut at {@link MAX_REQUEST_BYTES} so no record batch exceeds the
 * broker's `message.max.bytes`; a retry after a partial failure re-sends every chunk. Not idempotent across restarts: a batch replayed after a crash is produced
 * again (at-least-once; consumers dedupe by `event.id`, the message header/key).
 */
export class KafkaProducerSink {
  private readonly producer: Producer;
  private connected = false;
  private readonly log: Logger;

  constructor(kafka: Kafka, logger: Logger) {
    // kafkajs' own retries stay short: the serve retry loop owns backoff and pausing.
    // Partitions by key exactly as kafkajs' DefaultPartitioner (Java-compatible murmur2), cheaper.
    this.producer = kafka.producer({
      allowAutoTopicCreation: true,
      retry: { retries: 2 },
      createPartitioner: FastDefaultPartitioner,
    });
    this.log = logger.child({ component: 'kafka.producer' });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /**
   * Produces every message and resolves once all are acknowledged by all in-sync replicas.
   * @throws SinkError (retriable) when the broker does not acknowledge.
   */
  async send(batch: TopicMessages): Promise<number> {
    const requests = [...batch].flatMap(([topic, messages]) =>
      chunkMessages(messages).map((part) => ({ topic, messages: part })),
    );
    if (requests.length === 0) return 0;
    try {
      await this.connect();
      // One request per chunk keeps every record batch under the broker's size limit; the
      // requests are pipelined on the connection (in order unless kafkajs has to retry one).
      await Promise.all(
        requests.map((r) =>
          this.producer.sendBatch({ topicMessages: [r], acks: -1, compression: CompressionTypes.GZIP }),
        ),
      );
    } catch (cause) {
      throw new SinkError(`kafka produce failed: ${(cause as Error).message}`, { cause });
    }
    const n = requests.reduce((s, t) => s + t.messages.length, 0);
    this.log.debug({ messages: n }, 'produced');
    return n;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
