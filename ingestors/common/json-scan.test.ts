import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overLimits, scanString, scanValueEnd } from './json-scan.js';

/** The character loop scanString replaced: a backslash escapes the next character. */
function scanStringByChar(text: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

describe('scanString', () => {
  it('ends at the first quote not escaped by an odd run of backslashes', () => {
    expect(scanString('"abc",1', 0, 7)).toBe(5);
    expect(scanString('"a\\"b"', 0, 6)).toBe(6);
    expect(scanString('"a\\\\"b"', 0, 7)).toBe(5);
    expect(scanString('"\\\\\\""x', 0, 7)).toBe(6);
    expect(scanString('"abc', 0, 4)).toBe(-1);
    // a closing quote past `end` does not count
    expect(scanString('"abc"', 0, 4)).toBe(-1);
    expect(scanString('x"a"', 1, 4)).toBe(4);
  });

  it('agrees with a character-by-character scan on generated text', () => {
    const text = fc.stringMatching(/^[a"\\ ]{0,24}$/);
    fc.assert(
      fc.property(text, fc.nat(30), (body, cut) => {
        const t = `"${body}`;
        const end = Math.min(t.length, cut + 1);
        expect(scanString(t, 0, end)).toBe(scanStringByChar(t, 0, end));
      }),
      { numRuns: 5000, seed: 3 },
    );
  });

  it('lets scanValueEnd and overLimits skip strings holding brackets and escaped quotes', () => {
    const rec = '{"a":"x\\"}]","b":["\\\\",{"c":"{{{"}]}';
    expect(scanValueEnd(rec, 0)).toBe(rec.length);
    expect(JSON.parse(rec)).toEqual({ a: 'x"}]', b: ['\\', { c: '{{{' }] });
    expect(overLimits(rec, 0, rec.length, 2)).toBe('nesting deeper than 2 levels');
    expect(overLimits(rec, 0, rec.length, 3)).toBeUndefined();
  });
});
