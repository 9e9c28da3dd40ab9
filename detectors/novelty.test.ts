import { describe, expect, it } from 'vitest';
import { breadthWindowSetting, firstSeenInWindow } from './novelty.js';

describe('firstSeenInWindow', () => {
  const times = [0, 1_000, 5_000, 9_999, 10_000, 12_000];
  it('counts times in (at - window, at], excluding the start and later times', () => {
    expect(firstSeenInWindow(times, 10_000, 9_000)).toBe(3);
    expect(firstSeenInWindow(times, 10_000, 10_000)).toBe(4);
    expect(firstSeenInWindow([], 10_000, 10_000)).toBe(0);
  });
  it('with later: also counts times after at', () => {
    expect(firstSeenInWindow(times, 10_000, 9_000, { later: true })).toBe(4);
  });
});

describe('breadthWindowSetting', () => {
  it('defaults to 1 h and bounds 1 min .. 1 h', () => {
    const s = breadthWindowSetting();
    expect(s.parse(undefined)).toBe(3_600_000);
    expect(s.safeParse(59_999).success).toBe(false);
    expect(s.safeParse(3_600_001).success).toBe(false);
    expect(s.parse(600_000)).toBe(600_000);
  });
});
