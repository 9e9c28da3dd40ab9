import { basename } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import { ingestors } from '../../ingestors/index.js';
import type { Source } from '../../schemas/token-activity.js';
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import { openInput, resolveInputPaths } from '../run/inputs.js';
import { chunkMessages, MAX_REQUEST_BYTES } from './chunk.js';
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
  /**
   * `time` (default): each source's files are merged by event time before producing (k-way,
   * each file's own order kept, like `tokenwatch run` merges its inputs), as a live feed would
   * deliver them (vendor exports split one stream over several files, e.g. one Salesforce
   * EventLogFile per event type and day). `file`: file by file, as stored.
   */
  order?: 'time' | 'file';
  /**
   * Records larger than this many bytes are not produced (counted in `tooLarge`, logged): the
   * broker would refuse them (Kafka's default `message.max.bytes` is about 1 MiB). Default 1000000.
   */
  maxMessageBytes?: number;
  /** Messages acknowledged by the broker so far, of all messages to send (for a progress display). */
  onProgress?: (sent: number, total: number) => void;
}

interface Queued {
  key: string;
  value: string;
  /** Event time (epoch ms) for ordering; a record without one keeps its predecessor's. */
  ts: number;
}

/**
 * k-way merge of per-file lists by event time, each file's own order kept (as `tokenwatch run`
 * merges its inputs: late records inside a file stay late); ties go to the earlier file.
 */
function mergeByTime(files: readonly Queued[][]): Queued[] {
  const out: Queued[] = [];
  const pos = files.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < files.length; i++) {
      const head = (files[i] as Queued[])[pos[i] as number];
      if (head && (best < 0 || head.ts < ((files[best] as Queued[])[pos[best] as number] as Queued).ts))
        best = i;
    }
    if (best < 0) return out;
    out.push((files[best] as Queued[])[pos[best] as number] as Queued);
    pos[best] = (pos[best] as number) + 1;
  }
}

/** Event time of the first activity a message value normalizes to, else `fallback`. */
function eventTimeOf(source: Source, value: string, fallback: number): number {
  const ingestor = ingestors[source];
  for (const item of ingestor.frame(value, 'replay')) {
    if (item.kind !== 'record') continue;
    const r = ingestor.normalize(item.record);
    if (r.kind === 'activity') return Date.parse(r.activity['@timestamp']);
  }
  return fallback;
}

/** What {@link replayFiles} produced, per file. */
export interface ReplayResult {
  files: { file: string; source: Source | 'unknown'; topic?: string; messages: number; tooLarge: number }[];
  messages: number;
  /** Records over `maxMessageBytes`, not produced. */
  tooLarge: number;
}

/**
 * Replays sample/raw files into the raw topics, as a producer of real audit logs would: every
 * data file under `inputs` (directories are read recursively; labels files are ignored) is split
 * into one message per raw record (see {@link splitRecords}) and produced to the topic of its
 * detected source (`kafka.topics.<source>`), merged by event time per source (see
 * {@link ReplayOptions.order}), keyed by the file's base name. Files whose source cannot be
 * detected are skipped with a warning. Holds one source's messages in memory while sorting.
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
  const result: ReplayResult = { files: [], messages: 0, tooLarge: 0 };
  const maxBytes = options.maxMessageBytes ?? 1_000_000;
  const queued = new Map<Source, Queued[][]>();
  for (const path of paths) {
    if (path === '-') throw new InputError('replay reads files, not stdin');
    const input = openInput(path, options.source);
    if (!input.source) {
      log.warn({ file: path }, 'source not recognized; file skipped');
      result.files.push({ file: path, source: 'unknown', messages: 0, tooLarge: 0 });
      continue;
    }
    const list: Queued[] = [];
    queued.set(input.source, [...(queued.get(input.source) ?? []), list]);
    const key = basename(path);
    let ts = 0;
    let n = 0;
    let tooLarge = 0;
    for (const chunk of input.chunks()) {
      if (chunk.error)
        log.warn({ file: path, reason: chunk.error.reason }, 'undecodable input; rest not produced');
      for (const value of splitRecords(chunk.text, path)) {
        if (Buffer.byteLength(value) > maxBytes) {
          tooLarge += 1;
          log.warn(
            { file: path, bytes: Buffer.byteLength(value) },
            'record larger than a Kafka message may be; not produced',
          );
          continue;
        }
        ts = options.order === 'file' ? 0 : eventTimeOf(input.source, value, ts);
        list.push({ key, value, ts });
        n += 1;
      }
    }
    result.files.push({
      file: path,
      source: input.source,
      topic: config.kafka.topics[input.source],
      messages: n,
      tooLarge,
    });
    result.tooLarge += tooLarge;
  }
  await producer.connect();
  const total = [...queued.values()].reduce((n, files) => n + files.reduce((m, f) => m + f.length, 0), 0);
  let sent = 0;
  options.onProgress?.(0, total);
  try {
    for (const [source, files] of queued) {
      const list = options.order === 'file' ? files.flat() : mergeByTime(files);
      const topic = config.kafka.topics[source];
      const all: Message[] = list.map(({ key, value }) => ({ key, value }));
      for (const messages of chunkMessages(all, MAX_REQUEST_BYTES, chunkSize)) {
        await producer.send({ topic, messages, acks: -1 });
        sent += messages.length;
        options.onProgress?.(sent, total);
      }
      log.info({ source, topic, messages: list.length }, 'replayed');
      result.messages += list.length;
    }
  } finally {
    await producer.disconnect();
  }
  return result;
}
