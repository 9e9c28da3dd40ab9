import { describe, expect, it } from 'vitest';
import { SalesforceIdError } from './errors.js';
import { canonicalId18, caseSafeSuffix, isSalesforceId, to18, tryCanonicalId18 } from './ids.js';

describe('to18 (case-safe checksum)', () => {
  it.each([
    // Documented in the Salesforce Object Reference (RestApi CONNECTED_APP_ID example).
    ['0H4RM00000000Kr', '0H4RM00000000Kr0AI'],
    // Real pair from Elastic's Login ELF test sample (USER_ID / USER_ID_DERIVED).
    ['0055j000000utlP', '0055j000000utlPAAQ'],
    // Real ids from Elastic's LoginEvent sample (18-char forms given there).
    ['0055j00000AT6I1', '0055j00000AT6I1AAL'],
    ['0YaJ400000H0kYo', '0YaJ400000H0kYoKAJ'],
    // Worked examples of the algorithm published with CASESAFEID explanations.
    ['a0D30000001n7Pi', 'a0D30000001n7PiEAI'],
    ['0019000000B98de', '0019000000B98deAAB'],
    // No upper-case letters at all -> AAA.
    ['0055j000000q9s7', '0055j000000q9s7AAA'],
  ])('%s -> %s', (id15, id18) => {
    expect(to18(id15)).toBe(id18);
  });

  it('maps each chunk independently and uses the digits 0-5 for values 26-31', () => {
    // chunk 1 "ABCDE": all five upper -> 31 -> '5'; chunk 2 "abcde" -> 0 -> 'A'; chunk 3 "aBcDe": bits 1 and 3 -> 10 -> 'K'
    expect(caseSafeSuffix('ABCDEabcdeaBcDe')).toBe('5AK');
    // chunk 1 "00D5j": bit 2 -> 4 -> 'E'; chunk 3 "0VI3n": bits 1 and 2 -> 6 -> 'G'
    expect(caseSafeSuffix('00D5j000000VI3n')).toBe('EAG');
  });

  it('rejects values that are not 15 alphanumerics', () => {
    expect(() => to18('0055j000000utl')).toThrow(SalesforceIdError);
    expect(() => to18('0055j000000utl!')).toThrow(SalesforceIdError);
  });
});

describe('canonicalId18', () => {
  it('extends 15-character ids and keeps consistent 18-character ids', () => {
    expect(canonicalId18('0055j000000utlP')).toBe('0055j000000utlPAAQ');
    expect(canonicalId18('0055j000000utlPAAQ')).toBe('0055j000000utlPAAQ');
    expect(canonicalId18('0055j000000utlPaaq')).toBe('0055j000000utlPAAQ');
  });

  it('restores the case of an 18-character id that went through a case-insensitive system', () => {
    expect(canonicalId18('0055J000000UTLPAAQ')).toBe('0055j000000utlPAAQ');
    expect(canonicalId18('0h4rm00000000kr0ai')).toBe('0H4RM00000000Kr0AI');
  });

  it('keeps an 18-character id whose suffix matches nothing unchanged (vendor-edited ids)', () => {
    // From Elastic's Logout sample: the suffix AAR would need an upper-case digit.
    expect(canonicalId18('0056j000000utlQAAR')).toBe('0056j000000utlQAAR');
  });

  it('throws on other lengths; tryCanonicalId18 returns undefined instead', () => {
    expect(() => canonicalId18('005')).toThrow(SalesforceIdError);
    expect(tryCanonicalId18('005')).toBeUndefined();
    expect(tryCanonicalId18('')).toBeUndefined();
    expect(tryCanonicalId18(null)).toBeUndefined();
    expect(tryCanonicalId18(' 0055j000000utlP ')).toBe('0055j000000utlPAAQ');
    expect(isSalesforceId('Salesforce.com IP')).toBe(false);
  });
});
