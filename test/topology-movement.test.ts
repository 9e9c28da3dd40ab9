/**
 * The partitioned topology (`serve --role ...`) against the real broker and cluster: its alerts
 * are `tokenwatch run`'s, whatever the interleaving of the raw topics and the moves of partitions
 * (issue 11 item 2).
 *
 * 1. Run A: every stage in this process (normalize, detect, org, sink, one instance each) over
 *    the samples replayed into the three raw topics. Its alert ids (the documents in
 *    Elasticsearch plus the groups still open in its changelogs, which `run` flushes at the end
 *    of its input) equal exactly those of the partitioned model over its activity topic
 *    (src/topology/partitioned-model.ts: per-partition pipelines and the org pipeline in the
 *    stage-2 order), and `tokenwatch run`'s over the same files but for at most 3 alerts where a
 *    detect-stage baseline spans partitions (names.ts; partitioned-model.test.ts explains each);
 *    no record is late or forced. Its token inventory and identities indices hold what serve
 *    writes: one document per token with its event count and alerts, every identity fact.
 * 2. Run B: A's activity partitions, each re-interleaved by raw topic (Salesforce, then Google
 *    Workspace, then GitHub: another order the normalize stage could have committed them in),
 *    copied in three slices into a fresh activity topic, detected by 3 child processes while
 *    partitions move twice (one killed with SIGKILL mid-stream, one added). Its alert ids and its
 *    baselines (every token's maturity and history in the changelogs) equal run A's (no loss, no
 *    duplicate document).
 *
 * No wall-clock assertion: every step waits on a condition (committed offsets), with generous
 * limits for a loaded 2-core machine. The lateness is one day (the samples hold records hours
 * later than their file's newest event, see serve-run-ids.test.ts), so no record is ordered late.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import type { Config } from '../src/config.js';
import { type IdentityDoc, identityActions } from '../src/elasticsearch/identities.js';
import type { TokenInventoryDoc } from '../src/elasticsearch/inventory.js';
import { alertDataStream, identitiesIndex, tokenInventoryIndex } from '../src/elasticsearch/names.js';
import { chunkMessages } from '../src/kafka/chunk.js';
import { replayFiles } from '../src/kafka/replay.js';
import { rawTopics } from '../src/kafka/topics.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { runFiles } from '../src/run/run-files.js';
import { splitDetectors } from '../src/topology/detector-split.js';
import { runTopology, type Stage, type StageBatchInfo, topologyNames } from '../src/topology/index.js';
import { type ReadRecord, readToEnd } from '../src/topology/kafka-io.js';
import { partitionedModel } from '../src/topology/partitioned-model.js';
import { TaskState } from '../src/topology/task-state.js';
import { createEsClient, createKafka } from './services.js';
import { allDocs, isolatedConfig, quietLogger, waitFor } from './support/serve-harness.js';

const INPUT = 'samples/northwind';
const PARTITIONS = 6;
/** Short enough that a killed member's partitions move soon; heartbeats run during batches. */
const SESSION_MS = 10_000;
const CHILD = fileURLToPath(new URL('./support/topology-child.ts', import.meta.url));
const LIMIT = 300_000;
const DAY = 86_400_000;

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
function inProcess(config: Config, roles: Stage[], onBatch?: (b: StageBatchInfo) => void) {
  const ac = new AbortController();
  const done = runTopology(config, quietLogger(), {
    signal: ac.signal,
    roles,
    partitions: PARTITIONS,
    sessionTimeoutMs: SESSION_MS,
    ...(onBatch ? { onBatch } : {}),
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

/** Writes records (with their headers) to the same partitions of `topic`, in order (plain producer: no markers). */
async function copy(topic: string, slices: ReadonlyMap<number, readonly ReadRecord[]>): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const [partition, records] of slices) {
      const messages = records.map((r) => ({
        key: r.key === '' ? null : r.key,
        value: r.value,
        headers: r.headers,
        partition,
      }));
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
  for (const topic of [n.alerts, n.index])
    await waitFor(
      `sink stage caught up on ${topic}`,
      async () => caughtUp(n.group.sink, topic, await dataEnds(topic, PARTITIONS)),
      LIMIT,
      1_000,
    );
}

/** A run's detect tasks and org task, restored from its changelogs. */
async function restored(config: Config): Promise<{ detect: Pipeline[]; org: Pipeline }> {
  const n = topologyNames(config.kafka);
  const split = splitDetectors();
  const detect: Pipeline[] = [];
  for (const records of (
    await readToEnd(kafka, admin, n.changelog.detect, [...Array(PARTITIONS).keys()])
  ).values()) {
    const p = new Pipeline({ config: config.pipeline, logger: quietLogger(), detectors: split.detect });
    TaskState.restore(p, records);
    detect.push(p);
  }
  const org = new Pipeline({ config: config.pipeline, logger: quietLogger(), detectors: split.org });
  TaskState.restore(org, (await readToEnd(kafka, admin, n.changelog.org, [0])).get(0) ?? []);
  return { detect, org };
}

/** Token baselines of a run, from its changelogs (detect tasks and the org task). */
async function tokenBaselines(config: Config): Promise<Map<string, unknown>> {
  const { detect, org } = await restored(config);
  const out = new Map<string, unknown>();
  for (const p of detect)
    for (const t of p.store.entities('token')) out.set(`detect:${t.entity}`, t.toJSON());
  for (const t of org.store.entities('token')) out.set(`org:${t.entity}:${t.maturity}`, t.toJSON());
  return out;
}

/** Ids of the alert groups a run's tasks still hold open (what `run` flushes at the end of its input). */
async function openGroupIds(config: Config): Promise<string[]> {
  const { detect, org } = await restored(config);
  return [...detect, org].flatMap((p) => p.flush().map((a) => a.event.id));
}

async function alertIds(config: Config): Promise<string[]> {
  const docs = await allDocs<Alert>(es, alertDataStream(config.elasticsearch.namespace));
  return docs.map((a) => a.event.id).sort();
}

/**
 * An activity partition re-interleaved by raw topic (`order`: raw topics first to last), each raw
 * topic's records and watermark messages kept in their order: another sequence the normalize
 * stage could have committed.
 */
function reinterleave(
  records: readonly ReadRecord[],
  config: Config,
  order: readonly string[],
): ReadRecord[] {
  const topicOf = new Map([...rawTopics(config.kafka)].map(([topic, source]) => [source as string, topic]));
  const rawTopic = (r: ReadRecord): string => {
    if (r.value === null) return (r.headers['tokenwatch.src'] ?? '').replace(/\/\d+$/, '');
    const module = (JSON.parse(r.value.toString('utf8')) as { event: { module: string } }).event.module;
    return topicOf.get(module) ?? '';
  };
  const rank = (r: ReadRecord) => {
    const i = order.indexOf(rawTopic(r));
    if (i < 0) throw new Error(`activity record of no raw topic: ${r.key}@${r.offset}`);
    return i;
  };
  return records
    .map((r, i) => ({ r, i, k: rank(r) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.r);
}

describe('partitioned topology under movement', () => {
  it('equals `tokenwatch run`; 3 detect instances over another interleaving, one killed with SIGKILL mid-stream, one added: the same alerts and baselines', async () => {
    const base = isolatedConfig('topo');
    base.serve = { ...base.serve, latenessMs: DAY };
    const offline = await runFiles({
      inputs: [INPUT],
      config: { ...base, stateDir: undefined },
      logger: quietLogger(),
    });
    const runIds = offline.alerts.map((a) => a.event.id).sort();
    expect(runIds.length).toBeGreaterThan(20);

    // 1. run A: every stage in this process over the raw topics
    const replayed = await replayFiles(INPUT, base, { logger: quietLogger(), kafka });
    expect(replayed.messages).toBeGreaterThan(100);
    const single = runConfig(base, 'single');
    const singleNames = topologyNames(single.kafka);
    const batches: StageBatchInfo[] = [];
    const one = inProcess(single, ['normalize', 'detect', 'org', 'sink'], (b) => batches.push(b));
    const rawEnds = new Map<string, Map<number, bigint>>();
    for (const topic of new Set(replayed.files.flatMap((f) => (f.topic ? [f.topic] : [])))) {
      const o = await admin.fetchTopicOffsets(topic);
      rawEnds.set(topic, new Map(o.map((x) => [x.partition, BigInt(x.high)])));
    }
    expect(rawEnds.size).toBe(3);
    for (const [topic, ends] of rawEnds)
      await waitFor(
        `normalize consumed ${topic}`,
        () => caughtUp(singleNames.group.normalize, topic, ends),
        LIMIT,
        500,
      );
    const activityEnds = await dataEnds(single.kafka.topics.activity, PARTITIONS);
    await waitFor(
      'single detect caught up',
      () => caughtUp(singleNames.group.detect, single.kafka.topics.activity, activityEnds),
      LIMIT,
      1_000,
    );
    await drained(single);
    await one.stop();
    const sum = (f: 'late' | 'forced') => batches.reduce((n, b) => n + (b[f] ?? 0), 0);
    expect(sum('late'), 'records ordered late').toBe(0);
    expect(sum('forced'), 'records released early').toBe(0);
    const stored = await alertIds(single);
    expect(new Set(stored).size).toBe(stored.length);
    const open = await openGroupIds(single);
    const want = [...stored, ...open].sort();
    expect(stored.length).toBeGreaterThan(5);
    // exactly what a partitioned deployment computes over these activities (partitioned-model.ts)
    const activity = await readToEnd(kafka, admin, single.kafka.topics.activity, [
      ...Array(PARTITIONS).keys(),
    ]);
    const normalized = [...activity.values()].flatMap((records) =>
      records.flatMap((r) =>
        r.value === null ? [] : [JSON.parse(r.value.toString('utf8')) as TokenActivity],
      ),
    );
    const model = partitionedModel(normalized, {
      config: base,
      logger: quietLogger(),
      partitions: PARTITIONS,
    });
    expect(want).toEqual(model.alerts.map((a) => a.event.id).sort());
    for (const [p, records] of activity)
      for (const r of records)
        if (r.value !== null)
          expect(model.partitionOf(JSON.parse(r.value.toString('utf8')) as TokenActivity), r.offset).toBe(p);
    // and `tokenwatch run`'s, but where an app or delegated token's baseline spans partitions (names.ts)
    const runSet = new Set(runIds);
    const wantSet = new Set(want);
    const offRun = [...want.filter((id) => !runSet.has(id)), ...runIds.filter((id) => !wantSet.has(id))];
    expect(offRun.length).toBeLessThanOrEqual(3);
    // the token inventory and identities, as serve maintains them: one document per token with
    // its event count and its alerts, and every identity fact of the activities
    const inventory = await allDocs<TokenInventoryDoc>(
      es,
      tokenInventoryIndex(single.elasticsearch.namespace),
    );
    const perToken = new Map<string, number>();
    for (const a of normalized) perToken.set(a.token.id, (perToken.get(a.token.id) ?? 0) + 1);
    expect(inventory.map((d) => d.token.id).sort()).toEqual([...perToken.keys()].sort());
    const alertsOf = new Map<string, string[]>();
    for (const a of await allDocs<Alert>(es, alertDataStream(single.elasticsearch.namespace)))
      alertsOf.set(a.tokenwatch.token.id, [...(alertsOf.get(a.tokenwatch.token.id) ?? []), a.event.id]);
    for (const d of inventory) {
      expect(d.tokenwatch.inventory.event_count, d.token.id).toBe(perToken.get(d.token.id));
      expect([...d.tokenwatch.inventory.alert_ids].sort(), d.token.id).toEqual(
        (alertsOf.get(d.token.id) ?? []).sort(),
      );
    }
    const identities = identityActions(
      identitiesIndex(single.elasticsearch.namespace),
      normalized,
      new Map(),
    );
    expect(identities.length).toBeGreaterThan(0);
    const storedIdentities = await allDocs<IdentityDoc>(es, identitiesIndex(single.elasticsearch.namespace));
    expect(storedIdentities.map((d) => d.identity.doc_id).sort()).toEqual(identities.map((a) => a.id).sort());

    // 2. run B: the same partitions in another interleaving, three detect instances, two moves
    // Run A's normalize stage may itself have read the raw topics one after another in some order
    // (kafkajs hands out batches as they come): take the first source order that changes it.
    const raw = [...rawTopics(base.kafka).keys()];
    const reorder = (order: readonly string[]) =>
      new Map([...activity].map(([p, records]) => [p, reinterleave(records, base, order)]));
    const changedBy = (r: Map<number, ReadRecord[]>) =>
      [...activity].filter(([p, records]) => records.some((x, i) => x.offset !== r.get(p)?.[i]?.offset));
    let reordered = reorder([...raw].reverse());
    if (changedBy(reordered).length === 0) reordered = reorder(raw);
    const activities = (records: readonly ReadRecord[]) => records.filter((r) => r.value !== null).length;
    const total = [...activity.values()].reduce((s, r) => s + activities(r), 0);
    expect(total).toBeGreaterThan(1_000);
    for (const [p, records] of activity)
      expect(activities(records), `activity partition ${p}`).toBeGreaterThan(10);
    const moved = changedBy(reordered);
    expect(moved.length, 'partitions whose interleaving changed').toBeGreaterThan(0);
    const slice = (from: number, to: number) =>
      new Map(
        [...reordered].map(([p, r]) => [p, r.slice(Math.floor(r.length * from), Math.floor(r.length * to))]),
      );
    const endsAt = (to: number) =>
      new Map([...reordered].map(([p, r]) => [p, BigInt(Math.floor(r.length * to))]));

    const scaled = runConfig(base, 'scaled');
    const scaledNames = topologyNames(scaled.kafka);
    const topic = scaled.kafka.topics.activity;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
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
    // the last slice in steps of 5 %: on a busy machine the survivors may consume a step before
    // the added instance's assignment settles (or a further rebalance gives its partitions back
    // for a while); later steps reach it once it owns partitions
    for (let step = 14; step < 20; step++) {
      const [from, to] = [step / 20, (step + 1) / 20];
      await copy(topic, slice(from, to));
      await waitFor(
        `slice 3 (to ${to.toFixed(2)}) detected after the addition`,
        () => caughtUp(scaledNames.group.detect, topic, endsAt(to)),
        LIMIT,
        1_000,
        () => survivorsDead() ?? added.dead(),
      );
    }
    expect(added.batches, 'the added instance took partitions over').toBeGreaterThan(0);
    await drained(scaled);
    for (const c of [...survivors, added]) c.proc.kill('SIGTERM');
    await Promise.all(
      [...survivors, added].map((c) => waitFor('detect child stopped', () => c.dead(), LIMIT, 200)),
    );
    await downstream.stop();

    // 3. same alerts (one document per id), same baselines
    const gotStored = await alertIds(scaled);
    expect(new Set(gotStored).size).toBe(gotStored.length);
    expect(gotStored).toEqual(stored);
    expect((await openGroupIds(scaled)).sort()).toEqual([...open].sort());
    const wantBaselines = await tokenBaselines(single);
    const gotBaselines = await tokenBaselines(scaled);
    expect(wantBaselines.size).toBeGreaterThan(20);
    expect([...gotBaselines.keys()].sort()).toEqual([...wantBaselines.keys()].sort());
    for (const [k, v] of wantBaselines) expect(gotBaselines.get(k), k).toEqual(v);
    process.stdout.write(
      `[topology-movement] ${total} activities over ${PARTITIONS} partitions, ${want.length} alerts ` +
        `(${stored.length} stored, ${open.length} open) = the partitioned model's; run: ${runIds.length} alerts, ` +
        `${offRun.length} differ; ${inventory.length} inventory and ${storedIdentities.length} identity documents; ` +
        `${wantBaselines.size} token baselines equal; killed instance committed ${victim.batches} batches, ` +
        `added instance ${added.batches}\n`,
    );
  }, 900_000); // four child processes and three runs over the samples on a loaded 2-core machine
});
