import { describe, expect, it } from 'vitest';
import { chunkMessages, messageBytes } from './chunk.js';

describe('chunkMessages', () => {
  it('cuts requests by bytes and count, keeping order; an oversized message goes alone', () => {
    const m = (n: number, tag: string) => ({ key: tag, value: 'x'.repeat(n) });
    const msgs = [m(400, 'a'), m(400, 'b'), m(400, 'c'), m(2000, 'big'), m(10, 'd')];
    const parts = chunkMessages(msgs, 1000);
    expect(parts.map((p) => p.map((x) => x.key))).toEqual([['a', 'b'], ['c'], ['big'], ['d']]);
    expect(chunkMessages(msgs, 10_000, 2).map((p) => p.length)).toEqual([2, 2, 1]);
    expect(chunkMessages([])).toEqual([]);
  });

  it('counts key, value and headers', () => {
    expect(messageBytes({ key: 'k', value: 'vv', headers: { h: 'abc' } })).toBe(64 + 1 + 2 + 1 + 3);
    expect(messageBytes({ value: null })).toBe(64);
  });
});
