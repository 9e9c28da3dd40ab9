import { describe, expect, it } from 'vitest';
import { OffsetPositions } from './positions.js';

describe('OffsetPositions', () => {
  it('round-trips through JSON and compares offsets as 64-bit integers', () => {
    const p = new OffsetPositions();
    p.set('t', 0, '9007199254740993');
    p.set('t', 1, '10');
    const q = OffsetPositions.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    expect(q.get('t', 0)).toBe('9007199254740993');
    expect(q.isBehind('t', 0, '9007199254740992')).toBe(true);
    expect(q.isBehind('t', 0, '9007199254740993')).toBe(false);
    expect(q.isBehind('t', 1, '9')).toBe(true);
    expect(q.isBehind('other', 0, '0')).toBe(false);
  });

  it('ignores malformed entries', () => {
    const p = OffsetPositions.fromJSON({ t: { '0': '5', x: '1', '1': 7, '2': '-1' }, u: 3 });
    expect(p.entries()).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
  });

  it('advances only forwards', () => {
    const p = new OffsetPositions();
    expect(p.advance('t', 0, '10')).toBe(true);
    expect(p.advance('t', 0, '5')).toBe(false);
    expect(p.advance('t', 0, '10')).toBe(false);
    expect(p.get('t', 0)).toBe('10');
    p.delete('t', 0);
    expect(p.get('t', 0)).toBeUndefined();
  });
});
