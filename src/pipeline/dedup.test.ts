import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash, EventMemory, hash64, hex64, LOCATIONS_KEPT } from './dedup.js';

const rec = (over: Record<string, unknown> = {}) => ({ action: 'git.clone', actor: 'alice', ...over });

describe('EventMemory', () => {
  it('keeps a new id, drops the same id with the same content, names the first location', () => {
    const m = new EventMemory();
    expect(m.check('github:a', contentHash(rec()), 'f.ndjson:1')).toEqual({ kind: 'new', id: 'github:a' });
    expect(m.check('github:a', contentHash(rec()), 'g.ndjson:9')).toEqual({
      kind: 'duplicate',
      id: 'github:a',
      firstLocation: 'f.ndjson:1',
    });
  });

  it('treats key order and empty columns as the same content', () => {
    expect(contentHash({ a: 1, b: 'x' })).toEqual(contentHash({ b: 'x', a: 1, c: '' }));
    expect(contentHash({ a: 1, b: 'x' })).not.toEqual(contentHash({ a: 1, b: 'y' }));
  });

  it('keeps a same-id record with other content under a suffixed id; its re-delivery is a duplicate', () => {
    const m = new EventMemory();
    m.check('salesforce:Logout:TID', contentHash(rec({ user: 'a' })), 'x.csv:2');
    const other = contentHash(rec({ user: 'b' }));
    const v = m.check('salesforce:Logout:TID', other, 'x.csv:3');
    expect(v).toEqual({ kind: 'collision', id: `salesforce:Logout:TID~${hex64(other)}` });
    expect(m.check('salesforce:Logout:TID', other, 'y.csv:3')).toEqual({
      kind: 'duplicate',
      id: `salesforce:Logout:TID~${hex64(other)}`,
      firstLocation: 'x.csv:3',
    });
  });

  it('survives a snapshot round trip (locations are not saved)', () => {
    const m = new EventMemory();
    for (let i = 0; i < 5000; i++) m.check(`id-${i}`, contentHash({ i }), `f:${i}`);
    const restored = EventMemory.restore(JSON.parse(JSON.stringify(m.snapshot())));
    expect(restored.size).toBe(5000);
    expect(restored.check('id-4321', contentHash({ i: 4321 }), 'g:1')).toEqual({
      kind: 'duplicate',
      id: 'id-4321',
      firstLocation: undefined,
    });
    expect(restored.check('id-4321', contentHash({ i: -1 }), 'g:2').kind).toBe('collision');
    expect(restored.check('id-5000', contentHash({ i: 5000 }), 'g:3').kind).toBe('new');
  });

  it('is bounded: two generations of capacity / 2 ids', () => {
    const m = new EventMemory(1000);
    for (let i = 0; i < 1600; i++) m.check(`id-${i}`, contentHash({ i }), 'f');
    expect(m.size).toBeLessThanOrEqual(1000);
    // the last capacity / 2 ids are always remembered, the oldest generation is gone
    expect(m.check('id-1599', contentHash({ i: 1599 }), 'f').kind).toBe('duplicate');
    expect(m.check('id-1100', contentHash({ i: 1100 }), 'f').kind).toBe('duplicate');
    expect(m.check('id-0', contentHash({ i: 0 }), 'f').kind).toBe('new');
  });

  it('names the first location of the last LOCATIONS_KEPT ids, older ones as read earlier', () => {
    const m = new EventMemory();
    const total = LOCATIONS_KEPT + 1000;
    for (let i = 0; i < total; i++) m.check(`id-${i}`, { hi: 7, lo: i + 1 }, `f:${i}`);
    const first = (i: number) => {
      const v = m.check(`id-${i}`, { hi: 7, lo: i + 1 }, 'again');
      return v.kind === 'duplicate' ? v.firstLocation : `not a duplicate: ${v.kind}`;
    };
    expect(first(0)).toBeUndefined();
    expect(first(999)).toBeUndefined();
    expect(first(1000)).toBe('f:1000');
    expect(first(total - 1)).toBe(`f:${total - 1}`);
    // a collision's suffixed id is one more id: it pushes out the oldest location kept
    const other = { hi: 9, lo: 9 };
    expect(m.check('id-5', other, 'g:1').kind).toBe('collision');
    expect(first(1000)).toBeUndefined();
    expect(first(1001)).toBe('f:1001');
    expect(m.check('id-5', other, 'g:2')).toEqual({
      kind: 'duplicate',
      id: `id-5~${hex64(other)}`,
      firstLocation: 'g:1',
    });
  });

  it('rejects a corrupt snapshot', () => {
    expect(() => EventMemory.restore({ version: 1, capacity: 10, previous: 'AAAA', current: '' })).toThrow(
      /partial entry/,
    );
  });

  it('hash64 never returns the empty mark and hex64 is 16 digits', () => {
    const h = hash64('x');
    expect(h.hi !== 0 || h.lo !== 0).toBe(true);
    expect(hex64({ hi: 1, lo: 2 })).toBe('0000000100000002');
  });

  it('hash64 is the first 64 bits of SHA-256 (saved memories stay comparable)', () => {
    // FIPS 180-2 test vector: SHA-256("abc") = ba7816bf 8f01cfea 414140de ...
    expect(hex64(hash64('abc'))).toBe('ba7816bf8f01cfea');
  });

  it('contentHash is SHA-256 of the canonical JSON without empty top-level members', () => {
    const rec = { b: [1, { z: null, y: 'q"' }], a: '', c: null, d: 'x\u00e9', e: undefined, f: { k: '' } };
    const canonical = '{"b":[1,{"y":"q\\"","z":null}],"d":"x\u00e9","f":{"k":""}}';
    expect(hex64(contentHash(rec))).toBe(hex64(hash64(canonical)));
    expect(hex64(contentHash(rec))).toBe(createHash('sha256').update(canonical).digest('hex').slice(0, 16));
  });
});
