import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampError } from './errors.js';
import { parseTimestampMs, toIsoUtc } from './time.js';

describe('toIsoUtc', () => {
  it.each([
    ['epoch ms (GitHub @timestamp)', 1699999999123, '2023-11-14T22:13:19.123Z'],
    ['epoch seconds (Elastic fixture)', 1699999999, '2023-11-14T22:13:19.000Z'],
    ['epoch seconds with fraction', 1699999999.5, '2023-11-14T22:13:19.500Z'],
    ['epoch microseconds (Google login_timestamp)', 1593695305123456, '2020-07-02T13:08:25.123Z'],
    ['epoch ms as string (Chrome TIMESTAMP)', '1699999999123', '2023-11-14T22:13:19.123Z'],
    ['RFC 3339 with ms', '2022-09-18T16:42:31.789Z', '2022-09-18T16:42:31.789Z'],
    ['RFC 3339 without ms', '2021-10-19T11:47:22Z', '2021-10-19T11:47:22.000Z'],
    ['offset without colon', '2024-07-08T07:26:18.239+0000', '2024-07-08T07:26:18.239Z'],
    ['positive offset', '2024-07-08T07:26:18+05:30', '2024-07-08T01:56:18.000Z'],
    ['negative offset no colon', '2024-07-08T07:26:18-0700', '2024-07-08T14:26:18.000Z'],
    ['nanosecond fraction (Panther)', '2022-12-11 02:57:48.693000000', '2022-12-11T02:57:48.693Z'],
    ['Panther space form', '2023-05-04 21:36:47.569', '2023-05-04T21:36:47.569Z'],
    ['no zone means UTC', '2023-05-04T21:36:47', '2023-05-04T21:36:47.000Z'],
    [
      'Google client-library object',
      { dateOnly: false, timeZoneShift: 0, value: 1784393869239 },
      '2026-07-18T16:57:49.239Z',
    ],
    ['HTTP date via luxon', 'Tue, 19 Oct 2021 11:47:22 GMT', '2021-10-19T11:47:22.000Z'],
  ])('%s', (_name, input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty string', ''],
    ['garbage', 'yesterday-ish'],
    ['zero placeholder', 0],
    ['impossible date', '2023-02-30T00:00:00Z'],
    ['compact yyyyMMddHHmmss (Salesforce only: ingestors/salesforce/time.ts)', '20231218054831.655'],
    ['NaN', Number.NaN],
    ['year 2300', '2300-01-01T00:00:00Z'],
  ])('rejects %s with TimestampError', (_name, input) => {
    expect(() => toIsoUtc(input)).toThrow(TimestampError);
  });

  it('carries the bad_timestamp code and the value', () => {
    try {
      parseTimestampMs('nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TimestampError);
      expect((e as TimestampError).code).toBe('bad_timestamp');
      expect((e as TimestampError).value).toBe('"nope"');
    }
  });
});

describe('toIsoUtc on canonical strings (returned as is when already canonical)', () => {
  /** What the general path gives: the ISO text of the parsed instant, or the error's code. */
  const general = (s: string): string => {
    try {
      return new Date(parseTimestampMs(s)).toISOString();
    } catch (e) {
      return `${(e as TimestampError).code}: ${(e as TimestampError).message}`;
    }
  };
  const viaToIsoUtc = (s: string): string => {
    try {
      return toIsoUtc(s);
    } catch (e) {
      return `${(e as TimestampError).code}: ${(e as TimestampError).message}`;
    }
  };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('agrees with the general path on generated canonical-looking strings (bad fields included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1985, max: 2105 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 999 }),
        (y, mo, d, h, mi, se, ms) => {
          const s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}.${pad(ms, 3)}Z`;
          expect(viaToIsoUtc(s)).toBe(general(s));
        },
      ),
      { numRuns: 20_000, seed: 5 },
    );
  });

  it('leaves leap days, leap seconds, range ends and near misses to the general path', () => {
    for (const s of [
      '2024-02-29T12:00:00.000Z',
      '2023-02-29T12:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2016-12-31T23:59:60.000Z',
      '1990-01-01T00:00:00.000Z',
      '1989-12-31T23:59:59.999Z',
      '2099-12-31T23:59:59.999Z',
      '2025-06-04T23:59:37.482z',
      '2025-06-04 23:59:37.482Z',
      '2025-06-04T23:59:37,482Z',
      '2025-6-04T23:59:37.4820Z',
      '2025-06-04T23:59:3a.482Z',
    ])
      expect(viaToIsoUtc(s)).toBe(general(s));
    expect(toIsoUtc('2025-06-04T23:59:37.482Z')).toBe('2025-06-04T23:59:37.482Z');
  });
});
