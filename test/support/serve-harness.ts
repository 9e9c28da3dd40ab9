/**
 * Helpers for the serve integration tests: an isolated config per test (unique topics, consumer
 * group, Elasticsearch namespace, state directory), producing raw messages, running serve
 * in-process, waiting for conditions, reading topics back, counting documents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, inject } from 'vitest';
import { type Config, configSchema } from '../../src/config.js';
import { decodeHeaders } from '../../src/kafka/messages.js';
import { type BatchInfo, type ServeOptions, type StartedInfo, serve } from '../../src/serve/index.js';
import { kafkaBrokers, uniqueName } from '../services.js';

let scratchRoot: string | undefined;

/**
 * A new empty folder for one test (state directories, input files), under one folder per test
 * file that is removed after the file's tests (the `afterAll` below registers on the file that
 * imports this module).
 */
export function scratchDir(prefix: string): string {
  scratchRoot ??= mkdtempSync(join(tmpdir(), 'tokenwatch-it-'));
  return mkdtempSync(join(scratchRoot, `${prefix}-`));
}

afterAll(() => {
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
  scratchRoot = undefined;
});

/** A config whose every name is unique to this test; `esUrl` defaults to the real node. */
export function isolatedConfig(
  prefix: string,
  over: { esUrl?: string; batchSize?: number; indexActivity?: boolean } = {},
): Config {
  const id = uniqueName(prefix)
    .replace(/[^a-z0-9_-]/g, '_')
    .replace(/-/g, '_');
  const auth = inject('esAuth');
  return configSchema.parse({
    logLevel: 'warn',
    stateDir: scratchDir(`${prefix}-state`),
    kafka: {
      brokers: kafkaBrokers(),
      clientId: id,
      groupId: `${id}.group`,
      topics: {
        github: `${id}.raw.github`,
        google_workspace: `${id}.raw.google_workspace`,
        salesforce: `${id}.raw.salesforce`,
        activity: `${id}.activity`,
        deadLetter: `${id}.dlq`,
      },
      batchSize: over.batchSize ?? 1000,
    },
    elasticsearch: {
      nodes: [over.esUrl ?? inject('esUrl')],
      ...(auth ? { auth } : {}),
      namespace: id.slice(0, 80),
      indexActivity: over.indexActivity ?? false,
      retention: '30d',
    },
    http: { host: '127.0.0.1', port: 0 },
  });
}

/** Produces values (one message each) to a topic and waits for the acknowledgement. */
export async function produce(
  kafka: Kafka,
  topic: string,
  values: readonly (string | null)[],
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Polls `probe` every `everyMs` until it returns a truthy value (returned) or `timeoutMs` passes.
 * `failIf` returning a message stops the wait at once (e.g. the process under test exited).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 300_000,
  everyMs = 200,
  failIf?: () => string | undefined,
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const fatal = failIf?.();
    if (fatal) throw new Error(`${fatal} (while waiting for ${what})`);
    try {
      const v = await probe();
      if (v) return v as Exclude<T, undefined | null | false | 0 | ''>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A serve instance running in this process. */
export interface RunningServe {
  /** Batches acknowledged so far. */
  batches: BatchInfo[];
  started: Promise<StartedInfo>;
  /** Settles when serve returns. */
  done: Promise<void>;
  /** Graceful stop: abort and wait. */
  stop(): Promise<void>;
  /** Offset after the last acknowledged message of a partition (`-1` before any). */
  lastOffset(topic: string, partition?: number): number;
}

export const quietLogger = () => pino({ level: process.env['TOKENWATCH_TEST_LOG_LEVEL'] ?? 'silent' });

/** Starts serve with short test timings (every option can be overridden). */
export function startServe(config: Config, options: Partial<ServeOptions> = {}): RunningServe {
  const ac = new AbortController();
  const batches: BatchInfo[] = [];
  let onStarted: (i: StartedInfo) => void = () => {};
  const started = new Promise<StartedInfo>((resolve) => {
    onStarted = resolve;
  });
  const done = serve(config, quietLogger(), {
    signal: ac.signal,
    latenessMs: 60_000,
    checkpointIntervalMs: 0,
    sessionTimeoutMs: 6_000,
    shutdownGraceMs: 10_000,
    backoff: { initialMs: 100, maxMs: 1_000 },
    esClient: { requestTimeoutMs: 5_000, maxRetries: 0 },
    ...options,
    onStarted: (i) => {
      onStarted(i);
      options.onStarted?.(i);
    },
    onBatch: (b) => {
      batches.push(b);
      options.onBatch?.(b);
    },
  });
  done.catch(() => {});
  return {
    batches,
    started,
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
    lastOffset: (topic, partition = 0) =>
      batches
        .filter((b) => b.topic === topic && b.partition === partition)
        .reduce((m, b) => Math.max(m, Number(b.lastOffset)), -1),
  };
}

/** One message read back from a topic. */
export interface ReadMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  offset: string;
}

/** Reads a topic from the beginning until `count` messages arrived (or the timeout). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 120_000,
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    sessionTimeout: 6_000,
    maxWaitTimeInMs: 200,
  });
  const out: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: decodeHeaders(message.headers),
          offset: message.offset,
        });
      },
    });
    await waitFor(`${count} messages on ${topic}`, () => out.length >= count, timeoutMs);
    // Linger briefly so extra (unexpected) messages show up in the result too.
    await new Promise((r) => setTimeout(r, 300));
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/** Source documents of an index/data stream (after a refresh). */
export async function allDocs<T>(
  es: Client,
  index: string,
  query: Record<string, unknown> = { match_all: {} },
): Promise<T[]> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const res = await es.search<T>({
    index,
    size: 10_000,
    query,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  return res.hits.hits.map((h) => h._source as T);
}
