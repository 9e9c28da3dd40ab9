import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sessionIdHash } from './ids.js';

const reference = (key: string): string =>
  createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);

describe('sessionIdHash', () => {
  it('is the first 32 hex digits of SHA-256 of the key, also when asked again (remembered)', () => {
    for (let round = 0; round < 3; round++) {
      expect(sessionIdHash('00zY/BUDcsO5vyu4')).toBe(reference('00zY/BUDcsO5vyu4'));
      expect(sessionIdHash('gENONDKRs2+Ycsq5')).toBe(reference('gENONDKRs2+Ycsq5'));
    }
  });

  it('stays right for more keys than it remembers', () => {
    for (let i = 0; i < 70_000; i += 7) {
      const key = `key-${i}`;
      expect(sessionIdHash(key)).toBe(reference(key));
    }
    for (let i = 0; i < 70_000; i += 7_001) expect(sessionIdHash(`key-${i}`)).toBe(reference(`key-${i}`));
  });
});
