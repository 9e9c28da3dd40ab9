import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng, rngFor } from './prng.js';

describe('Rng', () => {
  it('is deterministic in its seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => new Rng(43).u32())).not.toEqual(xs);
  });

  it('derives independent sub-streams from keys', () => {
    expect(deriveSeed(1, 'person', 3, 17)).toBe(deriveSeed(1, 'person', 3, 17));
    expect(deriveSeed(1, 'person', 3, 17)).not.toBe(deriveSeed(1, 'person', 3, 18));
    expect(rngFor(9, 'x').uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('draws within bounds with sane moments', () => {
    const r = new Rng(5);
    let sum = 0;
    let lo = 99;
    let hi = -1;
    for (let i = 0; i < 20_000; i++) {
      const v = r.int(1, 6);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    expect([lo, hi]).toEqual([1, 6]);
    expect(sum / 20_000).toBeCloseTo(3.5, 1);
    let p = 0;
    for (let i = 0; i < 5000; i++) p += r.poisson(4);
    expect(p / 5000).toBeCloseTo(4, 0);
  });
});
