import { describe, expect, it } from 'vitest';
import {
  apiEventSchema,
  elfRowSchema,
  loginEventSchema,
  soqlEnvelopeSchema,
  streamingEnvelopeSchema,
} from '../../schemas/raw/salesforce.js';

describe('schemas/raw/salesforce', () => {
  it('ELF rows: strings stay strings, vendor JSON numbers/null become CSV strings, unknown columns pass through', () => {
    const row = elfRowSchema.parse({
      EVENT_TYPE: 'API',
      ROWS_PROCESSED: 150,
      CLIENT_IP: null,
      NEW_COLUMN_2025: 'x',
    });
    expect(row).toEqual({ EVENT_TYPE: 'API', ROWS_PROCESSED: '150', CLIENT_IP: '', NEW_COLUMN_2025: 'x' });
    expect(elfRowSchema.safeParse({ USER_ID: { nested: true } }).success).toBe(false);
  });

  it('ApiEvent: ApiVersion is a number or "N/A"; Records may be JSON text', () => {
    expect(apiEventSchema.parse({ ApiVersion: 'N/A' }).ApiVersion).toBe('N/A');
    expect(apiEventSchema.parse({ ApiVersion: 51, Records: '{"totalSize":1}' }).ApiVersion).toBe(51);
    expect(apiEventSchema.safeParse({ ApiVersion: { v: 1 } }).success).toBe(false);
  });

  it('LoginEvent: SOQL nulls are accepted', () => {
    expect(
      loginEventSchema.safeParse({ SessionKey: null, AuthServiceId: null, LoginType: 'Remote Access 2.0' })
        .success,
    ).toBe(true);
  });

  it('envelopes', () => {
    const msg = streamingEnvelopeSchema.parse({
      channel: '/event/ApiEventStream',
      data: { event: { replayId: 4711 }, payload: { EventIdentifier: 'e' }, schema: 's' },
    });
    expect(msg.data?.payload).toEqual({ EventIdentifier: 'e' });
    expect(streamingEnvelopeSchema.parse({ channel: '/meta/connect' }).data).toBeUndefined();
    expect(soqlEnvelopeSchema.safeParse({ totalSize: 1, done: true, records: [{}] }).success).toBe(true);
    expect(soqlEnvelopeSchema.safeParse({ records: {} }).success).toBe(false);
  });
});
