/**
 * Simulation time: epoch milliseconds (UTC) everywhere, day and hour indices relative to the
 * simulation start, and cached time-zone offsets (luxon) for people's local working hours.
 */
import { DateTime } from 'luxon';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch ms of `YYYY-MM-DD` at 00:00 UTC; throws on an invalid date. */
export function parseStartDate(date: string): number {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`invalid date ${date}`);
  return dt.startOf('day').toMillis();
}

/** ISO 8601 UTC with milliseconds (`2025-08-08T14:03:11.120Z`). */
export function isoMs(t: number): string {
  return new Date(t).toISOString();
}

/** `YYYY-MM-DD` of an epoch ms (UTC). */
export function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

const offsetCache = new Map<string, number>();

/**
 * UTC offset in minutes of a time zone on the UTC day containing `t` (taken at 12:00 UTC, so a
 * DST switch applies from the day it happens).
 */
export function tzOffsetMinutes(tz: string, t: number): number {
  const day = Math.floor(t / DAY_MS);
  const key = `${tz}|${day}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    off = DateTime.fromMillis(day * DAY_MS + 12 * HOUR_MS, { zone: tz }).offset;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/** Epoch ms of local midnight of the local calendar date that starts near UTC day `dayStart`. */
export function localMidnight(tz: string, dayStartUtc: number): number {
  return dayStartUtc - tzOffsetMinutes(tz, dayStartUtc) * MINUTE_MS;
}

/** Day of week (0 = Sunday) of a UTC day start. */
export function weekdayUtc(dayStartUtc: number): number {
  return new Date(dayStartUtc).getUTCDay();
}

/** True on Saturday and Sunday. */
export function isWeekend(dayStartUtc: number): boolean {
  const d = weekdayUtc(dayStartUtc);
  return d === 0 || d === 6;
}

/** Local hour of day (fractional) of `t` in a time zone. */
export function localHour(tz: string, t: number): number {
  const local = t + tzOffsetMinutes(tz, t) * MINUTE_MS;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}
