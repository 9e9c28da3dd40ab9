const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;
const U32_MAX = 4_294_967_295;

/**
 * UTC hour of week of an epoch-ms time: 0 = Monday 00:00-00:59 UTC .. 167 = Sunday 23:00 UTC.
 * (1970-01-01 was a Thursday, hour-of-week 72.)
 */
export const hourOfWeek = (ms: number): number => {
  const h = Math.floor(ms / HOUR_MS) + 72;
  return ((h % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
};

/**
 * Event counts per UTC hour of week (168 x uint32: 672 bytes plus ~200 of typed-array overhead,
 * half of a plain array's 8-byte slots; counters saturate at 2^32 - 1). Hour of day is derived
 * by summing the 7 days. Event order does not matter.
 */
export class HourOfWeekProfile {
  readonly counts = new Uint32Array(WEEK_HOURS);
  private total = 0;

  add(how: number): void {
    const c = this.counts[how]!;
    if (c < U32_MAX) {
      this.counts[how] = c + 1;
      this.total++;
    }
  }

  /** Share (0..1) of events in hour of week `how` (0..167); 0 when empty or out of range. */
  weekShare(how: number): number {
    if (this.total === 0 || !Number.isInteger(how) || how < 0 || how >= WEEK_HOURS) return 0;
    return this.counts[how]! / this.total;
  }

  /** Share (0..1) of events in UTC hour of day `hour` (0..23). */
  dayShare(hour: number): number {
    if (this.total === 0 || !Number.isInteger(hour) || hour < 0 || hour >= 24) return 0;
    let s = 0;
    for (let d = 0; d < 7; d++) s += this.counts[d * 24 + hour]!;
    return s / this.total;
  }

  /**
   * Serialized form: the 168 counters in order, each run of k >= 1 zero counters written as `-k`
   * (a working-hours profile has long zero runs: ~100 bytes instead of ~300).
   */
  toJSON(): number[] {
    const out: number[] = [];
    let zeros = 0;
    for (let i = 0; i < WEEK_HOURS; i++) {
      const c = this.counts[i]!;
      if (c === 0) {
        zeros++;
        continue;
      }
      if (zeros > 0) out.push(-zeros);
      zeros = 0;
      out.push(c);
    }
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(encoded: readonly number[]): HourOfWeekProfile {
    const p = new HourOfWeekProfile();
    let i = 0;
    for (const c of encoded) {
      if (c < 0) {
        i -= c;
        continue;
      }
      if (i >= WEEK_HOURS) break;
      p.counts[i] = c;
      p.total += c;
      i++;
    }
    return p;
  }
}

/**
 * Active hours per UTC hour of day: how many distinct UTC hours (hour buckets with at least one
 * event) fell on each hour of day (24 x uint32, ~150 bytes). Unlike {@link HourOfWeekProfile} it
 * does not weigh an hour by its events: a weekly sweep of 240 clones in one hour counts once, like
 * a single webhook-driven call, so a machine that runs at many hours is not mistaken for one on a
 * schedule because one of its jobs is large.
 */
export class ActiveHourProfile {
  readonly counts = new Uint32Array(24);
  private n = 0;

  /** Counts one more active hour at UTC hour of day `hour` (0..23). */
  add(hour: number): void {
    const c = this.counts[hour]!;
    if (c < U32_MAX) {
      this.counts[hour] = c + 1;
      this.n++;
    }
  }

  /** Active hours counted in all. */
  get total(): number {
    return this.n;
  }

  /** Share (0..1) of the active hours that fell on UTC hour of day `hour`; 0 when empty or out of range. */
  dayShare(hour: number): number {
    if (this.n === 0 || !Number.isInteger(hour) || hour < 0 || hour >= 24) return 0;
    return this.counts[hour]! / this.n;
  }

  /** Serialized form: the 24 counters, each run of k >= 1 zeros written as `-k`; empty when nothing was counted. */
  toJSON(): number[] {
    if (this.n === 0) return [];
    const out: number[] = [];
    let zeros = 0;
    for (let i = 0; i < 24; i++) {
      const c = this.counts[i]!;
      if (c === 0) {
        zeros++;
        continue;
      }
      if (zeros > 0) out.push(-zeros);
      zeros = 0;
      out.push(c);
    }
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(encoded: readonly number[] | undefined): ActiveHourProfile {
    const p = new ActiveHourProfile();
    let i = 0;
    for (const c of encoded ?? []) {
      if (c < 0) {
        i -= c;
        continue;
      }
      if (i >= 24) break;
      p.counts[i] = c;
      p.n += c;
      i++;
    }
    return p;
  }
}
