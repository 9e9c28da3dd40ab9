/**
 * The partitioned topology (`serve --role ...`) under movement, against the real broker and
 * cluster: the detect stage runs as 3 child processes; partitions move twice (one instance killed
 * with SIGKILL mid-stream, one instance added), and the result must equal a single-instance run
 * over the same activity partitions: the same set of alert ids in Elasticsearch (no loss, no
 * duplicate) and the same baselines (every token's maturity and history in the changelogs).
 *
 * Both runs read identical partition contents: the samples are normalized once (normalize stage),
 * then copied partition by partition into one activity topic per run. The single-instance run
 * gets everything at once; the scaled run gets it in three slices, so the moves happen between
 * and during slices whatever the machine's speed. No wall-clock assertion: every step waits on a
 * condition (committed offsets), with generous limits for a loaded 2-core machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import type { Config } from '../src/config.js';
import { alertDataStream } from '../src/elasticsearch/names.js';
import { chunkMessages } from '../src/kafka/chunk.js';
import { replayFiles } from '../src/kafka/replay.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { splitDetectors } from '../src/topology/detector-split.js';
import { runTopology, type Stage, topologyNames } from '../src/topology/index.js';
import { type ReadRecord, readToEnd } from '../src/topology/kafka-io.js';
import { TaskState } from '../src/topology/task-state.js';
import { createEsClient, createKafka } from './services.js';
import { allDocs, isolatedConfig, quietLogger, waitFor } from './support/serve-harness.js';

const INPUT = 'samples/northwind';
const PARTITIONS = 6;
/** Short enough that a killed member's partitions move soon; heartbeats run during batches. */
const SESSION_MS = 10_000;
const CHILD = fileURLToPath(new URL('./support/topology-child.ts', import.meta.url));
const LIMIT = 300_000;

let kafka: Kafka;
let admin: Admin;
let es: Client;
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = createKafka();
  admin = kafka.admin();
  await admin.connect();
  es = createEsClient();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await admin.disconnect();
  await es.close();
});

/** A run's own config: its consumer groups, activity topic and alert namespace. */
function runConfig(base: Config, name: string): Config {
  return {
    ...base,
    kafka: {
      ...base.kafka,
      groupId: `${base.kafka.groupId}-${name}`,
      topics: { ...base.kafka.topics, activity: `${base.kafka.topics.activity}-${name}` },
    },
    elasticsearch: { ...base.elasticsearch, namespace: `${base.elasticsearch.namespace}${name}` },
  };
}

/** Stages running in this process. */
function inProcess(config: Config, roles: Stage[]) {
  const ac = new AbortController();
  const done = runTopology(config, quietLogger(), {
    signal: ac.signal,
    roles,
    partitions: PARTITIONS,
    sessionTimeoutMs: SESSION_MS,
  });
  return {
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

interface Child {
  proc: ChildProcess;
  batches: number;
  dead: () => string | undefined;
}

/** A detect instance in a child process (so it can be killed with SIGKILL). */
function spawnDetect(config: Config): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      TW_CONFIG: JSON.stringify(config),
      TW_TOPOLOGY_OPTIONS: JSON.stringify({
        roles: ['detect'],
        partitions: PARTITIONS,
        sessionTimeoutMs: SESSION_MS,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  const child: Child = { proc, batches: 0, dead: () => undefined };
  let exit: string | undefined;
  proc.once('exit', (code, signal) => {
    exit = `detect child exited (code ${code}, signal ${signal})`;
  });
  child.dead = () => exit;
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const e = JSON.parse(line) as { type?: string };
      if (e.type === 'batch') child.batches += 1;
    } catch {
      // not ours
    }
  });
  return child;
}

/** Committed offsets of a group on a topic, by partition (-1 when none). */
async function committed(groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

/** True when `groupId` committed, for every partition of `ends`, at least that offset. */
async function caughtUp(groupId: string, topic: string, ends: ReadonlyMap<number, bigint>): Promise<boolean> {
  const c = await committed(groupId, topic);
  for (const [p, end] of ends) if ((c.get(p) ?? -1n) < end) return false;
  return true;
}

/** Offset after the last committed record of each partition (transaction markers excluded). */
async function dataEnds(topic: string, partitions: number): Promise<Map<number, bigint>> {
  const all = await readToEnd(kafka, admin, topic, [...Array(partitions).keys()]);
  const out = new Map<number, bigint>();
  for (const [p, records] of all) {
    const last = records.at(-1);
    if (last) out.set(p, BigInt(last.offset) + 1n);
  }
  return out;
}

/** Writes records to the same partitions of `topic`, in order (plain producer: no markers). */
async function copy(topic: string, slices: ReadonlyMap<number, readonly ReadRecord[]>): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const [partition, records] of slices) {
      const messages = records.map((r) => ({ key: r.key, value: r.value, partition }));
      for (const part of chunkMessages(messages)) await producer.send({ topic, acks: -1, messages: part });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Waits until the org and sink stages of a run consumed everything detect (and org) wrote. */
async function drained(config: Config): Promise<void> {
  const n = topologyNames(config.kafka);
  await waitFor(
    'org stage caught up',
    async () => caughtUp(n.group.org, n.byOrg, await dataEnds(n.byOrg, 1)),
    LIMIT,
    1_000,
  );
  await waitFor(
    'sink stage caught up',
    async () => caughtUp(n.group.sink, n.alerts, await dataEnds(n.alerts, PARTITIONS)),
    LIMIT,
    1_000,
  );
}

/** Token baselines of a run, rebuilt from its changelogs (detect tasks and the org task). */
async function tokenBaselines(config: Config): Promise<Map<string, unknown>> {
  const n = topologyNames(config.kafka);
  const split = splitDetectors();
  const out = new Map<string, unknown>();
  const detect = await readToEnd(kafka, admin, n.changelog.detect, [...Array(PARTITIONS).keys()]);
  for (const records of detect.values()) {
    const p = new Pipeline({ config: config.pipeline, logger: quietLogger(), detectors: split.detect });
    TaskState.restore(p, records);
    for (const t of p.store.entities('token')) out.set(`detect:${t.entity}`, t.toJSON());
  }
  const org = (await readToEnd(kafka, admin, n.changelog.org, [0])).get(0) ?? [];
  const p = new Pipeline({ config: config.pipeline, logger: quietLogger(), detectors: split.org });
  TaskState.restore(p, org);
  for (const t of p.store.entities('token')) out.set(`org:${t.entity}:${t.maturity}`, t.toJSON());
  return out;
}

async function alertIds(config: Config): Promise<string[]> {
  const docs = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
  return docs.map((a) => a.event.id).sort();
}

describe('partitioned topology under movement', () => {
  it('3 detect instances, one killed with SIGKILL mid-stream, one added: the alerts and baselines of one instance', async () => {
    const base = isolatedConfig('topo');
    // 1. the samples, normalized once into the activity topic (keyed by entity)
    const replayed = await replayFiles(INPUT, base, { logger: quietLogger(), kafka });
    expect(replayed.messages).toBeGreaterThan(100);
    const names = topologyNames(base.kafka);
    const normalize = inProcess(base, ['normalize']);
    const rawEnds = new Map<string, Map<number, bigint>>();
    for (const topic of new Set(replayed.files.flatMap((f) => (f.topic ? [f.topic] : [])))) {
      const o = await admin.fetchTopicOffsets(topic);
      rawEnds.set(topic, new Map(o.map((x) => [x.partition, BigInt(x.high)])));
    }
    for (const [topic, ends] of rawEnds)
      await waitFor(
        `normalize consumed ${topic}`,
        () => caughtUp(names.group.normalize, topic, ends),
        LIMIT,
        500,
      );
    await normalize.stop();
    const activity = await readToEnd(kafka, admin, names.activity, [...Array(PARTITIONS).keys()]);
    const total = [...activity.values()].reduce((s, r) => s + r.length, 0);
    expect(total).toBeGreaterThan(1_000);
    for (const [p, records] of activity)
      expect(records.length, `activity partition ${p}`).toBeGreaterThan(10);

    const slice = (from: number, to: number) =>
      new Map(
        [...activity].map(([p, r]) => [p, r.slice(Math.floor(r.length * from), Math.floor(r.length * to))]),
      );
    const endsAt = (to: number) =>
      new Map([...activity].map(([p, r]) => [p, BigInt(Math.floor(r.length * to))]));
    const createActivity = (topic: string) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      });

    // 2. one instance of every stage over all of it
    const single = runConfig(base, 'single');
    await createActivity(single.kafka.topics.activity);
    await copy(single.kafka.topics.activity, slice(0, 1));
    const one = inProcess(single, ['detect', 'org', 'sink']);
    const singleNames = topologyNames(single.kafka);
    await waitFor(
      'single detect caught up',
      () => caughtUp(singleNames.group.detect, single.kafka.topics.activity, endsAt(1)),
      LIMIT,
      1_000,
    );
    await drained(single);
    await one.stop();

    // 3. three detect instances; partitions move twice
    const scaled = runConfig(base, 'scaled');
    const scaledNames = topologyNames(scaled.kafka);
    const topic = scaled.kafka.topics.activity;
    await createActivity(topic);
    const downstream = inProcess(scaled, ['org', 'sink']);
    const detect = [spawnDetect(scaled), spawnDetect(scaled), spawnDetect(scaled)];
    const anyDead = () => detect.map((c) => c.dead()).find((d) => d !== undefined);
    const members = (n: number) => async () => {
      const d = await admin.describeGroups([scaledNames.group.detect]);
      return (d.groups[0]?.members.length ?? 0) === n && d.groups[0]?.state === 'Stable';
    };
    // every instance owns partitions before the first slice exists (2 of the 6 each)
    await waitFor('3 detect instances joined', members(3), LIMIT, 1_000, anyDead);
    await copy(topic, slice(0, 0.4));
    await waitFor(
      'slice 1 detected by 3 instances',
      () => caughtUp(scaledNames.group.detect, topic, endsAt(0.4)),
      LIMIT,
      1_000,
      anyDead,
    );
    const victim = detect[0] as Child;
    expect(victim.batches, 'the instance to kill owned partitions').toBeGreaterThan(0);
    await copy(topic, slice(0.4, 0.7));
    victim.proc.kill('SIGKILL'); // mid-stream: its partitions hold unconsumed messages
    const survivors = detect.slice(1);
    const survivorsDead = () => survivors.map((c) => c.dead()).find((d) => d !== undefined);
    await waitFor(
      'slice 2 detected after the kill',
      () => caughtUp(scaledNames.group.detect, topic, endsAt(0.7)),
      LIMIT,
      1_000,
      survivorsDead,
    );
    const added = spawnDetect(scaled);
    // the added instance joins (second move) before the last slice exists
    await waitFor('added instance joined', members(3), LIMIT, 1_000, added.dead);
    await copy(topic, slice(0.7, 1));
    await waitFor(
      'slice 3 detected after the addition',
      () => caughtUp(scaledNames.group.detect, topic, endsAt(1)),
      LIMIT,
      1_000,
      () => survivorsDead() ?? added.dead(),
    );
    expect(added.batches, 'the added instance took partitions over').toBeGreaterThan(0);
    await drained(scaled);
    for (const c of [...survivors, added]) c.proc.kill('SIGTERM');
    await Promise.all(
      [...survivors, added].map((c) => waitFor('detect child stopped', () => c.dead(), LIMIT, 200)),
    );
    await downstream.stop();

    // 4. same alerts (one document per id), same baselines
    const want = await alertIds(single);
    const got = await alertIds(scaled);
    expect(want.length).toBeGreaterThan(5);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(want);
    const wantBaselines = await tokenBaselines(single);
    const gotBaselines = await tokenBaselines(scaled);
    expect(wantBaselines.size).toBeGreaterThan(20);
    expect([...gotBaselines.keys()].sort()).toEqual([...wantBaselines.keys()].sort());
    for (const [k, v] of wantBaselines) expect(gotBaselines.get(k), k).toEqual(v);
    process.stdout.write(
      `[topology-movement] ${total} activities over ${PARTITIONS} partitions, ${want.length} alerts, ` +
        `${wantBaselines.size} token baselines equal; killed instance committed ${victim.batches} batches, ` +
        `added instance ${added.batches}\n`,
    );
  }, 900_000); // four child processes and three runs over the samples on a loaded 2-core machine
});
