import { describe, expect, it } from 'vitest';
import { EntityBaseline } from './entity-baseline.js';
import { entityStateSchema } from './entity-state.js';
import { ActiveHourProfile } from './hour-of-week.js';
import { activityFixture, FIXTURE_TIME_MS, trainStore } from './testing.js';

const HOUR = 3_600_000;
const MIN = 60_000;
/** Midnight UTC of the fixture day. */
const DAY0 = Math.floor(FIXTURE_TIME_MS / (24 * HOUR)) * 24 * HOUR;

describe('ActiveHourProfile', () => {
  it('counts hours, not events, and round-trips through its zero-run encoding', () => {
    const p = new ActiveHourProfile();
    for (const h of [3, 3, 3, 4, 22]) p.add(h);
    expect(p.total).toBe(5);
    expect(p.dayShare(3)).toBeCloseTo(0.6);
    expect(p.dayShare(5)).toBe(0);
    expect(p.toJSON()).toEqual([-3, 3, 1, -17, 1]);
    const copy = ActiveHourProfile.fromJSON(p.toJSON());
    expect(copy.total).toBe(5);
    expect(copy.dayShare(22)).toBeCloseTo(0.2);
    expect(new ActiveHourProfile().toJSON()).toEqual([]);
    expect(ActiveHourProfile.fromJSON(undefined).total).toBe(0);
  });
});

describe('EntityBaseline active hours', () => {
  const use = (at: number, i: number) => activityFixture({ at, event: { id: `e${i}` } });

  it('counts each UTC hour with activity once, whatever its events, late events included while kept', () => {
    const times = [
      // a burst of 100 events at 03 UTC: one active hour
      ...Array.from({ length: 100 }, (_, k) => DAY0 + 3 * HOUR + k * 30_000),
      DAY0 + 5 * HOUR + 10 * MIN,
      DAY0 + 5 * HOUR + 50 * MIN,
      DAY0 + 24 * HOUR + 5 * HOUR,
      // late, but inside the kept 48 h: its hour (04) was not active yet, so it counts
      DAY0 + 4 * HOUR + 5 * MIN,
      // late into an hour already counted (03): not again
      DAY0 + 3 * HOUR + 59 * MIN,
    ];
    const store = trainStore(times.map(use));
    const token = store.get('token', use(DAY0, 0).token.id) as EntityBaseline;
    expect(token.eventCount).toBe(105);
    expect(token.activeHours).toBe(4);
    expect(token.activeHourOfDayShare(3)).toBeCloseTo(0.25);
    expect(token.activeHourOfDayShare(5)).toBeCloseTo(0.5);
    expect(token.hourOfDayShare(3)).toBeGreaterThan(0.9);
    // saved and restored (state saved before active hours existed has no `ah`: an empty profile)
    const state = entityStateSchema.parse(JSON.parse(JSON.stringify(token.toJSON())));
    expect(state.ah).toEqual([-3, 1, 1, 2]);
    const config = { learningDays: 7, learningEvents: 30, setCap: 32 } as never;
    expect(EntityBaseline.fromJSON(state, config).activeHours).toBe(4);
    const { ah: _drop, ...old } = state;
    expect(EntityBaseline.fromJSON(entityStateSchema.parse(old), config).activeHours).toBe(0);
  });
});
