/**
 * Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form
 * (the 3-character checksum suffix encodes which of the 15 characters are upper case).
 */
import type { Rng } from './prng.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character case-safe form of a 15-character Salesforce id. */
export function toCaseSafeId(id15: string): string {
  if (id15.length !== 15) throw new Error(`expected a 15-character id, got ${id15}`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return id15 + suffix;
}

/**
 * A plausible 15-character id: 3-char key prefix (`005` user, `00D` org, `0H4` connected app,
 * `750` bulk job, `751` batch, `00O` report), 2-char pod, then zeros and a base62 sequence.
 */
export function makeSalesforceId(prefix: string, rng: Rng, pod = '5g'): string {
  return `${prefix}${pod}00000${rng.base62(5)}`;
}
