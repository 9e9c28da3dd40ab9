import { SalesforceIdError } from './errors.js';

/**
 * Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.
 *
 * The 3-character suffix encodes which letters of the 15-character id are upper case: the id is
 * split into three 5-character chunks; for chunk k, bit i is set when character i of the chunk is
 * an upper-case letter `A-Z`; the 5-bit value indexes `ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`. This is
 * what Salesforce's `CASESAFEID()` formula function returns (documented pairs:
 * `a0D30000001n7Pi` -> `a0D30000001n7PiEAI`; Elastic's real Login ELF sample
 * `0055j000000utlP` -> `0055j000000utlPAAQ`).
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID15 = /^[A-Za-z0-9]{15}$/;
const ID18 = /^[A-Za-z0-9]{18}$/;

/** True when `value` looks like a 15- or 18-character Salesforce id. */
export function isSalesforceId(value: string): boolean {
  return ID15.test(value) || ID18.test(value);
}

/** The 3-character case-safe suffix of a 15-character id. Throws {@link SalesforceIdError}. */
export function caseSafeSuffix(id15: string): string {
  if (!ID15.test(id15)) throw new SalesforceIdError(id15);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** Converts a 15-character id to its 18-character case-safe form. Throws {@link SalesforceIdError}. */
export function to18(id15: string): string {
  return id15 + caseSafeSuffix(id15);
}

/**
 * Restores the case of an 18-character id whose first 15 characters lost their case (an id that
 * went through a case-insensitive system), using the suffix bits. Returns undefined when the suffix
 * cannot describe those characters (a bit set on a digit).
 */
function restoreCase(id18: string): string | undefined {
  const suffix = id18.slice(15).toUpperCase();
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk] ?? '');
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id18[chunk * 5 + i] ?? '';
      const upper = (bits & (1 << i)) !== 0;
      if (/[A-Za-z]/.test(ch)) out += upper ? ch.toUpperCase() : ch.toLowerCase();
      else if (upper) return undefined;
      else out += ch;
    }
  }
  return out + suffix;
}

/**
 * Canonical 18-character form of a Salesforce id:
 * - 15 characters: the id plus its case-safe suffix;
 * - 18 characters with a consistent suffix: unchanged (suffix upper-cased);
 * - 18 characters whose letters lost their case (`0055J000000UTLPAAQ`): case restored from the suffix;
 * - 18 characters with a suffix that matches nothing (edited or vendor-anonymized ids): unchanged,
 *   so the same input always gives the same output.
 *
 * Throws {@link SalesforceIdError} when the value is not 15 or 18 alphanumeric characters.
 */
export function canonicalId18(value: string): string {
  const id = value.trim();
  if (ID15.test(id)) return to18(id);
  if (!ID18.test(id)) throw new SalesforceIdError(value);
  const head = id.slice(0, 15);
  const suffix = id.slice(15).toUpperCase();
  if (caseSafeSuffix(head) === suffix) return head + suffix;
  const restored = restoreCase(id);
  if (restored !== undefined && caseSafeSuffix(restored.slice(0, 15)) === suffix) return restored;
  return id;
}

/** {@link canonicalId18} for optional input: undefined for empty or invalid values, never throws. */
export function tryCanonicalId18(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || !isSalesforceId(v)) return undefined;
  return canonicalId18(v);
}
