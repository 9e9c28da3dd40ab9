/**
 * Sorted event times (ms) of recent first sightings, kept while within `windowMs` of the entity's
 * latest event time and at most `cap` of them (the oldest go first). Backs
 * `CurrentWindow.newResourceTimes` / `newActionTimes`. The array is exposed read-only to views.
 *
 * Order of events: every entry is the firstSeen of a value, so a late event that moves a value's
 * firstSeen earlier replaces its entry ({@link replace}); the content is then order-independent
 * as long as the dimension's set has not evicted and the cap was not hit.
 */
export class RecentTimes {
  readonly times: number[] = [];

  /** Inserts `t` in order if it is within `windowMs` of `latest`. */
  insert(t: number, latest: number, windowMs: number, cap: number): void {
    if (t < latest - windowMs) return;
    const a = this.times;
    let i = a.length;
    while (i > 0 && a[i - 1]! > t) i--;
    a.splice(i, 0, t);
    while (a.length > cap) a.shift();
  }

  /** Replaces one entry equal to `old` (if kept) by `t` (if within the window). */
  replace(old: number, t: number, latest: number, windowMs: number, cap: number): void {
    const i = this.times.indexOf(old);
    if (i >= 0) this.times.splice(i, 1);
    this.insert(t, latest, windowMs, cap);
  }

  /** Drops entries older than `latest - windowMs`. */
  prune(latest: number, windowMs: number): void {
    const a = this.times;
    const min = latest - windowMs;
    let k = 0;
    while (k < a.length && a[k]! < min) k++;
    if (k > 0) a.splice(0, k);
  }
}
