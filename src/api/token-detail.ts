import type { EntityBaseline } from '../../baselines/entity-baseline.js';
import type { RecentEvent } from '../inventory/ledger.js';
import type { BaselineSummary, RecentActivity } from './types.js';

const round = (n: number, d = 4): number => Math.round(n * 10 ** d) / 10 ** d;

/** Summary of a token's behavioural baseline: maturity, hour-of-week profile, known networks, countries, clients. */
export function baselineSummary(e: EntityBaseline): BaselineSummary {
  const stats = e.hourlyEvents;
  return {
    maturity: e.maturity,
    events: e.eventCount,
    history_days: round(e.historyDays, 2),
    hour_of_week: Array.from({ length: 168 }, (_, h) => round(e.hourOfWeekShare(h))),
    networks: e.top('ip_prefix', 20),
    countries: e.top('country', 20),
    user_agents: e.top('ua_family', 10),
    hourly_events_median: round(stats.median, 2),
    hourly_events_p99: round(stats.p99, 2),
  };
}

/** The ledger's compact recent events as API objects, newest first. */
export function recentActivity(recent: readonly RecentEvent[]): RecentActivity[] {
  return [...recent].reverse().map(([t, action, outcome, ip, country, ua, resource]) => ({
    timestamp: new Date(t).toISOString(),
    action,
    outcome,
    ...(ip ? { ip } : {}),
    ...(country ? { country } : {}),
    ...(ua ? { user_agent: ua } : {}),
    ...(resource ? { resource } : {}),
  }));
}
