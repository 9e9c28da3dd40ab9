/**
 * Kafka benchmark (`npm run bench:kafka`; not a test). Needs a real broker and Elasticsearch:
 *
 *   eval "$(bash scripts/services/start.sh)"   # exports KAFKA_BROKERS, ELASTICSEARCH_URL
 *   npm run bench:kafka
 *   bash scripts/services/stop.sh
 *
 * Produces BENCH_EVENTS generated raw GitHub audit events (BENCH_TOKENS tokens) to a fresh raw
 * topic, then measures, side by side:
 *
 *  (a) a bare kafkajs consumer (eachBatch, no work) draining the topic: messages/s; and the
 *      produce-to-consume latency of single messages on an idle topic;
 *  (e) the embedded pipeline (`Pipeline`, both stages, in this process, no Kafka, no sinks) over
 *      the same event values: events/s (wall and CPU time), the yardstick serve is compared with;
 *  (b) `serve` draining the same topic (both pipeline stages, alerts + token inventory to
 *      Elasticsearch, activity to the activity topic, checkpoints): events/s (wall and CPU time);
 *      and, while background traffic is offered at BENCH_OFFERED_RATE events/s (paced, the rate
 *      actually achieved is printed), the latency from producing a marker sequence (a revoked
 *      token used again, plus an event that moves the event-time watermark past its alert group)
 *      to its `token.lifecycle.used_after_revocation` alert being searchable in Elasticsearch
 *      (polled every 50 ms, no forced refresh).
 *
 * Printed side by side, with the ratios serve / embedded pipeline and serve / bare drain of this
 * run and the load average (the machine is shared: compare ratios, not absolute rates).
 *
 * Knobs (env): BENCH_EVENTS (50000), BENCH_TOKENS (2000), BENCH_MARKERS (40), BENCH_BATCH
 * (kafka.batchSize, 1000), BENCH_OFFERED_RATE (5000; BENCH_BACKGROUND_RATE is an alias),
 * BENCH_CHECKPOINT_MS (5000).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { alertKey } from '../src/alerts/build-alert.js';
import { configSchema } from '../src/config.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { chunkMessages } from '../src/kafka/chunk.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { type BatchInfo, serve } from '../src/serve/index.js';
import { processMessages } from '../src/serve/processor.js';
import { githubEvent, githubTokenId, revokedTokenSequence } from '../test/support/github-events.js';
import { pollSearchable } from './searchable.js';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const N = env('BENCH_EVENTS', 50_000);
const TOKENS = env('BENCH_TOKENS', 2_000);
const MARKERS = env('BENCH_MARKERS', 40);
const BATCH = env('BENCH_BATCH', 1_000);
const BG_RATE = env('BENCH_OFFERED_RATE', env('BENCH_BACKGROUND_RATE', 5_000));
const CHECKPOINT_MS = env('BENCH_CHECKPOINT_MS', 5_000);
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
const ES_URL = process.env['ELASTICSEARCH_URL'] ?? '';
if (BROKERS.length === 0 || !ES_URL) {
  process.stderr.write(
    'set KAFKA_BROKERS and ELASTICSEARCH_URL (eval "$(bash scripts/services/start.sh)")\n',
  );
  process.exit(2);
}

const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 0, 6, 0);
const RUN = `bench${Date.now().toString(36)}`;
const kafka = new Kafka({ clientId: RUN, brokers: BROKERS, logLevel: logLevel.NOTHING });
const es = new Client({ node: ES_URL });
const logger = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'warn' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
/** CPU time (user + system) of this process since `from` (process.cpuUsage()), ms. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** Background traffic: git.clone / api.request by TOKENS tokens over 20 days of event time. */
function backgroundEvent(i: number, at: number): string {
  const t = i % TOKENS;
  const action = i % 5 === 0 ? 'api.request' : 'git.clone';
  return JSON.stringify(
    githubEvent(action, at, {
      token: `bg-${t}`,
      actor: `dev${t % 400}`,
      ip: `198.51.${(t >> 8) & 255}.${t & 255}`,
      repo: `acme/repo-${t % 50}`,
    }),
  );
}

async function produceAll(topic: string, values: string[]): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const t0 = performance.now();
  for (const messages of chunkMessages(values.map((value) => ({ value })))) {
    await producer.send({ topic, acks: -1, messages });
  }
  const ms = performance.now() - t0;
  await producer.disconnect();
  return ms;
}

/** (a) bare kafkajs consumer draining `topic` (N messages): ms from first to last batch, and total. */
async function bareDrain(topic: string): Promise<{ drainMs: number; totalMs: number }> {
  const consumer = kafka.consumer({ groupId: `${RUN}-bare`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const t0 = performance.now();
  let first = 0;
  let seen = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (first === 0) first = performance.now();
      seen += batch.messages.length;
      if (seen >= N) done();
    },
  });
  await finished;
  const end = performance.now();
  await consumer.disconnect();
  return { drainMs: end - first, totalMs: end - t0 };
}

/** (a) bare consumer latency: single messages produced every 100 ms, from send to eachMessage. */
async function bareLatency(): Promise<number[]> {
  const topic = `${RUN}.latency`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${RUN}-bare-lat`, maxWaitTimeInMs: 500 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const sent = new Map<string, number>();
  const lat: number[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.value?.toString() ?? '';
      const at = sent.get(id);
      if (at !== undefined) lat.push(performance.now() - at);
    },
  });
  await sleep(3_000); // group join
  for (let i = 0; i < MARKERS; i++) {
    const id = `m${i}`;
    sent.set(id, performance.now());
    await producer.send({ topic, acks: -1, messages: [{ value: id }] });
    await sleep(100);
  }
  await sleep(1_500);
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return lat;
}

/**
 * (e) The embedded pipeline over the same event values: one fresh `Pipeline` (stage 1, the
 * batch sorted in stage-2 order, stage 2, alert groups closed), no Kafka and no sinks. Returns
 * wall and CPU ms and the alerts it closed (flushed at the end).
 */
function embedded(
  config: ReturnType<typeof configSchema.parse>,
  values: readonly string[],
  topic: string,
): { wallMs: number; cpuMs: number; alerts: number } {
  const pipeline = new Pipeline({ config: config.pipeline, logger });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = processMessages(
    pipeline,
    'github',
    values.map((v, i) => ({ topic, partition: 0, offset: String(i), value: Buffer.from(v) })),
    config.serve.latenessMs,
  );
  const alerts = out.alerts.length + pipeline.flush().length;
  return { wallMs: performance.now() - t0, cpuMs: cpuMs(c0), alerts };
}

async function main(): Promise<void> {
  const rawTopic = `${RUN}.raw.github`;
  const spanMs = 20 * 24 * HOUR;
  const values = Array.from({ length: N }, (_, i) => backgroundEvent(i, BASE + Math.floor((i * spanMs) / N)));
  const bytes = values.reduce((s, v) => s + Buffer.byteLength(v), 0);
  process.stderr.write(
    `producing ${fmt(N)} events (${fmt(bytes / N)} B avg, ${TOKENS} tokens) to ${rawTopic}\n`,
  );
  const produceMs = await produceAll(rawTopic, values);

  process.stderr.write('(a) bare kafkajs consumer draining the topic\n');
  const bare = await bareDrain(rawTopic);
  process.stderr.write('(a) bare kafkajs consumer latency\n');
  const bareLat = await bareLatency();

  const config = configSchema.parse({
    logLevel: 'warn',
    stateDir: mkdtempSync(join(tmpdir(), 'tw-bench-')),
    kafka: {
      brokers: BROKERS,
      clientId: RUN,
      groupId: `${RUN}-serve`,
      batchSize: BATCH,
      topics: {
        github: rawTopic,
        google_workspace: `${RUN}.raw.google_workspace`,
        salesforce: `${RUN}.raw.salesforce`,
        activity: `${RUN}.activity`,
        deadLetter: `${RUN}.dlq`,
      },
    },
    elasticsearch: { nodes: [ES_URL], namespace: RUN, retention: '7d' },
    http: { host: '127.0.0.1', port: 0 },
  });
  process.stderr.write('(e) embedded pipeline over the same events\n');
  const emb = embedded(config, values, rawTopic);
  process.stderr.write('(b) serve draining the topic\n');
  const loadBefore = load();
  const ac = new AbortController();
  const batches: BatchInfo[] = [];
  let startedAt = 0;
  let firstBatchAt = 0;
  let drainedAt = 0;
  let lastOffset = -1;
  let cpuAtFirstBatch: NodeJS.CpuUsage | undefined;
  let serveCpuMs = 0;
  const served = serve(config, logger, {
    signal: ac.signal,
    checkpointIntervalMs: CHECKPOINT_MS,
    onStarted: () => {
      startedAt = performance.now();
    },
    onBatch: (b) => {
      if (firstBatchAt === 0) {
        firstBatchAt = performance.now() - b.durationMs;
        cpuAtFirstBatch = process.cpuUsage();
      }
      batches.push(b);
      lastOffset = Math.max(lastOffset, Number(b.lastOffset));
      if (lastOffset === N - 1 && drainedAt === 0) {
        drainedAt = performance.now();
        serveCpuMs = cpuAtFirstBatch ? cpuMs(cpuAtFirstBatch) : Number.NaN;
      }
    },
  });
  while (drainedAt === 0) await sleep(50);
  const drainBatches = [...batches];

  process.stderr.write(`(b) serve latency: ${MARKERS} markers with ${fmt(BG_RATE)} events/s offered\n`);
  const producer = kafka.producer();
  await producer.connect();
  const latency: number[] = [];
  const pending = new Map<string, number>();
  let stopBackground = false;
  const markerGapMs = 4 * HOUR;
  const tBase = BASE + spanMs + HOUR;
  // Background traffic offered at BG_RATE events/s (paced on elapsed time: whatever is due is
  // sent every 20 ms), event times inside the current marker window.
  let bgI = N;
  let window = 0;
  let bgSent = 0;
  let bgStarted = 0;
  let bgEnded = 0;
  const background = (async () => {
    bgStarted = performance.now();
    while (!stopBackground) {
      const due = Math.floor((BG_RATE * (performance.now() - bgStarted)) / 1000) - bgSent;
      if (due > 0) {
        const at = tBase + window * markerGapMs;
        const msgs = Array.from({ length: Math.min(due, 5_000) }, (_, j) => ({
          value: backgroundEvent(bgI + j, at + ((bgI + j) % 3_600) * 1_000),
        }));
        bgI += msgs.length;
        bgSent += msgs.length;
        for (const part of chunkMessages(msgs))
          await producer.send({ topic: rawTopic, acks: -1, messages: part });
      }
      await sleep(20);
    }
    bgEnded = performance.now();
  })();
  const index = alertDataStream(RUN);
  const poller = pollSearchable(es, index, pending, latency, () => stopBackground);
  for (let k = 0; k < MARKERS; k++) {
    window = k + 1;
    const start = tBase + window * markerGapMs;
    const name = `marker-${RUN}-${k}`;
    const seq = revokedTokenSequence(name, start);
    const useAt = start + 4 * 60_000 + 2 * HOUR; // last use, see revokedTokenSequence
    const closer = JSON.stringify(githubEvent('git.clone', start + 3.5 * HOUR, { token: `closer-${k}` }));
    const { id } = alertKey('token.lifecycle.used_after_revocation', githubTokenId(name), useAt);
    const sentAt = performance.now();
    await producer.send({
      topic: rawTopic,
      acks: -1,
      messages: [...seq, closer].map((value) => ({ value })),
    });
    pending.set(id, sentAt);
    await sleep(500);
  }
  const deadline = Date.now() + 60_000;
  while (pending.size > 0 && Date.now() < deadline) await sleep(100);
  stopBackground = true;
  await background;
  await poller;
  await producer.disconnect();
  ac.abort();
  await served;
  await es.close();

  const serveDrainMs = drainedAt - firstBatchAt;
  const sum = (k: 'processMs' | 'deliverMs' | 'waitMs' | 'checkpointMs') =>
    drainBatches.reduce((s, b) => s + b[k], 0);
  const alerts = drainBatches.reduce((s, b) => s + b.alerts, 0);
  const bareRate = (N / bare.drainMs) * 1000;
  const embRate = (N / emb.wallMs) * 1000;
  const serveRate = (N / serveDrainMs) * 1000;
  const offered = (bgSent / (bgEnded - bgStarted)) * 1000;
  const rows: [string, string, string, string][] = [
    ['', '(a) bare kafkajs drain', '(e) embedded pipeline', '(b) tokenwatch serve'],
    [
      'events/s (wall)',
      `${fmt(bareRate)} msg/s`,
      `${fmt(embRate)}`,
      `${fmt(serveRate)} (${(serveRate / embRate).toFixed(2)} of embedded, ${(serveRate / bareRate).toFixed(3)} of bare)`,
    ],
    [
      'events per CPU second',
      '',
      `${fmt((N / emb.cpuMs) * 1000)}`,
      `${fmt((N / serveCpuMs) * 1000)} (${(emb.cpuMs / serveCpuMs).toFixed(2)} of embedded; whole process incl. kafkajs)`,
    ],
    [
      'time (first to last batch)',
      `${fmt(bare.drainMs / 1000, 2)} s`,
      `${fmt(emb.wallMs / 1000, 2)} s`,
      `${fmt(serveDrainMs / 1000, 2)} s (${fmt((drainedAt - startedAt) / 1000, 2)} s after join)`,
    ],
    ['alerts', '', `${emb.alerts} (flushed at the end)`, `${alerts} (drain only; open groups stay open)`],
    [
      'latency p50',
      `${fmt(pct(bareLat, 50), 1)} ms (produce -> consume)`,
      '',
      `${fmt(pct(latency, 50))} ms (produce -> searchable alert)`,
    ],
    ['latency p99', `${fmt(pct(bareLat, 99), 1)} ms`, '', `${fmt(pct(latency, 99))} ms`],
    [
      'latency samples',
      `${bareLat.length}/${MARKERS}`,
      '',
      `${latency.length}/${MARKERS} (missing: ${pending.size}), ${fmt(offered)} events/s offered (target ${fmt(BG_RATE)})`,
    ],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const out = [
    `tokenwatch Kafka bench: ${fmt(N)} events, ${TOKENS} tokens, batchSize ${BATCH}, checkpoint every ${CHECKPOINT_MS} ms; load average ${loadBefore} before serve, ${load()} at the end`,
    `produce: ${fmt((N / produceMs) * 1000)} msg/s (acks=all, ${fmt(bytes / 1024 / 1024, 1)} MiB)`,
    ...rows.map(
      (r) => `${r[0].padEnd(w[0] ?? 0)}  ${r[1].padEnd(w[1] ?? 0)}  ${r[2].padEnd(w[2] ?? 0)}  ${r[3]}`,
    ),
    `serve sinks (concurrent, summed per sink): ${(['elasticsearch', 'inventory', 'kafka'] as const)
      .map(
        (k) => `${k} ${fmt(drainBatches.reduce((s, b) => s + (b.report?.timings[k] ?? 0), 0) / 1000, 2)} s`,
      )
      .join(', ')}`,
    `serve drain split: pipeline ${fmt(sum('processMs') / 1000, 2)} s, sinks ${fmt(sum('deliverMs') / 1000, 2)} s (of which not overlapped with processing: ${fmt(sum('waitMs') / 1000, 2)} s), checkpoint+commit ${fmt(sum('checkpointMs') / 1000, 2)} s over ${drainBatches.length} batches (${drainBatches.filter((b) => b.checkpointed).length} checkpoints)`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
