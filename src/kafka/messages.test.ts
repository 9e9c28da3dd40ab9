import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS, deadLetterMessage, decodeHeaders } from './messages.js';

describe('deadLetterMessage', () => {
  it('puts the redacted raw record in the value and the reason, code and origin in headers', () => {
    const m = deadLetterMessage({
      code: 'parse_error',
      reason: 'not JSON',
      source: 'github',
      raw: '{oops',
      location: 'raw.github/0@41:1',
      origin: { topic: 'raw.github', partition: 0, offset: '41' },
    });
    expect(m.value).toBe('{oops');
    expect(m.key).toBe('raw.github/0@41');
    expect(decodeHeaders(m.headers)).toEqual({
      [DLQ_HEADERS.code]: 'parse_error',
      [DLQ_HEADERS.reason]: 'not JSON',
      [DLQ_HEADERS.source]: 'github',
      [DLQ_HEADERS.location]: 'raw.github/0@41:1',
      [DLQ_HEADERS.topic]: 'raw.github',
      [DLQ_HEADERS.partition]: '0',
      [DLQ_HEADERS.offset]: '41',
    });
  });

  it('truncates very long reasons and omits origin headers without an origin', () => {
    const m = deadLetterMessage({
      code: 'sink_rejected',
      reason: 'x'.repeat(10_000),
      source: 'tokenwatch',
      raw: '{}',
      location: 'elasticsearch/i/1',
    });
    const h = decodeHeaders(m.headers);
    expect(h[DLQ_HEADERS.reason]).toHaveLength(2048);
    expect(h[DLQ_HEADERS.topic]).toBeUndefined();
    expect(m.key).toBe('elasticsearch/i/1');
  });
});
