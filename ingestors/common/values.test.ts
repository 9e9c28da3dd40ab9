import { describe, expect, it } from 'vitest';
import { compact, distinct, text } from './values.js';

describe('compact', () => {
  it('returns the object itself when no value is undefined', () => {
    const o = { a: 1, b: null, c: '' };
    expect(compact(o)).toBe(o);
  });

  it('drops undefined values, keeping the order of the other keys, without touching its input', () => {
    const o = { a: 1, b: undefined, c: 'x', d: undefined, e: false };
    const out = compact(o);
    expect(Object.keys(out)).toEqual(['a', 'c', 'e']);
    expect(out).toEqual({ a: 1, c: 'x', e: false });
    expect(Object.keys(o)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(JSON.stringify(out)).toBe(JSON.stringify(o));
  });

  it('returns an empty object when every value is undefined', () => {
    expect(compact({ a: undefined })).toEqual({});
  });
});

describe('text and distinct', () => {
  it('trims strings, renders finite numbers, drops the rest', () => {
    expect([text(' a '), text(''), text(3), text(Number.NaN), text(null)]).toEqual([
      'a',
      undefined,
      '3',
      undefined,
      undefined,
    ]);
  });

  it('keeps the first of each non-empty string', () => {
    expect(distinct(['a', undefined, '', 'b', 'a'])).toEqual(['a', 'b']);
  });
});
