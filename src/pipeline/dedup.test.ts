import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJsonFilled } from '../../ingestors/common/ids.js';
import {
  EventMemory,
  type EventMemorySnapshotV1,
  hex64,
  LOCATIONS_KEPT,
  sha256ContentHash,
  sha256Hash64,
} from './dedup.js';

const rec = (over: Record<string, unknown> = {}) => ({ action: 'git.clone', actor: 'alice', ...over });
const seed = { a: 11, b: 22 };
const suffix = (r: Record<string, unknown>) =>
  createHash('sha256').update(canonicalJsonFilled(r)).digest('hex').slice(0, 16);

/** A version 1 snapshot as the previous release wrote it: SHA-256 prefixes of ids and canonical content. */
function v1Snapshot(records: [string, Record<string, unknown>][]): EventMemorySnapshotV1 {
  const words = new Uint32Array(records.length * 4);
  records.forEach(([id, r], i) => {
    const idKey = sha256Hash64(id);
    const content = sha256ContentHash(r);
    words.set([idKey.hi, idKey.lo, content.hi, content.lo], i * 4);
  });
  return {
    version: 1,
    capacity: 1000,
    previous: '',
    current: Buffer.from(words.buffer).toString('base64'),
  };
}

describe('EventMemory', () => {
  it('keeps a new id, drops the same id with the same content, names the first location', () => {
    const m = new EventMemory();
    expect(m.check('github:a', rec(), 'f.ndjson:1')).toEqual({ kind: 'new', id: 'github:a' });
    expect(m.check('github:a', rec(), 'g.ndjson:9')).toEqual({
      kind: 'duplicate',
      id: 'github:a',
      firstLocation: 'f.ndjson:1',
    });
  });

  it('treats key order and empty top-level columns as the same content', () => {
    const m = new EventMemory(1000, seed);
    m.check('x', { a: 1, b: 'x', n: { p: 1, q: [1, 'z'] } }, 'f:1');
    expect(m.check('x', { n: { q: [1, 'z'], p: 1 }, c: '', d: null, b: 'x', a: 1 }, 'f:2').kind).toBe(
      'duplicate',
    );
    expect(m.check('x', { a: 1, b: 'y', n: { p: 1, q: [1, 'z'] } }, 'f:3').kind).toBe('collision');
    // an empty member below the top level is content
    expect(m.check('x', { a: 1, b: 'x', n: { p: 1, q: [1, 'z'], r: '' } }, 'f:4').kind).toBe('collision');
  });

  it('keeps a same-id record with other content under id~<hex16 of SHA-256 of its canonical content>', () => {
    const m = new EventMemory();
    m.check('salesforce:Logout:TID', rec({ user: 'a' }), 'x.csv:2');
    const other = rec({ user: 'b' });
    const id = `salesforce:Logout:TID~${suffix(other)}`;
    expect(m.check('salesforce:Logout:TID', other, 'x.csv:3')).toEqual({ kind: 'collision', id });
    expect(m.check('salesforce:Logout:TID', other, 'y.csv:3')).toEqual({
      kind: 'duplicate',
      id,
      firstLocation: 'x.csv:3',
    });
  });

  it('survives a snapshot round trip (version 2, seed kept; locations are not saved)', () => {
    const m = new EventMemory();
    for (let i = 0; i < 5000; i++) m.check(`id-${i}`, { i }, `f:${i}`);
    const snap = JSON.parse(JSON.stringify(m.snapshot()));
    expect(snap.version).toBe(2);
    expect(snap.seed).toMatch(/^[0-9a-f]{16}$/);
    const restored = EventMemory.restore(snap);
    expect(restored.size).toBe(5000);
    expect(restored.check('id-4321', { i: 4321 }, 'g:1')).toEqual({
      kind: 'duplicate',
      id: 'id-4321',
      firstLocation: undefined,
    });
    expect(restored.check('id-4321', { i: -1 }, 'g:2').kind).toBe('collision');
    expect(restored.check('id-5000', { i: 5000 }, 'g:3').kind).toBe('new');
  });

  it('a restored memory with another seed would not know the ids: the seed is what is saved', () => {
    const m = new EventMemory(1000, seed);
    m.check('id-1', { i: 1 }, 'f');
    const snap = m.snapshot();
    expect(snap.seed).toBe('0000000b00000016');
    expect(EventMemory.restore(snap).check('id-1', { i: 1 }, 'g').kind).toBe('duplicate');
    expect(EventMemory.restore({ ...snap, seed: '0000000b00000017' }).check('id-1', { i: 1 }, 'g').kind).toBe(
      'new',
    );
  });

  it('reads a version 1 memory: re-deliveries stay duplicates, other content the same collision id', () => {
    const a = rec({ repo: 'acme/api' });
    const b = rec({ repo: 'acme/web' });
    const restored = EventMemory.restore(
      v1Snapshot([
        ['github:a', a],
        ['github:b', b],
      ]),
    );
    expect(restored.size).toBe(2);
    // the same content in another key order and with an empty column: a re-delivery
    expect(
      restored.check('github:a', { repo: 'acme/api', extra: '', actor: 'alice', action: 'git.clone' }, 'g:1'),
    ).toEqual({
      kind: 'duplicate',
      id: 'github:a',
      firstLocation: undefined,
    });
    const other = rec({ repo: 'acme/other' });
    expect(restored.check('github:b', other, 'g:2')).toEqual({
      kind: 'collision',
      id: `github:b~${suffix(other)}`,
    });
    expect(restored.check('github:b', other, 'g:3').kind).toBe('duplicate');
    expect(restored.check('github:c', rec(), 'g:4').kind).toBe('new');
    expect(restored.check('github:c', rec(), 'g:5').kind).toBe('duplicate');
    // saved again (version 2), the legacy generation comes along
    const again = EventMemory.restore(JSON.parse(JSON.stringify(restored.snapshot())));
    expect(again.check('github:a', a, 'h:1').kind).toBe('duplicate');
    expect(again.check('github:c', rec(), 'h:2').kind).toBe('duplicate');
  });

  it('a version 1 collision id saved before the upgrade: its re-delivery is a duplicate', () => {
    const first = rec({ user: 'a' });
    const other = rec({ user: 'b' });
    const suffixed = `salesforce:Logout:TID~${suffix(other)}`;
    const restored = EventMemory.restore(
      v1Snapshot([
        ['salesforce:Logout:TID', first],
        [suffixed, other],
      ]),
    );
    expect(restored.check('salesforce:Logout:TID', other, 'z:1')).toEqual({
      kind: 'duplicate',
      id: suffixed,
      firstLocation: undefined,
    });
  });

  it('drops the version 1 generation once the first new generation is full (capacity / 2 new ids)', () => {
    const restored = EventMemory.restore(v1Snapshot([['old', rec()]]));
    for (let i = 0; i < 499; i++) restored.check(`id-${i}`, { i }, 'f');
    expect(restored.check('old', rec(), 'g').kind).toBe('duplicate');
    restored.check('id-499', { i: 499 }, 'f');
    restored.check('id-500', { i: 500 }, 'f'); // rollover: previous = the 500 new ids
    expect(restored.size).toBe(501);
    expect(restored.snapshot().legacy).toBeUndefined();
    expect(restored.check('old', rec(), 'g').kind).toBe('new');
    expect(restored.check('id-0', { i: 0 }, 'f').kind).toBe('duplicate');
  });

  it('is bounded: two generations of capacity / 2 ids', () => {
    const m = new EventMemory(1000);
    for (let i = 0; i < 1600; i++) m.check(`id-${i}`, { i }, 'f');
    expect(m.size).toBeLessThanOrEqual(1000);
    // the last capacity / 2 ids are always remembered, the oldest generation is gone
    expect(m.check('id-1599', { i: 1599 }, 'f').kind).toBe('duplicate');
    expect(m.check('id-1100', { i: 1100 }, 'f').kind).toBe('duplicate');
    expect(m.check('id-0', { i: 0 }, 'f').kind).toBe('new');
  });

  it('names the first location of the last LOCATIONS_KEPT ids, older ones as read earlier', () => {
    const m = new EventMemory();
    const total = LOCATIONS_KEPT + 1000;
    for (let i = 0; i < total; i++) m.check(`id-${i}`, { i }, `f:${i}`);
    const first = (i: number) => {
      const v = m.check(`id-${i}`, { i }, 'again');
      return v.kind === 'duplicate' ? v.firstLocation : `not a duplicate: ${v.kind}`;
    };
    expect(first(0)).toBeUndefined();
    expect(first(999)).toBeUndefined();
    expect(first(1000)).toBe('f:1000');
    expect(first(total - 1)).toBe(`f:${total - 1}`);
    // a collision's suffixed id is one more id: it pushes out the oldest location kept
    const other = { i: -5 };
    expect(m.check('id-5', other, 'g:1').kind).toBe('collision');
    expect(first(1000)).toBeUndefined();
    expect(first(1001)).toBe('f:1001');
    expect(m.check('id-5', other, 'g:2')).toEqual({
      kind: 'duplicate',
      id: `id-5~${suffix(other)}`,
      firstLocation: 'g:1',
    });
  });

  it('rejects a corrupt snapshot', () => {
    expect(() => EventMemory.restore({ version: 1, capacity: 10, previous: 'AAAA', current: '' })).toThrow(
      /partial entry/,
    );
    expect(() =>
      EventMemory.restore({ version: 2, capacity: 10, seed: 'xyz', previous: '', current: '' }),
    ).toThrow(/version 1 or 2/);
    expect(() =>
      EventMemory.restore({ version: 3, capacity: 10, previous: '', current: '' } as never),
    ).toThrow(/version 1 or 2/);
  });

  it('sha256Hash64 is the first 64 bits of SHA-256 (version 1 memories stay comparable)', () => {
    // FIPS 180-2 test vector: SHA-256("abc") = ba7816bf 8f01cfea 414140de ...
    expect(hex64(sha256Hash64('abc'))).toBe('ba7816bf8f01cfea');
    expect(hex64({ hi: 1, lo: 2 })).toBe('0000000100000002');
  });

  it('sha256ContentHash is SHA-256 of the canonical JSON without empty top-level members', () => {
    const r = { b: [1, { z: null, y: 'q"' }], a: '', c: null, d: 'x\u00e9', e: undefined, f: { k: '' } };
    const canonical = '{"b":[1,{"y":"q\\"","z":null}],"d":"x\u00e9","f":{"k":""}}';
    expect(hex64(sha256ContentHash(r))).toBe(
      createHash('sha256').update(canonical).digest('hex').slice(0, 16),
    );
  });
});
