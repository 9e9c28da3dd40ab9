import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUICK_RE } from './redact.js';
import { mayMatchSecretPattern } from './secret-gate.js';

/** Pieces of every QUICK_RE alternative (both cases), glued at random with filler: near misses and hits. */
const PIECES = [
  'gh',
  'p',
  'o',
  'u',
  's',
  'r',
  '_',
  'github',
  'pat',
  'ya',
  '29',
  '.',
  '1',
  '/',
  '0',
  'AI',
  'za',
  'ai',
  'ZA',
  '00D',
  'Abc123XyZ0123',
  '!',
  'xox',
  'XOX',
  'b',
  '-',
  'AK',
  'IA',
  'AS',
  'AB',
  'ACC',
  'A',
  'acca',
  'REDACTED',
  'redacted',
  ':',
  'aws',
  'AWS',
  'bear',
  'er',
  'BEARER',
  'basic',
  'BASIC',
  ' ',
  '\t',
  '\u00a0',
  'auth',
  'orization',
  'AUTHORIZATION',
  'key',
  'token',
  'secret',
  'SECRET',
  'password',
  'passwd',
  'sig',
  'signature',
  'pwd',
  '=',
  'access',
  'ACCESS',
  '://',
  'user',
  '@',
  'ey',
  'EY',
  'JhbGciOiJIUzI1',
  'eyJ0eXAiOiJKV1Qi',
  '%',
  '2F',
  'zz',
  '\\',
  'u0067',
  '\\/',
  'é',
  'K',
  'ſ',
  'x',
  'q',
  'Z',
];

describe('mayMatchSecretPattern', () => {
  it('is never false where QUICK_RE matches (generated glued pieces)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }), (parts) => {
        const s = parts.join('');
        if (QUICK_RE.test(s)) expect(mayMatchSecretPattern(s)).toBe(true);
      }),
      { numRuns: 60_000, seed: 11 },
    );
  });

  it('is never false where QUICK_RE matches (random ASCII)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (s) => {
        if (QUICK_RE.test(s)) expect(mayMatchSecretPattern(s)).toBe(true);
      }),
      { numRuns: 20_000, seed: 12 },
    );
  });

  it('lets every alternative through, in either case', () => {
    const hits = [
      'ghp_x',
      'github_pat_1',
      'YA29.x',
      'a1//0b',
      'AIzaX',
      'aiza',
      '00DAbc123XyZ0123!x',
      'xoxb-',
      'XOXS-',
      'AKIA',
      'asia',
      'ABIA',
      'acca',
      'x[REDACTED:aws]',
      'Bearer',
      'BASIC ',
      'Authorization',
      'token=x',
      'SecretAccess',
      'aws-secret',
      'https://u@h',
      'eyJhbGciOiJIUzI1.eyJ',
      '%2f',
      '\\u0067',
      '\\/',
    ];
    for (const s of hits) {
      expect(QUICK_RE.test(s)).toBe(true);
      expect(mayMatchSecretPattern(s)).toBe(true);
    }
  });

  it('stops ordinary audit values without the regex', () => {
    const clear = [
      'alice@northwind.example',
      '2025-06-04T23:59:37.482Z',
      '6481505454032365802',
      '73.15.120.202',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36',
      'northwind/metrics-infra',
      'pull_request_review.submit',
    ];
    expect(clear.map(mayMatchSecretPattern)).toEqual([false, false, false, false, true, false, true]);
    // without the `u` flag a non-ASCII letter never folds to an ASCII one (Kelvin sign, long s)
    expect(QUICK_RE.test('\u212Aey=1')).toBe(false);
    expect(QUICK_RE.test('\u017Fecretaccess')).toBe(false);
    expect(mayMatchSecretPattern('\u017Fecretaccess')).toBe(false);
  });
});
