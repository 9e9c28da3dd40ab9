import { type BaselineView, DIMENSIONS, type Dimension, type RobustStats, type SeenStat } from './types.js';

/** A plain, deep-copied snapshot of a {@link BaselineView} (for tests, debugging and comparisons). */
export interface ViewSnapshot {
  entity: string;
  kind: string;
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
  historyDays: number;
  maturity: string;
  /** per dimension: value -> stats, keys sorted */
  seen: Record<Dimension, Record<string, SeenStat>>;
  hourlyEvents: RobustStats;
  hourlyVolume: { rows: RobustStats; bytes: RobustStats; items: RobustStats };
  /** 168 shares */
  hourOfWeek: number[];
  gapP99: number;
  gapMax: number;
  lastLocation: BaselineView['lastLocation'];
  current: BaselineView['current'];
  /** sorted */
  scopes: string[];
  revokedAt: number | undefined;
  created: BaselineView['created'];
}

/**
 * Copies everything a view exposes into plain data. Views are live (they change when the store
 * folds in more activity); a snapshot does not. Scopes are sorted and set values keyed in sorted
 * order, so two views with the same content give `toEqual` snapshots whatever the arrival order.
 */
export const snapshotView = (v: BaselineView): ViewSnapshot => {
  const seen = {} as Record<Dimension, Record<string, SeenStat>>;
  for (const dim of DIMENSIONS) {
    const values = v.top(dim, Number.POSITIVE_INFINITY).sort();
    const m: Record<string, SeenStat> = {};
    for (const value of values) m[value] = { ...v.seen(dim, value)! };
    seen[dim] = m;
  }
  return {
    entity: v.entity,
    kind: v.kind,
    firstSeen: v.firstSeen,
    lastSeen: v.lastSeen,
    eventCount: v.eventCount,
    historyDays: v.historyDays,
    maturity: v.maturity,
    seen,
    hourlyEvents: { ...v.hourlyEvents },
    hourlyVolume: {
      rows: { ...v.hourlyVolume('rows') },
      bytes: { ...v.hourlyVolume('bytes') },
      items: { ...v.hourlyVolume('items') },
    },
    hourOfWeek: Array.from({ length: 168 }, (_, h) => v.hourOfWeekShare(h)),
    gapP99: v.gapP99,
    gapMax: v.gapMax,
    lastLocation: v.lastLocation === undefined ? undefined : { ...v.lastLocation },
    current: {
      ...v.current,
      newResourceTimes: [...v.current.newResourceTimes],
      newActionTimes: [...v.current.newActionTimes],
    },
    scopes: [...v.scopes].sort(),
    revokedAt: v.revokedAt,
    created: v.created === undefined ? undefined : { ...v.created },
  };
};
