import { describe, expect, it } from 'vitest';
import { SalesforceTimestampError } from './errors.js';
import { parseAnySalesforceTimestamp, parseElfTimestamp, parseSalesforceIso } from './time.js';

describe('parseElfTimestamp', () => {
  it.each([
    ['20231218054831.655', '2023-12-18T05:48:31.655Z'],
    // A 2-digit fraction is a decimal fraction: .13 s = 130 ms (Elastic Logout sample; DERIVED says .128).
    ['20211019050707.13', '2021-10-19T05:07:07.130Z'],
    ['20240502102001.5', '2024-05-02T10:20:01.500Z'],
    ['20240502180000.004', '2024-05-02T18:00:00.004Z'],
    // No fraction (HostnameRedirects doc example).
    ['20220803011210', '2022-08-03T01:12:10.000Z'],
    ['20220803011210.', '2022-08-03T01:12:10.000Z'],
    // More than 3 digits are truncated, not rounded.
    ['20220803011210.1289', '2022-08-03T01:12:10.128Z'],
    ['20240229235959.999', '2024-02-29T23:59:59.999Z'],
  ])('%s -> %s', (raw, iso) => {
    expect(parseElfTimestamp(raw)).toBe(iso);
  });

  it.each([
    '20230229000000',
    '20231301000000',
    '20231218246000',
    '19691231235959',
    '2023121805483',
    'yesterday',
    '',
  ])('rejects %j', (raw) => {
    expect(() => parseElfTimestamp(raw)).toThrow(SalesforceTimestampError);
  });
});

describe('parseSalesforceIso', () => {
  it.each([
    ['2021-10-19T11:47:22Z', '2021-10-19T11:47:22.000Z'],
    // RTEM offset without a colon.
    ['2024-07-08T07:26:18.239+0000', '2024-07-08T07:26:18.239Z'],
    ['2024-07-08T07:26:18.239+00:00', '2024-07-08T07:26:18.239Z'],
    // Non-zero offsets are converted to UTC.
    ['2024-07-08T07:26:18.239+0530', '2024-07-08T01:56:18.239Z'],
    ['2024-07-08T23:30:00-0800', '2024-07-09T07:30:00.000Z'],
    // Vendor rewrite without zone: Salesforce times are GMT.
    ['2023-05-04 21:36:47.569', '2023-05-04T21:36:47.569Z'],
  ])('%s -> %s', (raw, iso) => {
    expect(parseSalesforceIso(raw)).toBe(iso);
  });

  it.each([
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-07-08T00:00:00+1500',
    '03/05/2024 10:09',
    '2024-07-08',
  ])('rejects %j', (raw) => {
    expect(() => parseSalesforceIso(raw)).toThrow(SalesforceTimestampError);
  });
});

describe('parseAnySalesforceTimestamp', () => {
  it('accepts both forms and names both in its error', () => {
    expect(parseAnySalesforceTimestamp('20231218054831.655')).toBe('2023-12-18T05:48:31.655Z');
    expect(parseAnySalesforceTimestamp('2023-12-18T05:48:31.655Z')).toBe('2023-12-18T05:48:31.655Z');
    expect(() => parseAnySalesforceTimestamp('2024-13-45')).toThrow(/yyyyMMddHHmmss.SSS or ISO 8601/);
  });
});
