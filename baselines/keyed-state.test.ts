import { describe, expect, it } from 'vitest';
import { type EntryData, KeyedStateStore, type StateDecl, type WindowEntry } from './keyed-state.js';

const HOUR = 3_600_000;

const counter = (maxKeys: number, ttlMs: number): StateDecl => ({
  kind: 'counter',
  key: 'token',
  maxKeys,
  ttlMs,
});

/** Writes `n` to `key` of table `t` at `at` through a bound handle. */
function bump(store: KeyedStateStore, t: string, key: string, at: number, n = 1): void {
  const h = store.handle(t);
  h.bind(key);
  h.add(n, at);
}

const keysOf = (store: KeyedStateStore, t: string): string[] =>
  store
    .toJSON()
    .entries.filter((e) => e[0] === t)
    .map((e) => e[1]);

describe('KeyedStateStore bounds and order', () => {
  it('keeps keys least recently updated first and drops the oldest beyond maxKeys', () => {
    const s = new KeyedStateStore();
    s.declare('d/c', counter(3, 1000 * HOUR));
    bump(s, 'd/c', 'a', 1);
    bump(s, 'd/c', 'b', 2);
    bump(s, 'd/c', 'c', 3);
    bump(s, 'd/c', 'a', 4); // a becomes the newest
    expect(keysOf(s, 'd/c')).toEqual(['b', 'c', 'a']);
    bump(s, 'd/c', 'd', 5); // b, the least recently updated, goes
    expect(keysOf(s, 'd/c')).toEqual(['c', 'a', 'd']);
    expect(s.keyCount('d/c')).toBe(3);
    expect(s.exportEntry('d/c', 'b')).toBeUndefined();
    expect(s.exportEntry('d/c', 'a')).toEqual([4, 2]);
  });

  it('drops keys idle for ttlMs when any key of the table is written, and restarts an expired key', () => {
    const s = new KeyedStateStore();
    s.declare('d/c', counter(100, 10 * HOUR));
    bump(s, 'd/c', 'a', 0);
    bump(s, 'd/c', 'b', 5 * HOUR);
    bump(s, 'd/c', 'c', 12 * HOUR); // a (idle 12 h) expires, b (7 h) stays
    expect(keysOf(s, 'd/c')).toEqual(['b', 'c']);
    bump(s, 'd/c', 'b', 30 * HOUR, 5); // b idle 25 h: a fresh counter, not 6; c expires
    expect(keysOf(s, 'd/c')).toEqual(['b']);
    expect(s.exportEntry('d/c', 'b')).toEqual([30 * HOUR, 5]);
  });

  it('restores and imports entries in their saved order', () => {
    const s = new KeyedStateStore();
    s.declare('d/c', counter(100, 1000 * HOUR));
    for (const [k, at] of [
      ['x', 1],
      ['y', 2],
      ['z', 3],
    ] as const)
      bump(s, 'd/c', k, at);
    const saved = JSON.parse(JSON.stringify(s.toJSON()));
    const r = new KeyedStateStore();
    r.declare('d/c', counter(100, 1000 * HOUR));
    expect(r.restore(saved)).toBe(3);
    expect(keysOf(r, 'd/c')).toEqual(['x', 'y', 'z']);
    r.importEntry('d/c', 'x', [4, 7]); // a changelog update: now the newest
    r.importEntry('d/c', 'y', undefined); // a tombstone
    expect(keysOf(r, 'd/c')).toEqual(['z', 'x']);
    expect(r.exportEntry('d/c', 'x')).toEqual([4, 7]);
    bump(r, 'd/c', 'z', 5);
    expect(keysOf(r, 'd/c')).toEqual(['x', 'z']);
  });

  it('reports each changed (table, key) once per drain, again after a new write', () => {
    const s = new KeyedStateStore();
    s.declare('d/c', counter(100, 1000 * HOUR));
    bump(s, 'd/c', 'a', 1);
    bump(s, 'd/c', 'b', 2);
    bump(s, 'd/c', 'a', 3);
    expect(s.drainChanges()).toEqual([
      ['d/c', 'a'],
      ['d/c', 'b'],
    ]);
    expect(s.drainChanges()).toEqual([]);
    bump(s, 'd/c', 'b', 4);
    expect(s.drainChanges()).toEqual([['d/c', 'b']]);
  });

  it('window entries since a time are the time-ordered tail, late entries inserted in place', () => {
    const s = new KeyedStateStore();
    s.declare('d/w', {
      kind: 'window',
      key: 'token',
      windowMs: 100 * HOUR,
      cap: 10,
      maxKeys: 10,
      ttlMs: 1000 * HOUR,
    });
    const h = s.handle('d/w');
    h.bind('k');
    for (const [at, u] of [
      [10, 'a'],
      [30, 'c'],
      [20, 'b'],
      [30, 'd'],
      [40, 'e'],
    ] as const)
      h.add(at, { u });
    const us = (xs: readonly WindowEntry[]): EntryData['u'][] => xs.map((e) => e.data.u as string);
    expect(us(h.entries())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(us(h.entries(20))).toEqual(['b', 'c', 'd', 'e']);
    expect(us(h.entries(21))).toEqual(['c', 'd', 'e']);
    expect(us(h.entries(41))).toEqual([]);
    expect(us(h.entries(Number.NaN))).toEqual([]);
  });
});

describe('first-seen tables read without a copy', () => {
  it('seenValues lists every kept value with its times, least recently seen first', () => {
    const s = new KeyedStateStore();
    s.declare('d/f', { kind: 'first_seen', key: 'source_ip', cap: 3, maxKeys: 10, ttlMs: 1000 * HOUR });
    const h = s.handle('d/f');
    h.bind('198.51.100.7');
    h.add('a', 10);
    h.add('b', 20);
    h.add('a', 30); // a becomes the most recently seen
    h.add('c', 40);
    h.add('d', 50); // b, the least recently seen, goes (cap 3)
    expect([...h.seenValues()]).toEqual([
      ['a', { first: 10, last: 30, count: 2 }],
      ['c', { first: 40, last: 40, count: 1 }],
      ['d', { first: 50, last: 50, count: 1 }],
    ]);
    h.bind('192.0.2.1');
    expect([...h.seenValues()]).toEqual([]);
    h.bind(undefined);
    expect([...h.seenValues()]).toEqual([]);
  });
});
