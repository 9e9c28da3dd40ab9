import { describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import { SOURCES, type TokenActivity } from '../../schemas/token-activity.js';
import { configSchema } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { openInput, resolveInputs } from '../run/inputs.js';
import { type ChangelogRecord, decodeValue, encodeValue, TaskState } from './task-state.js';

const config = configSchema.parse({});
const logger = createLogger('silent');
const fresh = () => new Pipeline({ config: config.pipeline, logger });

/** Normalized activities of the Northwind samples, in event-time order (stage 1 only). */
async function activities(): Promise<TokenActivity[]> {
  const p = fresh();
  const { paths } = await resolveInputs(['samples/northwind/github', 'samples/northwind/salesforce']);
  const out: TokenActivity[] = [];
  for (const path of paths) {
    const source = SOURCES.find((s) => path.includes(`/${s}/`));
    if (!source) continue;
    for (const chunk of openInput(path, source).chunks()) {
      for (const n of p.normalize(chunk.text, { source, location: chunk.location }))
        if (n.kind === 'activity') out.push(n.activity);
    }
  }
  return out.sort(
    (a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) || (a.event.id < b.event.id ? -1 : 1),
  );
}

function detectAll(task: TaskState, list: readonly TokenActivity[]): Alert[] {
  const alerts: Alert[] = [];
  for (const a of list) alerts.push(...task.detect(structuredClone(a)).alerts);
  alerts.push(...task.pipeline.closeGroups(600_000));
  return alerts;
}

describe('TaskState changelog', () => {
  it('encodes small values as JSON and large ones gzipped, both round-trip', () => {
    const small = { a: 1 };
    const large = { s: 'x'.repeat(50_000) };
    expect(encodeValue(small).subarray(0, 1).toString()).toBe('j');
    expect(encodeValue(large).subarray(0, 1).toString()).toBe('z');
    expect(decodeValue(encodeValue(large))).toEqual(large);
    expect(() => decodeValue(Buffer.from('?{}'))).toThrow(/encoding/);
  });

  it('a task restored from its changelog mid-stream gives the same alerts and baselines as one that never moved', async () => {
    const list = await activities();
    expect(list.length).toBeGreaterThan(1000);
    const cut = Math.floor(list.length / 2);
    const singletons = ['grouper', 'sessions', 'watermark', 'org', 'peers'] as const;

    const still = new TaskState(fresh(), singletons);
    const stillAlerts = [...detectAll(still, list), ...still.pipeline.flush()];

    // the moved task: first half, changelog drained in several batches (later records win)
    const before = new TaskState(fresh(), singletons);
    const log: ChangelogRecord[] = [];
    const firstAlerts: Alert[] = [];
    for (let i = 0; i < cut; i += 500) {
      firstAlerts.push(...detectAll(before, list.slice(i, Math.min(cut, i + 500))));
      log.push(...before.drain());
    }
    // entity baselines travel in their binary form (baselines/entity-codec.ts)
    const entityRecords = log.filter((r) => r.key.startsWith('e\u0000') && r.value !== null);
    expect(entityRecords.length).toBeGreaterThan(10);
    for (const r of entityRecords) expect(r.value?.subarray(0, 2)).toEqual(Buffer.from([0x62, 2]));
    const restoredPipeline = fresh();
    expect(TaskState.restore(restoredPipeline, log)).toEqual([]);
    const after = new TaskState(restoredPipeline, singletons);
    const movedAlerts = [...firstAlerts, ...detectAll(after, list.slice(cut)), ...after.pipeline.flush()];

    const ids = (xs: Alert[]) => xs.map((a) => a.event.id).sort();
    expect(stillAlerts.length).toBeGreaterThan(5);
    expect(ids(movedAlerts)).toEqual(ids(stillAlerts));
    // a token's baseline (maturity, history) after the move equals the one that never moved
    const tokens = [...still.pipeline.store.entities('token')];
    expect(tokens.length).toBeGreaterThan(10);
    for (const t of tokens) {
      const moved = after.pipeline.store.get('token', t.entity);
      expect(moved?.maturity, t.entity).toBe(t.maturity);
      expect(moved?.toJSON(), t.entity).toEqual(t.toJSON());
    }
    // declared detector state, open groups and the org baseline moved too
    const entries = (task: TaskState) =>
      task.pipeline.runner.state
        .toJSON()
        .entries.map((e) => JSON.stringify(e))
        .sort();
    expect(entries(still).length).toBeGreaterThan(3);
    expect(entries(after)).toEqual(entries(still));
    expect(after.pipeline.store.org.toJSON()).toEqual(still.pipeline.store.org.toJSON());
  }, 300_000); // normalizes and detects the samples three times: minutes on a loaded machine

  it('writes only what changed: a second drain with no new activity is empty, and evicted entities are tombstones', () => {
    const p = new Pipeline({ config: { ...config.pipeline, maxEntities: 1 }, logger });
    const task = new TaskState(p, ['watermark']);
    expect(task.drain().map((r) => r.key)).toEqual(['s\u0000watermark']);
    expect(task.drain()).toEqual([]);
  });
});
