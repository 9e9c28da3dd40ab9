import { describe, expect, it } from 'vitest';
import type { TokenInventoryDoc } from '../elasticsearch/inventory.js';
import { DeliveryAbortedError } from './errors.js';
import { InventoryWriter } from './inventory-writer.js';

function doc(id: string, lastSeen: string, alertIds: string[] = []): TokenInventoryDoc {
  return {
    '@timestamp': lastSeen,
    token: {
      id,
      key_kind: 'token_hash',
      type: 'pat_classic',
      scopes: [],
      principal: 'human',
      source: 'github',
      owner: {},
    },
    tokenwatch: {
      inventory: {
        first_seen: lastSeen,
        last_seen: lastSeen,
        updated_at: lastSeen,
        days_idle: 0,
        max_idle_days: 0,
        event_count: 1,
        maturity: 'learning',
        open_alert_count: alertIds.length,
        alert_ids: alertIds,
        alert_actions: [],
        max_severity: 0,
      },
    },
  };
}

describe('InventoryWriter', () => {
  it('writes batches one at a time and coalesces what queues up meanwhile', async () => {
    const writes: Map<string, TokenInventoryDoc>[] = [];
    let release: () => void = () => {};
    const writer = new InventoryWriter(async (docs) => {
      writes.push(docs);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    writer.enqueue(new Map([['a', doc('a', '2025-01-01T00:00:00.000Z')]]));
    writer.enqueue(new Map([['b', doc('b', '2025-01-01T00:00:00.000Z')]]));
    writer.enqueue(new Map([['b', doc('b', '2025-01-02T00:00:00.000Z', ['x'])]]));
    expect(writer.size).toBe(1);
    release();
    await writer.drain();
    expect(writes.map((w) => [...w.keys()])).toEqual([['a'], ['b']]);
    const b = writes[1]!.get('b')!.tokenwatch.inventory;
    expect(b.last_seen).toBe('2025-01-02T00:00:00.000Z');
    expect(b.open_alert_count).toBe(1);
    expect(writer.size).toBe(0);
  });

  it('reports a write that gave up on the next drain and keeps the updates queued', async () => {
    const writer = new InventoryWriter(async () => {
      throw new DeliveryAbortedError();
    });
    writer.enqueue(new Map([['a', doc('a', '2025-01-01T00:00:00.000Z')]]));
    await expect(writer.drain()).rejects.toBeInstanceOf(DeliveryAbortedError);
    expect(writer.size).toBe(1);
  });

  it('applies backpressure when too many tokens are queued', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const writer = new InventoryWriter(async () => {
      calls += 1;
      if (calls === 1) await new Promise<void>((r) => (release = r));
    }, 2);
    writer.enqueue(new Map([['a', doc('a', '2025-01-01T00:00:00.000Z')]]));
    writer.enqueue(
      new Map([
        ['b', doc('b', '2025-01-01T00:00:00.000Z')],
        ['c', doc('c', '2025-01-01T00:00:00.000Z')],
      ]),
    );
    let waited = false;
    const bp = writer.backpressure().then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(waited).toBe(false);
    release();
    await bp;
    await writer.drain();
    expect(calls).toBe(2);
  });

  it('flushed(mark) waits for the updates queued before the mark only', async () => {
    const written: string[][] = [];
    const releases: (() => void)[] = [];
    const writer = new InventoryWriter(async (docs) => {
      await new Promise<void>((r) => releases.push(r));
      written.push([...docs.keys()]);
    });
    writer.enqueue(new Map([['a', doc('a', '2025-01-01T00:00:00.000Z')]]));
    writer.enqueue(new Map([['b', doc('b', '2025-01-01T00:00:00.000Z')]]));
    const mark = writer.mark();
    let done = false;
    const flushed = writer.flushed(mark).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    releases.shift()?.(); // 'a' written; 'b' (queued meanwhile) is next
    await new Promise((r) => setTimeout(r, 10));
    writer.enqueue(new Map([['c', doc('c', '2025-01-01T00:00:00.000Z')]]));
    expect(done).toBe(false);
    releases.shift()?.(); // 'b' written; 'c' is being written and never acknowledged
    await flushed;
    expect(written).toEqual([['a'], ['b']]);
  });

  it('flushed(mark) resolves once the writer stops, empty batches queued meanwhile included', async () => {
    let release: () => void = () => {};
    const writer = new InventoryWriter(async () => {
      await new Promise<void>((r) => (release = r));
    });
    writer.enqueue(new Map([['a', doc('a', '2025-01-01T00:00:00.000Z')]]));
    writer.enqueue(new Map()); // a batch without inventory updates, while 'a' is written
    const flushed = writer.flushed(writer.mark());
    release();
    await flushed;
    expect(writer.size).toBe(0);
  });
});
