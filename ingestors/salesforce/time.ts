import { SalesforceTimestampError } from './errors.js';

/**
 * Salesforce timestamp parsing. All results are ISO 8601 UTC with milliseconds
 * (`2023-12-18T05:48:31.655Z`), the form `@timestamp` requires.
 */

/** ELF `TIMESTAMP`: `yyyyMMddHHmmss`, optionally `.` and a fraction of a second. */
const ELF_TS = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{0,9}))?$/;

/**
 * ISO-like forms seen in Salesforce data: `2021-10-19T11:47:22Z`, `2024-07-08T07:26:18.239+0000`
 * (offset without a colon), `2015-07-27T11:32:59.555Z`, `+00:00`, and vendor rewrites without a
 * zone (`2023-05-04 21:36:47.569`, read as UTC since Salesforce logs in GMT).
 */
const ISO_TS =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Milliseconds from a decimal fraction of a second: `13` -> 130, `5` -> 500, `1289` -> 128. */
function fractionToMillis(fraction: string | undefined): number {
  if (fraction === undefined || fraction === '') return 0;
  return Number(`${fraction}000`.slice(0, 3));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * ISO 8601 UTC with milliseconds from validated calendar fields and an offset (minutes east of
 * UTC). Impossible dates (Feb 30, hour 24) throw instead of rolling over as `Date.UTC` would.
 */
function build(
  raw: string,
  expected: string,
  parts: (string | undefined)[],
  fraction: string | undefined,
  offsetMinutes: number,
): string {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts.map((p) => Number(p));
  const valid =
    year >= 1970 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Math.abs(offsetMinutes) <= 14 * 60;
  if (!valid) throw new SalesforceTimestampError(raw, expected);
  const ms =
    Date.UTC(year, month - 1, day, hour, minute, second, fractionToMillis(fraction)) - offsetMinutes * 60_000;
  return new Date(ms).toISOString();
}

/**
 * Parses an ELF `TIMESTAMP` (`yyyyMMddHHmmss.SSS`, UTC). The fraction may have 0 to 3 digits and
 * is a decimal fraction (`20211019050707.13` is 07.130 s) or be absent (`20220803011210`); longer
 * fractions are truncated to milliseconds.
 *
 * @returns ISO 8601 UTC with milliseconds.
 * @throws {SalesforceTimestampError} on any other shape or an impossible date.
 */
export function parseElfTimestamp(raw: string): string {
  const expected = 'an ELF TIMESTAMP (yyyyMMddHHmmss.SSS)';
  const m = ELF_TS.exec(raw.trim());
  if (m === null) throw new SalesforceTimestampError(raw, expected);
  return build(raw, expected, m.slice(1, 7), m[7], 0);
}

/** Minutes east of UTC for `Z`, `+0000`, `+05:30`, `-08`. */
function offsetToMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/**
 * Parses an ISO 8601 timestamp as Salesforce writes it (`TIMESTAMP_DERIVED`, RTEM `EventDate`):
 * `Z`, `+0000`, `+00:00` or no zone (UTC).
 *
 * @returns ISO 8601 UTC with milliseconds.
 * @throws {SalesforceTimestampError} on any other shape or an impossible date.
 */
export function parseSalesforceIso(raw: string): string {
  const expected = 'an ISO 8601 date-time';
  const m = ISO_TS.exec(raw.trim());
  if (m === null) throw new SalesforceTimestampError(raw, expected);
  return build(raw, expected, m.slice(1, 7), m[7], offsetToMinutes(m[8]));
}

/**
 * Parses either Salesforce form: the ELF compact form or ISO 8601. Used for `TIMESTAMP`, which some
 * vendors rewrite to ISO (`2023-05-04 21:36:47.569`).
 *
 * @throws {SalesforceTimestampError} when neither form matches.
 */
export function parseAnySalesforceTimestamp(raw: string): string {
  const v = raw.trim();
  if (ELF_TS.test(v)) return parseElfTimestamp(v);
  if (ISO_TS.test(v)) return parseSalesforceIso(v);
  throw new SalesforceTimestampError(raw, 'yyyyMMddHHmmss.SSS or ISO 8601');
}
