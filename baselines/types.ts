/**
 * The read-only view of one entity's behavioural baseline that detectors receive. Entities are a
 * token (`token.id`), an OAuth app / client across its tokens (`app:<module>:<client id>`) and an
 * owner across their tokens (`owner:<module>:<user>`). All times are epoch **milliseconds of event
 * time** (never wall clock), so a replay gives the same results.
 */

import type { GeoPrecision, NetworkClass } from '../schemas/token-activity.js';

/** The categorical dimensions a baseline keeps first/last-seen sets for. */
export const DIMENSIONS = [
  /** /24 IPv4 or /64 IPv6 prefix of `source.ip`. */
  'ip_prefix',
  /** `source.geo.country_iso_code`. */
  'country',
  /** `user_agent.name`: the family without version (`git/2.43` and `git/2.44` are both `git`). */
  'ua_family',
  /** `event.action`. */
  'action',
  /** `tokenwatch.resource.type + ':' + name` (repos, sObjects, files, mailboxes). */
  'resource',
  /** `token.client.id`. */
  'client',
  /** `tokenwatch.api_type`. */
  'api_type',
  /** Each entry of `token.scopes`. */
  'scope',
  /**
   * `source.as.number` (as text): the autonomous system, so a phone's carrier is one known
   * network however its CGNAT pool addresses move across prefixes. Last, so saved states keep
   * their dimension prefixes.
   */
  'asn',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type EntityKind = 'token' | 'app' | 'owner';
export type Maturity = 'learning' | 'mature';

/** How often and when a value was seen. */
export interface SeenStat {
  count: number;
  /** epoch ms */
  firstSeen: number;
  /** epoch ms */
  lastSeen: number;
}

/** Robust summary of a per-hour series (only hours with at least one event count). */
export interface RobustStats {
  /** number of hourly samples */
  n: number;
  median: number;
  /** median absolute deviation */
  mad: number;
  p99: number;
  max: number;
}

export type VolumeMetric = 'rows' | 'bytes' | 'items';

/** The last located use of the entity (for impossible travel). */
export interface LastLocation {
  lat: number;
  lon: number;
  country?: string;
  city?: string;
  ip: string;
  /** epoch ms */
  at: number;
  /** true when the address is cloud egress, whose geolocation says nothing about a person */
  cloud: boolean;
  /** `tokenwatch.network.geo_precision` of the use (absent: judged from the answer's shape) */
  precision?: GeoPrecision;
  /** `tokenwatch.network.geo_accuracy_km`: uncertainty radius around lat/lon, km */
  accuracyKm?: number;
  /** `tokenwatch.network.class` of the address */
  netClass?: NetworkClass;
}

/** Counters of the entity's current (incomplete) event-time hour and recent window. */
export interface CurrentWindow {
  /** epoch ms of the start of the current UTC hour bucket */
  hourStart: number;
  events: number;
  rows: number;
  bytes: number;
  items: number;
  /** event times (ms) of first-seen resources within the recent window (default 1 h), oldest first */
  newResourceTimes: number[];
  /** event times (ms) of first-seen actions within the recent window */
  newActionTimes: number[];
}

/** Read-only baseline of one entity, as of just before the activity being evaluated. */
export interface BaselineView {
  readonly entity: string;
  readonly kind: EntityKind;
  /** epoch ms of the first and latest event folded in; 0 when empty */
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly eventCount: number;
  /** (lastSeen - firstSeen) in days */
  readonly historyDays: number;
  readonly maturity: Maturity;
  /** First/last-seen stats of a value, or undefined if never seen (or evicted by the cap). */
  seen(dim: Dimension, value: string): SeenStat | undefined;
  /** Number of distinct values kept for the dimension. */
  distinct(dim: Dimension): number;
  /** Values of a dimension, most frequent first, at most `limit`. */
  top(dim: Dimension, limit: number): string[];
  /**
   * Values evicted from the dimension's capped set so far (0 while the entity has at most the
   * cap's number of distinct values). When > 0, a "never seen" value may have been seen and
   * forgotten. Optional so hand-built test views need not implement it; the store's views do.
   */
  evicted?(dim: Dimension): number;
  /** Events per active hour, over completed hours. */
  readonly hourlyEvents: RobustStats;
  /** Volume per active hour for a metric, over completed hours. */
  hourlyVolume(metric: VolumeMetric): RobustStats;
  /** Share (0..1) of historical events in this UTC hour of week (0 = Monday 00:00 UTC .. 167). */
  hourOfWeekShare(hourOfWeek: number): number;
  /** Share (0..1) of historical events in this UTC hour of day (0..23). */
  hourOfDayShare(hour: number): number;
  /**
   * Distinct UTC hours (hour buckets with at least one event) the entity was active in. Optional
   * so hand-built test views need not implement it; the store's views do.
   */
  readonly activeHours?: number;
  /**
   * Share (0..1) of {@link activeHours} that fell on this UTC hour of day (0..23): when the entity
   * is active, whatever its volume then (a weekly sweep of 240 clones counts one hour).
   */
  activeHourOfDayShare?(hour: number): number;
  /** 99th percentile and max of gaps between consecutive uses, in ms (0 when fewer than 2 uses). */
  readonly gapP99: number;
  readonly gapMax: number;
  readonly lastLocation: LastLocation | undefined;
  readonly current: CurrentWindow;
  /** Union of scopes ever held. */
  readonly scopes: readonly string[];
  /** epoch ms of the revocation/expiry event, if one was seen and no later re-authorization. */
  readonly revokedAt: number | undefined;
  /** epoch ms and context of the creation/authorization event, if seen. */
  readonly created: { at: number; ip?: string; country?: string; ipPrefix?: string } | undefined;
}

/**
 * Organization-wide state that belongs to no single entity (baselines/org-baseline.ts), as of
 * just before the activity being evaluated.
 */
export interface OrgView {
  /**
   * People (owner entities of human tokens) other than `except` who used the IP prefix
   * successfully within the last 30 days before `atMs`: corporate egress (office, VPN, SDP) when
   * several do.
   */
  sharedPrefixPrincipals(prefix: string, atMs: number, except?: string): number;
  /**
   * The largest {@link sharedPrefixPrincipals} over the prefixes the organization used in the
   * provider block (/16, IPv6 /32) of `prefix`: another node of a corporate VPN/SDP provider.
   */
  sharedBlockPrincipals(prefix: string, atMs: number, except?: string): number;
  /**
   * People (owner entities of human tokens) other than `except` who used the enterprise security
   * gateway `gateway` (org-baseline.ts `gatewayOf`: the operator, `zscaler`, else `AS<n>`)
   * successfully within the last 30 days before `atMs`: the organization's SDP / secure web
   * gateway egress when several do, whichever node they use.
   */
  sharedGatewayPrincipals(gateway: string, atMs: number, except?: string): number;
}
