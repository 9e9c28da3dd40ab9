import { createHash } from 'node:crypto';

/** First 32 hex characters of the SHA-256 of `value` (UTF-8). Used for ids and session hashes. */
export function sha256Hex32(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}
