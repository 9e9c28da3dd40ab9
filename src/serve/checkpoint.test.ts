import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { githubEvent, revokedTokenSequence } from '../../test/support/github-events.js';
import { configSchema } from '../config.js';
import { createLogger } from '../logger.js';
import type { EventMemorySnapshot } from '../pipeline/dedup.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { CheckpointStore } from './checkpoint.js';
import { OffsetPositions } from './positions.js';
import { detectActivities, emptyBatch, normalizeMessages } from './processor.js';
import { ReorderBuffer } from './reorder.js';

const logger = createLogger('silent');
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 8);
const TOPIC = 'raw.github';
const LATENESS = 20 * 60_000;
// small enough that the stores evict entities (removals must reach the deltas too)
const config = configSchema.parse({ pipeline: { maxEntities: 25 } });

/** Checkpoint directories made by these tests, removed when the file is done. */
const dirs: string[] = [];
const checkpointDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-ckpt-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** 8 slices of raw GitHub lines: 40 tokens' clones, revoked tokens used again, a re-delivery. */
function slices(): string[][] {
  const out: string[][] = [];
  for (let s = 0; s < 8; s++) {
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      const t = (s * 7 + i) % 40;
      const e = githubEvent(i % 4 === 0 ? 'api.request' : 'git.clone', T0 + s * 6 * HOUR + i * 5 * 60_000, {
        token: `k-${t}`,
        actor: `dev${t % 9}`,
        ip: `198.51.100.${t}`,
        repo: `acme/r-${t % 5}`,
        docId: `doc-${s}-${i}`,
      });
      lines.push(JSON.stringify(e));
    }
    lines.push(...revokedTokenSequence(`rev-${s}`, T0 + s * 6 * HOUR));
    if (s > 0) lines.push(out[s - 1]?.[3] as string); // the same record again (dedup memory)
    out.push(lines);
  }
  return out;
}

/** A serve-like consumer of one partition: stage 1, release buffer, stage 2 through the tracker. */
class Consumer {
  readonly pipeline = new Pipeline({ config: config.pipeline, logger });
  reorder = new ReorderBuffer(LATENESS, 100_000);
  positions = new OffsetPositions();
  offset = 0;
  alerts: string[] = [];

  constructor(
    readonly store: CheckpointStore,
    readonly total: number,
  ) {}

  async load(): Promise<void> {
    const loaded = await this.store.load(this.pipeline);
    this.positions = loaded.positions;
    this.reorder = ReorderBuffer.fromJSON(loaded.reorder, LATENESS, 100_000);
    this.offset = Number(this.positions.get(TOPIC, 0) ?? '0');
  }

  consume(lines: readonly string[]): void {
    this.reorder.assign([{ topic: TOPIC, partitions: [0] }]);
    this.reorder.setExtent(TOPIC, 0, String(this.offset), String(this.total));
    const messages = lines.map((l, i) => ({
      topic: TOPIC,
      partition: 0,
      offset: String(this.offset + i),
      value: Buffer.from(l),
    }));
    const { pending, ...rest } = normalizeMessages(this.pipeline, 'github', messages);
    for (const p of pending) this.reorder.add(p.origin, p.activity);
    this.offset += lines.length;
    // the whole topic is not read yet: the last LATENESS of event time stays buffered
    this.reorder.read(TOPIC, 0, String(this.offset), String(this.total + 1));
    const out = detectActivities(
      this.store.trackerFor(this.pipeline).stages,
      this.reorder.release().released,
      LATENESS,
      { ...emptyBatch(), ...rest },
    );
    this.alerts.push(...out.alerts.map((a) => a.event.id));
    this.positions.advance(TOPIC, 0, String(this.offset));
  }

  save() {
    return this.store.save(this.pipeline, this.positions, 'g', this.reorder);
  }

  /** Everything the pipeline learned, in a comparable form (entity order included). */
  state(): unknown {
    const p = this.pipeline;
    return {
      entities: (['token', 'app', 'owner'] as const).map((k) =>
        [...p.store.entities(k)].map((e) => e.toJSON()),
      ),
      org: p.store.org.toJSON(),
      keyed: p.runner.state.toJSON(),
      ledger: p.inventory.toJSON(),
      grouper: p.grouper.snapshot(),
      sessions: p.sessions.toJSON(),
      watermark: p.watermarkMs,
      peers: p.peers.snapshot(),
      dedup: canonicalDedup(p.memory.snapshot()),
      reorder: this.reorder.toJSON(),
      positions: this.positions.toJSON(),
    };
  }
}

/**
 * A dedup memory snapshot with each generation's entries (16 bytes: id hash, content hash) sorted:
 * the same remembered set compares equal whatever the table's slot layout. The layout depends on
 * the order of insertion and on probe collisions, and the hash seed is random per memory, so a
 * restored table (entries re-inserted in slot order) may place colliding entries differently
 * from the live one while answering every lookup the same.
 */
function canonicalDedup(s: EventMemorySnapshot): unknown {
  const sorted = (b64: string): string[] => {
    const buf = Buffer.from(b64, 'base64');
    const entries: string[] = [];
    for (let at = 0; at < buf.length; at += 16) entries.push(buf.subarray(at, at + 16).toString('hex'));
    return entries.sort();
  };
  const legacy =
    'legacy' in s && s.legacy
      ? { previous: sorted(s.legacy.previous), current: sorted(s.legacy.current) }
      : undefined;
  return { ...s, previous: sorted(s.previous), current: sorted(s.current), ...(legacy ? { legacy } : {}) };
}

describe('incremental checkpoints', () => {
  it('restore full + deltas to exactly the state that was saved, and go on from there', async () => {
    const dir = checkpointDir();
    const input = slices();
    const total = input.reduce((s, l) => s + l.length, 0);
    const a = new Consumer(new CheckpointStore(dir, logger, { maxDeltas: 3, maxDeltaShare: 100 }), total);
    const kinds: string[] = [];
    for (const lines of input.slice(0, 7)) {
      a.consume(lines);
      kinds.push((await a.save()).kind);
    }
    expect(kinds).toEqual(['full', 'delta', 'delta', 'delta', 'full', 'delta', 'delta']);
    expect(a.pipeline.store.evictions.token).toBeGreaterThan(0);
    expect(a.reorder.size).toBeGreaterThan(0);
    expect(a.alerts.length).toBeGreaterThan(0);
    const live = readdirSync(dir)
      .filter((n) => n.startsWith('checkpoint-'))
      .sort();
    expect(readdirSync(join(dir, live.at(-1) as string, 'deltas')).sort()).toEqual([
      '0000000001.json.gz',
      '0000000002.json.gz',
    ]);

    const b = new Consumer(new CheckpointStore(dir, logger, { maxDeltas: 3, maxDeltaShare: 100 }), total);
    await b.load();
    expect(b.state()).toEqual(a.state());

    // both go on with the last slice: same alerts, same state; b's next save is a delta again
    const before = { a: a.alerts.length, b: b.alerts.length };
    a.consume(input[7] as string[]);
    b.consume(input[7] as string[]);
    expect(b.alerts.slice(before.b)).toEqual(a.alerts.slice(before.a));
    expect(b.state()).toEqual(a.state());
    expect((await b.save()).kind).toBe('delta');
    const c = new Consumer(new CheckpointStore(dir, logger), total);
    await c.load();
    expect(c.state()).toEqual(a.state());
  });

  it('writes a delta much smaller than the full checkpoint when few entities changed', async () => {
    const dir = checkpointDir();
    const input = slices();
    const total = input.reduce((s, l) => s + l.length, 0);
    const a = new Consumer(new CheckpointStore(dir, logger), total);
    for (const lines of input.slice(0, 6)) a.consume(lines);
    const full = await a.save();
    a.consume((input[6] as string[]).slice(0, 2));
    const delta = await a.save();
    expect([full.kind, delta.kind]).toEqual(['full', 'delta']);
    const { statSync } = await import('node:fs');
    const fullBytes = readdirSync(join(full.path), { recursive: true })
      .map((f) => join(full.path, String(f)))
      .filter((p) => statSync(p).isFile() && !p.includes('deltas'))
      .reduce((s, p) => s + statSync(p).size, 0);
    expect(statSync(delta.path).size).toBeLessThan(fullBytes);
  });

  it('a captured delta holds the state at capture, and is live only once `ready` resolves', async () => {
    const dir = checkpointDir();
    const input = slices();
    const total = input.reduce((s, l) => s + l.length, 0);
    const a = new Consumer(new CheckpointStore(dir, logger, { maxDeltaShare: 100 }), total);
    a.consume(input[0] as string[]);
    expect((await a.save()).kind).toBe('full');
    a.consume(input[1] as string[]);
    const atCapture = structuredClone(a.state());
    let acknowledge: () => void = () => {};
    const ready = new Promise<void>((r) => (acknowledge = r));
    const write = a.store.captureDelta(a.pipeline, a.positions, 'g', a.reorder, ready);
    // the pipeline goes on while the delta is written
    a.consume(input[2] as string[]);
    await new Promise((r) => setTimeout(r, 50));
    const live = readdirSync(dir).find((n) => n.startsWith('checkpoint-')) as string;
    const deltaFiles = () => readdirSync(join(dir, live, 'deltas')).filter((f) => f.endsWith('.json.gz'));
    expect(deltaFiles()).toEqual([]);
    acknowledge();
    await write();
    expect(deltaFiles()).toEqual(['0000000001.json.gz']);
    const b = new Consumer(new CheckpointStore(dir, logger), total);
    await b.load();
    expect(b.state()).toEqual(atCapture);

    // not acknowledged: the delta is never live, and the next save is in full
    a.consume(input[3] as string[]);
    const failed = a.store.captureDelta(
      a.pipeline,
      a.positions,
      'g',
      a.reorder,
      Promise.reject(new Error('no')),
    );
    await expect(failed()).rejects.toThrow('no');
    expect(deltaFiles()).toEqual(['0000000001.json.gz']);
    expect(a.store.nextIsFull()).toBe(true);
    expect((await a.save()).kind).toBe('full');
    const c = new Consumer(new CheckpointStore(dir, logger), total);
    await c.load();
    expect(c.state()).toEqual(a.state());
  });
});
