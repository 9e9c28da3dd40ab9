import { basename } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { Source } from '../../schemas/token-activity.js';
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import { openInput, resolveInputPaths } from '../run/inputs.js';
import { createKafka } from './client.js';
import { splitRecords } from './replay-split.js';

/** Options of {@link replayFiles}. */
export interface ReplayOptions {
  logger: Logger;
  /** A kafkajs client to reuse (default: one built from `config.kafka`). */
  kafka?: Kafka;
  /** Messages per produce request (default 500). */
  chunkSize?: number;
  /** Force the source instead of detecting it per file. */
  source?: Source;
}

/** What {@link replayFiles} produced, per file. */
export interface ReplayResult {
  files: { file: string; source: Source | 'unknown'; topic?: string; messages: number }[];
  messages: number;
}

/**
 * Replays sample/raw files into the raw topics, as a producer of real audit logs would: every
 * data file under `inputs` (directories are read recursively; labels files are ignored) is split
 * into one message per raw record (see {@link splitRecords}) and produced to the topic of its
 * detected source (`kafka.topics.<source>`), in file order, keyed by the file's base name so
 * one file's records stay ordered in one partition. Files whose source cannot be detected are
 * skipped with a warning.
 * @throws InputError when an input matches no file; kafkajs errors when the broker refuses.
 */
export async function replayFiles(
  inputs: string | readonly string[],
  config: Readonly<Config>,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const log = options.logger.child({ component: 'kafka.replay' });
  const paths = await resolveInputPaths(typeof inputs === 'string' ? [inputs] : inputs);
  const kafka = options.kafka ?? createKafka(config.kafka, options.logger);
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  const chunkSize = options.chunkSize ?? 500;
  const result: ReplayResult = { files: [], messages: 0 };
  await producer.connect();
  try {
    for (const path of paths) {
      if (path === '-') throw new InputError('replay reads files, not stdin');
      const input = openInput(path, options.source);
      if (!input.source) {
        log.warn({ file: path }, 'source not recognized; file skipped');
        result.files.push({ file: path, source: 'unknown', messages: 0 });
        continue;
      }
      const topic = config.kafka.topics[input.source];
      const key = basename(path);
      let n = 0;
      let pending: Message[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        await producer.send({ topic, messages: pending, acks: -1 });
        n += pending.length;
        pending = [];
      };
      for (const chunk of input.chunks()) {
        for (const value of splitRecords(chunk.text, path)) {
          pending.push({ key, value });
          if (pending.length >= chunkSize) await flush();
        }
      }
      await flush();
      log.info({ file: path, source: input.source, topic, messages: n }, 'replayed');
      result.files.push({ file: path, source: input.source, topic, messages: n });
      result.messages += n;
    }
  } finally {
    await producer.disconnect();
  }
  return result;
}
