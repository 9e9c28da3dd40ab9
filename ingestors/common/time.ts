import { DateTime } from 'luxon';
import { TimestampError } from './errors.js';

/**
 * Vendor timestamp parsing to ISO 8601 UTC with milliseconds (`2023-12-18T05:48:31.655Z`).
 *
 * Accepted forms (formats.md 1e.1, 2d.2/2d.4, 3d.1):
 * - numbers and all-digit strings: epoch by magnitude: below 1e11 seconds, below 1e14
 *   milliseconds (GitHub `@timestamp`), below 1e17 microseconds (Google `login_timestamp`), else
 *   nanoseconds; fractions allowed;
 * - RFC 3339 / ISO 8601 with `T` or a space, 0-9 fraction digits, `Z`, `+hh:mm`, `+hhmm`, `+hh` or no
 *   offset (taken as UTC): `2021-10-19T11:47:22Z`, `2024-07-08T07:26:18.239+0000`, Panther's
 *   `2023-05-04 21:36:47.569`;
 * - Google's client-library leak `{"value": 1784393869239, ...}` (epoch ms);
 * - anything else luxon reads as ISO 8601, SQL, RFC 2822 or HTTP date.
 *
 * Instants outside 1990-01-01 .. 2100-01-01 are rejected as impossible (placeholders like `0`).
 * Used by the GitHub and Google Workspace normalizers; Salesforce's own forms (ELF
 * `yyyyMMddHHmmss.SSS`, its ISO variants) are parsed strictly by `ingestors/salesforce/time.ts`.
 */

const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_RE = /^-?\d+(?:\.\d+)?$/;

/** Parses a vendor timestamp to epoch milliseconds. Throws {@link TimestampError}. */
export function parseTimestampMs(value: unknown): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = epochToMs(value);
  else if (typeof value === 'string') ms = parseString(value.trim());
  else if (value !== null && typeof value === 'object' && 'value' in value) {
    const inner = (value as { value: unknown }).value;
    if (typeof inner === 'number' || typeof inner === 'string') return parseTimestampMs(inner);
  }
  if (ms === undefined || !Number.isFinite(ms)) throw new TimestampError(value, 'not a recognised timestamp');
  if (ms < MIN_MS || ms >= MAX_MS) throw new TimestampError(value, 'outside 1990..2100');
  return ms;
}

/**
 * Parses a vendor timestamp to ISO 8601 UTC with milliseconds (`2023-12-18T05:48:31.655Z`).
 * Throws {@link TimestampError} when the value is missing or impossible.
 */
export function toIsoUtc(value: unknown): string {
  if (typeof value === 'string' && value.length === 24 && isCanonicalIso(value)) return value;
  return new Date(parseTimestampMs(value)).toISOString();
}

/** Value of the two ASCII digits at `at`, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * True when `s` (24 characters) is already what {@link toIsoUtc} returns for it:
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` naming a real instant within 1990..2100 (Google's `id.time`, the
 * pipeline's own output). Such a string is returned as is, without the regex and a Date.
 */
function isCanonicalIso(s: string): boolean {
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  )
    return false;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  const ms1 = twoDigits(s, 20);
  const ms2 = s.charCodeAt(22) - 48;
  if (century < 0 || yy < 0 || ms1 < 0 || ms2 < 0 || ms2 > 9) return false;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  // a leap second (60) is read as 59 by the general path: not canonical
  if (second < 0 || second > 59) return false;
  const year = century * 100 + yy;
  // inside the accepted range (MIN_MS..MAX_MS: 1990-01-01 inclusive to 2100-01-01 exclusive)
  if (year < 1990 || year > 2099) return false;
  // a real day of that month (2023-02-30 is rejected by the general path)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** Epoch number to ms by magnitude: s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns. */
function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  const abs = Math.abs(n);
  if (abs < 1e11) return Math.round(n * 1000);
  if (abs < 1e14) return Math.round(n);
  if (abs < 1e17) return Math.round(n / 1000);
  return Math.round(n / 1e6);
}

function parseString(s: string): number | undefined {
  if (s === '') return undefined;
  if (EPOCH_RE.test(s)) return epochToMs(Number(s));
  const iso = ISO_RE.exec(s);
  if (iso) {
    const [, y, mo, d, h, mi, se, frac, zone] = iso;
    return fromParts(y, mo, d, h, mi, se ?? '0', frac ?? '', zone);
  }
  return parseWithLuxon(s);
}

/** Builds epoch ms from validated calendar parts; undefined when a part is out of range. */
function fromParts(
  y: string | undefined,
  mo: string | undefined,
  d: string | undefined,
  h: string | undefined,
  mi: string | undefined,
  se: string | undefined,
  frac: string,
  zone: string | undefined,
): number | undefined {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  // Date.UTC rolls 2023-02-30 over to March: reject instead.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms - offsetMinutes(zone) * 60_000;
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

function parseWithLuxon(s: string): number | undefined {
  const opts = { zone: 'utc', setZone: true } as const;
  for (const parse of [DateTime.fromISO, DateTime.fromSQL, DateTime.fromRFC2822, DateTime.fromHTTP]) {
    const dt = parse(s, opts);
    if (dt.isValid) return dt.toMillis();
  }
  return undefined;
}
