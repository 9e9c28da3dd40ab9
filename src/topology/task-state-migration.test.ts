import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { type ChangelogRecord, TaskState } from './task-state.js';

const config = configSchema.parse({});
const logger = createLogger('silent');
const fresh = () => new Pipeline({ config: config.pipeline, logger });

/** Entity records of a detect task's changelog written before the binary encoding (baselines/fixtures/README.md). */
const v1Records = (): ChangelogRecord[] =>
  readFileSync('baselines/fixtures/v1-changelog-entities.ndjson', 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string; value: string })
    .map((r) => ({ key: r.key, value: Buffer.from(r.value, 'base64') }));

describe('TaskState changelog written by an earlier release', () => {
  it('restores version 1 (JSON) entity records exactly; their binary records restore the same in half the bytes', () => {
    const records = v1Records();
    const p = fresh();
    expect(TaskState.restore(p, records)).toEqual([]);
    for (const r of records) {
      const [, kind, id] = r.key.split('\u0000') as [string, 'token' | 'app' | 'owner', string];
      const e = p.store.get(kind, id);
      expect(e?.toJSON(), r.key).toEqual(JSON.parse(r.value!.subarray(1).toString('utf8')));
    }
    // the same entities as binary records (what drain writes now) restore the same state in half the bytes
    const again: ChangelogRecord[] = records.map((r) => {
      const [, kind, id] = r.key.split('\u0000') as [string, 'token' | 'app' | 'owner', string];
      return { key: r.key, value: Buffer.concat([Buffer.from('b'), p.store.get(kind, id)!.encode()]) };
    });
    const total = (rs: ChangelogRecord[]) => rs.reduce((n, r) => n + (r.value?.length ?? 0), 0);
    expect(total(again)).toBeLessThan(total(records) * 0.6);
    const q = fresh();
    TaskState.restore(q, again);
    for (const kind of ['token', 'app', 'owner'] as const)
      expect(
        [...q.store.entities(kind)].map((e) => e.toJSON()).sort((a, b) => (a.id < b.id ? -1 : 1)),
      ).toEqual([...p.store.entities(kind)].map((e) => e.toJSON()).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it('rejects a corrupt entity record, naming its key', () => {
    const [r] = v1Records();
    const bad = { key: r!.key, value: Buffer.from('j{"id":"x","k":"robot"}') };
    expect(() => TaskState.restore(fresh(), [bad])).toThrow(
      /corrupt changelog record .*invalid entity state at k/,
    );
    const cut = { key: r!.key, value: Buffer.from([0x62, 2, 0]) };
    expect(() => TaskState.restore(fresh(), [cut])).toThrow(/corrupt changelog record .*truncated/);
  });
});
