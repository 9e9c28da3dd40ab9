/**
 * Partitioned-topology benchmark (second part of `npm run bench:kafka`; not a test). Needs a real
 * broker and Elasticsearch (KAFKA_BROKERS, ELASTICSEARCH_URL; see bench/kafka.bench.ts).
 *
 * Produces BENCH_EVENTS generated raw GitHub events (BENCH_TOKENS tokens, BENCH_USERS people) to
 * a fresh raw topic, then measures in one run, as ratios:
 *
 *  (a) a bare kafkajs consumer (eachBatch, no work) draining the normalized activity topic;
 *  (b) the normalize stage (one process) turning the raw topic into the activity topic;
 *  (c) the detect stage draining the activity topic with 1 and then 2 instances (child
 *      processes, each its own consumer group run over the same partitions): events/s from the
 *      first committed batch to the last offset committed on every partition;
 *  (d) `serve --role all` in one process caught up with background traffic: the latency from
 *      producing a marker sequence (a revoked token used again) to its alert being searchable
 *      in Elasticsearch (polled every 50 ms, no forced refresh), p50/p99.
 *
 * Knobs (env): BENCH_EVENTS (20000), BENCH_TOKENS (2000), BENCH_USERS (400), BENCH_PARTITIONS
 * (6), BENCH_MARKERS (20), BENCH_BACKGROUND_RATE (200).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { alertKey } from '../src/alerts/build-alert.js';
import { type Config, configSchema } from '../src/config.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { chunkMessages } from '../src/kafka/chunk.js';
import { runTopology, topologyNames } from '../src/topology/index.js';
import { readToEnd } from '../src/topology/kafka-io.js';
import { githubEvent, githubTokenId, revokedTokenSequence } from '../test/support/github-events.js';
import { pollSearchable } from './searchable.js';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const N = env('BENCH_EVENTS', 20_000);
const TOKENS = env('BENCH_TOKENS', 2_000);
const USERS = env('BENCH_USERS', 400);
const PARTITIONS = env('BENCH_PARTITIONS', 6);
const MARKERS = env('BENCH_MARKERS', 20);
const BG_RATE = env('BENCH_BACKGROUND_RATE', 200);
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
const ES_URL = process.env['ELASTICSEARCH_URL'] ?? '';
if (BROKERS.length === 0 || !ES_URL) {
  process.stderr.write(
    'set KAFKA_BROKERS and ELASTICSEARCH_URL (eval "$(bash scripts/services/start.sh)")\n',
  );
  process.exit(2);
}
const CHILD = fileURLToPath(new URL('../test/support/topology-child.ts', import.meta.url));
const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 0, 6, 0);
const RUN = `tbench${Date.now().toString(36)}`;
const kafka = new Kafka({ clientId: RUN, brokers: BROKERS, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const logger = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function event(i: number, at: number): string {
  const t = i % TOKENS;
  return JSON.stringify(
    githubEvent(i % 5 === 0 ? 'api.request' : 'git.clone', at, {
      token: `bg-${t}`,
      actor: `dev${t % USERS}`,
      ip: `198.51.${(t >> 8) & 255}.${t & 255}`,
      repo: `acme/repo-${t % 50}`,
    }),
  );
}

function config(name: string, rawTopic: string, activity: string): Config {
  return configSchema.parse({
    logLevel: 'warn',
    kafka: {
      brokers: BROKERS,
      clientId: `${RUN}-${name}`,
      groupId: `${RUN}-${name}`,
      topics: {
        github: rawTopic,
        google_workspace: `${RUN}.raw.google_workspace`,
        salesforce: `${RUN}.raw.salesforce`,
        activity,
        deadLetter: `${RUN}.dlq`,
      },
    },
    elasticsearch: { nodes: [ES_URL], namespace: `${RUN}${name}`.replace(/[^a-z0-9]/g, ''), retention: '7d' },
  });
}

/** Offsets committed by `groupId` on `topic` reach `ends` on every partition. */
async function caughtUp(groupId: string, topic: string, ends: Map<number, bigint>): Promise<boolean> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const c = new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  for (const [p, end] of ends) if ((c.get(p) ?? -1n) < end) return false;
  return true;
}

/** The offset after the last data record of every partition (transactional topics end in markers). */
async function dataEnds(topic: string): Promise<{ ends: Map<number, bigint>; count: number }> {
  const consumer = kafka.consumer({ groupId: `${RUN}-ends-${Math.random()}`, maxWaitTimeInMs: 100 });
  const highs = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  const ends = new Map<number, bigint>();
  let count = 0;
  const open = new Set([...highs].filter(([, h]) => h > 0n).map(([p]) => p));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    if (BigInt(e.payload.lastOffset) >= (highs.get(e.payload.partition) ?? 0n) - 1n)
      open.delete(e.payload.partition);
    if (open.size === 0) done();
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const last = batch.messages.at(-1);
      count += batch.messages.length;
      if (last) ends.set(batch.partition, BigInt(last.offset) + 1n);
    },
  });
  if (open.size > 0) await finished;
  await consumer.disconnect();
  return { ends, count };
}

/** (a) bare kafkajs consumer draining `topic` (`total` messages), ms from first to last batch. */
async function bareDrain(topic: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${RUN}-bare`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
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
      if (seen >= total) done();
    },
  });
  await finished;
  const ms = performance.now() - first;
  await consumer.disconnect();
  return ms;
}

/** (c) `instances` detect child processes over `activity`: ms from the first batch to caught up. */
async function detectRun(
  name: string,
  rawTopic: string,
  source: Map<number, { key: string; value: Buffer | null; headers: Record<string, string> }[]>,
  instances: number,
) {
  // each run reads its own copy of the activity partitions, filled once every instance joined
  // (else the first instance to join drains everything before the others get partitions)
  const activity = `${RUN}.activity-${name}`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: activity, numPartitions: PARTITIONS }],
  });
  const cfg = config(name, rawTopic, activity);
  const children: ChildProcess[] = [];
  let first = 0;
  const perChild = Array.from({ length: instances }, () => 0);
  /** CPU ms of each child at its first and its latest batch (the measured window). */
  const cpuFirst = Array.from({ length: instances }, () => Number.NaN);
  const cpuLast = Array.from({ length: instances }, () => Number.NaN);
  for (let i = 0; i < instances; i++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        TW_CONFIG: JSON.stringify(cfg),
        TW_TOPOLOGY_OPTIONS: JSON.stringify({ roles: ['detect'], partitions: PARTITIONS }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as { type?: string; messages?: number; cpuMs?: number };
        if (e.type === 'batch') {
          if (first === 0) first = performance.now();
          perChild[i] = (perChild[i] ?? 0) + (e.messages ?? 0);
          if (typeof e.cpuMs === 'number') {
            if (Number.isNaN(cpuFirst[i] as number)) cpuFirst[i] = e.cpuMs;
            cpuLast[i] = e.cpuMs;
          }
        }
      } catch {
        // not ours
      }
    });
  }
  const group = topologyNames(cfg.kafka).group.detect;
  for (;;) {
    const d = await admin.describeGroups([group]);
    if ((d.groups[0]?.members.length ?? 0) === instances && d.groups[0]?.state === 'Stable') break;
    await sleep(200);
  }
  const producer = kafka.producer();
  await producer.connect();
  const ends = new Map<number, bigint>();
  for (const [partition, records] of source) {
    const messages = records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, partition }));
    for (const part of chunkMessages(messages))
      await producer.send({ topic: activity, acks: -1, messages: part });
    ends.set(partition, BigInt(records.length));
  }
  await producer.disconnect();
  while (!(await caughtUp(group, activity, ends))) await sleep(100);
  const ms = performance.now() - first;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
  );
  const loadAvg = loadavg()[0] ?? Number.NaN;
  const cpuMs = cpuLast.map((c, i) => c - (cpuFirst[i] as number));
  return { ms, perChild, cpuMs, loadAvg };
}

async function main(): Promise<void> {
  await admin.connect();
  const rawTopic = `${RUN}.raw.github`;
  const spanMs = 20 * 24 * HOUR;
  const values = Array.from({ length: N }, (_, i) => event(i, BASE + Math.floor((i * spanMs) / N)));
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  for (const messages of chunkMessages(values.map((value) => ({ value }))))
    await producer.send({ topic: rawTopic, acks: -1, messages });
  process.stderr.write(`produced ${fmt(N)} raw events to ${rawTopic}\n`);

  // (b) normalize once into the shared activity topic
  const activity = `${RUN}.activity`;
  const norm = config('norm', rawTopic, activity);
  const ac = new AbortController();
  let nFirst = 0;
  const normalizing = runTopology(norm, logger, {
    signal: ac.signal,
    roles: ['normalize'],
    partitions: PARTITIONS,
    onBatch: () => {
      if (nFirst === 0) nFirst = performance.now();
    },
  });
  const rawEnds = new Map(
    (await admin.fetchTopicOffsets(rawTopic)).map((o) => [o.partition, BigInt(o.high)]),
  );
  while (!(await caughtUp(topologyNames(norm.kafka).group.normalize, rawTopic, rawEnds))) await sleep(100);
  const normalizeMs = performance.now() - nFirst;
  ac.abort();
  await normalizing;
  const { count: total } = await dataEnds(activity);
  const source = await readToEnd(kafka, admin, activity, [...Array(PARTITIONS).keys()]);
  process.stderr.write(`normalized into ${activity} (${PARTITIONS} partitions)\n`);

  const bareMs = await bareDrain(activity, total);
  process.stderr.write('detect with 1 instance\n');
  const one = await detectRun('d1', rawTopic, source, 1);
  process.stderr.write('detect with 2 instances\n');
  const two = await detectRun('d2', rawTopic, source, 2);

  // (d) produce-to-searchable with every stage in one process
  process.stderr.write(`latency: ${MARKERS} markers with ${BG_RATE} background events/s\n`);
  const allCfg = config('all', `${RUN}.raw.github.lat`, `${RUN}.activity.lat`);
  const ac2 = new AbortController();
  let started: () => void = () => {};
  const isStarted = new Promise<void>((r) => {
    started = r;
  });
  const serving = runTopology(allCfg, logger, {
    signal: ac2.signal,
    partitions: PARTITIONS,
    latenessMs: 0,
    onStarted: () => started(),
  });
  await isStarted;
  const es = new Client({ node: ES_URL });
  const latency: number[] = [];
  const pending = new Map<string, number>();
  let stop = false;
  const tBase = BASE + spanMs + HOUR;
  let window = 0;
  let bgI = 0;
  const background = (async () => {
    while (!stop) {
      const n = Math.max(1, Math.round(BG_RATE / 10));
      const at = tBase + window * 4 * HOUR;
      const msgs = Array.from({ length: n }, (_, j) => ({
        value: event(bgI + j, at + ((bgI + j) % 3_600) * 1_000),
      }));
      bgI += n;
      await producer.send({ topic: allCfg.kafka.topics.github, acks: -1, messages: msgs });
      await sleep(100);
    }
  })();
  const index = alertDataStream(allCfg.elasticsearch.namespace);
  const poller = pollSearchable(es, index, pending, latency, () => stop);
  await sleep(5_000); // let every stage join its group
  for (let k = 0; k < MARKERS; k++) {
    window = k + 1;
    const start = tBase + window * 4 * HOUR;
    const name = `marker-${RUN}-${k}`;
    const seq = revokedTokenSequence(name, start);
    const useAt = start + 4 * 60_000 + 2 * HOUR;
    const closer = JSON.stringify(githubEvent('git.clone', start + 3.5 * HOUR, { token: name }));
    const { id } = alertKey('token.lifecycle.used_after_revocation', githubTokenId(name), useAt);
    const sentAt = performance.now();
    await producer.send({
      topic: allCfg.kafka.topics.github,
      acks: -1,
      messages: [...seq, closer].map((value) => ({ value })),
    });
    pending.set(id, sentAt);
    await sleep(1_000);
  }
  const deadline = Date.now() + 120_000;
  while (pending.size > 0 && Date.now() < deadline) await sleep(100);
  stop = true;
  await background;
  await poller;
  ac2.abort();
  await serving;
  await es.close();
  await producer.disconnect();
  await admin.disconnect();

  const rate = (ms: number) => (total / ms) * 1000;
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const bare = rate(bareMs);
  const lines = [
    `tokenwatch topology bench: ${fmt(N)} raw events, ${fmt(total)} activities over ${PARTITIONS} partitions, ${TOKENS} tokens, ${USERS} people`,
    `bare kafkajs drain of the activity topic: ${fmt(bare)} msg/s`,
    `normalize stage (1 process):               ${fmt((N / normalizeMs) * 1000)} events/s`,
    `detect stage, 1 instance:                  ${fmt(rate(one.ms))} events/s (${(rate(one.ms) / bare).toFixed(3)} of bare)`,
    `detect stage, 2 instances:                 ${fmt(rate(two.ms))} events/s (${(rate(two.ms) / bare).toFixed(3)} of bare; ${(one.ms / two.ms).toFixed(2)}x one instance; split ${two.perChild.join(' / ')})`,
    `detect CPU time (each child, first to last batch): 1 instance ${fmt(sum(one.cpuMs) / 1000, 1)} s; 2 instances ${two.cpuMs.map((c) => fmt(c / 1000, 1)).join(' + ')} s; cores the run could use = CPU / wall: ${(sum(one.cpuMs) / one.ms).toFixed(2)} vs ${(sum(two.cpuMs) / two.ms).toFixed(2)} (2-core machine; 1-minute load average ${one.loadAvg.toFixed(1)} / ${two.loadAvg.toFixed(1)} at the end of each run)`,
    `produce -> searchable alert (serve --role all, ${BG_RATE} events/s background): p50 ${fmt(pct(latency, 50))} ms, p99 ${fmt(pct(latency, 99))} ms (${latency.length}/${MARKERS} samples)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
