import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonFilled } from '../../ingestors/common/ids.js';
import { stringHash64, valueHash64 } from './content-hash.js';

const seed = { a: 0x1234_5678, b: -0x0edc_ba98 };
const key = (h: { hi: number; lo: number }) => `${h.hi}:${h.lo}`;

/** JSON-like values as JSON.parse gives them (with undefined members too, which canonical JSON drops). */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(null, true, false, '', 0, -0, 1, '1', 'null', 'true', undefined),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'ab', '', '__proto__', 'é'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const record = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), jsonValue, { maxKeys: 5 });

/** The same object with its keys in reverse order (at every level). */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse())
    Object.defineProperty(out, k, {
      value: reordered((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

describe('valueHash64', () => {
  it('is equal exactly when the canonical JSON is equal (generated pairs)', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (x, y) => {
        const same = canonicalJson(x) === canonicalJson(y);
        expect(key(valueHash64(x, seed)) === key(valueHash64(y, seed))).toBe(same);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('with dropEmpty, is equal exactly when canonicalJsonFilled is equal', () => {
    fc.assert(
      fc.property(record, record, (x, y) => {
        const same = canonicalJsonFilled(x) === canonicalJsonFilled(y);
        expect(key(valueHash64(x, seed, true)) === key(valueHash64(y, seed, true))).toBe(same);
      }),
      { numRuns: 3000, seed: 8 },
    );
  });

  it('does not depend on key order at any level', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        expect(key(valueHash64(reordered(x), seed))).toBe(key(valueHash64(x, seed)));
      }),
      { numRuns: 1000, seed: 9 },
    );
  });

  it('tells apart values that concatenate, swap or change type the same way', () => {
    const distinct: unknown[] = [
      ['ab', 'c'],
      ['a', 'bc'],
      { a: 'x', b: 'y' },
      { a: 'y', b: 'x' },
      { a: { b: 1 } },
      { a: 1, b: {} },
      { ab: 1 },
      [1],
      ['1'],
      [null],
      ['null'],
      [true],
      ['true'],
      [[]],
      [{}],
      [],
      {},
      '',
      0.5,
      2 ** 31,
      -(2 ** 31) - 1,
      'é',
      '\u00e9\u0000',
    ];
    const seen = new Set(distinct.map((v) => key(valueHash64(v, seed))));
    expect(seen.size).toBe(distinct.length);
  });

  it('drops only top-level empty members with dropEmpty, and treats -0 as 0', () => {
    expect(valueHash64({ a: 1, b: '', c: null }, seed, true)).toEqual(valueHash64({ a: 1 }, seed, true));
    expect(valueHash64({ a: 1, b: '' }, seed)).not.toEqual(valueHash64({ a: 1 }, seed));
    expect(valueHash64({ n: { b: '' } }, seed, true)).not.toEqual(valueHash64({ n: {} }, seed, true));
    expect(valueHash64({ a: -0 }, seed)).toEqual(valueHash64({ a: 0 }, seed));
  });

  it('depends on the seed, and has no collision over 200,000 distinct records', () => {
    expect(valueHash64({ a: 1 }, seed)).not.toEqual(valueHash64({ a: 1 }, { a: 1, b: 2 }));
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++)
      seen.add(key(valueHash64({ id: `r${i}`, n: i % 97, tags: [i % 3] }, seed)));
    expect(seen.size).toBe(200_000);
  });
});

describe('stringHash64', () => {
  it('tells strings apart by every code unit and length, never returns 0:0', () => {
    const seen = new Set<string>();
    const words = [
      '',
      'a',
      'b',
      'ab',
      'ba',
      'a\u0000',
      '\u0000a',
      'abc',
      'abd',
      '\ud83d\ude00',
      'x'.repeat(1000),
    ];
    for (const w of words) {
      const h = stringHash64(w, seed);
      expect(h.hi !== 0 || h.lo !== 0).toBe(true);
      seen.add(key(h));
    }
    expect(seen.size).toBe(words.length);
    for (let i = 0; i < 100_000; i++) seen.add(key(stringHash64(`github:doc-${i}`, seed)));
    expect(seen.size).toBe(words.length + 100_000);
  });

  it('matches valueHash64 of the same string (one walk for both)', () => {
    expect(stringHash64('github:x', seed)).toEqual(valueHash64('github:x', seed));
  });
});
