import { z } from 'zod';
import type { FirstSeenReader } from '../../baselines/keyed-state.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import { DAY_MS, eventTimeMs, fmtDuration, fmtList, fmtNumber, tokenLabel } from '../explain.js';
import { isEndOfLife, isFailure, knownNetwork } from '../lookup.js';
import { firstSeenSet } from '../state.js';
import { SCRIPTING_UA } from '../token-client-new-ua-family/detector.js';
import type { Finding } from '../types.js';

/**
 * A network counts as its OAuth app's own (the app's servers acting for its users) only after the
 * app's tokens used it for this long: the first victims' replays teach the app baseline the
 * attacker's prefix too, and must not make it the app's.
 */
const APP_SERVER_MIN_AGE_MS = 7 * DAY_MS;

/** History of an address that its base rate of newcomers is computed over. */
const BASE_RATE_MS = 30 * DAY_MS;

/**
 * `network.source_many_owners`: one source address suddenly carries the credentials of many
 * people who never used it before ("one IP, many tokens": stolen tokens of several victims
 * replayed from the attacker's machine, S3; an infostealer operator working through a batch of
 * sessions). The unit is the *newcomer*: a person (per source, by email else login) whose
 * credentials are used from the address for the first time. An office NAT or a known egress
 * carries many people every day but few newcomers, so the base rate compares the newcomers of the
 * last `windowMs` with the address's own newcomers per window over its previous 30 days: an
 * address never becomes "corporate" because the first victims were seen on it (the failure of
 * the org-egress heuristic when victims pile up; issue 10), only a long history of many people
 * raises its bar.
 *
 * Silent: configured corporate egress (class `corporate`) and private addresses; a mobile
 * carrier's address (class `mobile`: carrier-grade NAT puts hundreds of unrelated subscribers on
 * one public address at once, so colleagues' phones in one hall share it); VPN / SDP
 * egress (class `vpn`, a rollout moves everyone onto it in a day: N3) unless the client is a
 * scripting / HTTP library; machine credentials (CI runners share cloud addresses); a grant used
 * from a network its OAuth app's servers have used for a week (the app acting for its users), or from
 * cloud/hosting egress when the app itself is still learning (a new app's servers); the crossing
 * use when the address is a known network of that person; failed attempts.
 *
 * ASN level (issue 10 item 5, "one source address (or ASN)"): an attacker spreading victims over
 * the addresses of one rented-machine operator (a VPS provider's pool, cloud instances) is counted
 * per autonomous system too, with the same newcomer rule and the ASN's own base rate, for
 * `hosting` and `cloud` classes only: residential and mobile ASNs are shared by millions of
 * unrelated people (a carrier's CGNAT, a cable ISP), so colleagues at home on one ISP never count
 * as one source. It fires only when the address alone does not reach its own bar (a one-address
 * replay is one alert, on the address), once, on the crossing use; finding on `source_as:AS<n>`.
 *
 * A fresh address of a cloud / hosting AS is no stranger's machine for people who have used that
 * AS since before the window (their CI runner pool, cloud desktops: new instances every day): they
 * count as newcomers at neither level.
 *
 * Known gaps: a team offsite on a hotel network (three colleagues new to one address within
 * hours); a team moving onto a cloud dev environment (Codespaces, cloud workstations) on one
 * morning (several people new to one cloud ASN); a replay from the cloud or hosting AS the victims
 * already use; stolen machine credentials.
 */
export const networkSourceManyOwners = defineDetector({
  id: 'network.source_many_owners',
  name: "One source address (or hosting ASN) suddenly using many people's credentials",
  description:
    "A source address, or the addresses of one hosting / cloud ASN, carried the credentials of several people who never used it before, within a short window and far above its own history (stolen tokens of many owners replayed from the attacker's machines).",
  summary:
    "At least `minOwners` people (per source, by email else login), and `baseRateMultiple` x the address's usual newcomers per window over its previous 30 days, use credentials from one address for the first time within `windowMs` (S3; issue 10's one-IP-many-tokens replay). Fires once, on the crossing use, after `learningDays` of org history; finding on the address (`source:<ip>`); high at twice the bar or from Tor. ASN level (`asnLevel`): the same rule per autonomous system for `hosting` / `cloud` ASNs only (never residential or mobile carriers, shared by millions), when the address alone stays under its bar (victims spread over a VPS pool); finding on `source_as:AS<n>`. Victims never make the address look corporate: only past newcomers raise its bar. Silent: class `corporate`/`private`; class `mobile` (carrier-grade NAT: colleagues' phones in one hall share an address); class `vpn` (SDP rollout, N3) unless the client is a scripting library; machine credentials; a grant from a network its OAuth app's tokens have used for 7+ days (its servers) (or cloud egress of a learning app); the crossing use from the person's own known network; people who used the address's cloud / hosting AS before the window (a CI runner pool's fresh instances); failures. Newcomers live in declared state (first-seen set per address, 30 days).",
  knownGaps:
    'Victims spread over residential / mobile addresses (the ASN level covers hosting and cloud ASNs only); a replay through a mobile proxy (carrier addresses never count); a replay from the cloud / hosting AS the victims already use (their CI provider); a team offsite on one hotel network; stolen machine credentials; consumer VPN exits with browser clients.',
  version: 3,
  severity: 'medium',
  riskScore: 65,
  category: 'authentication',
  mitre: ['TA0005:T1550.001', 'TA0001:T1078.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'source.ip',
    'source.as.number',
    'source.as.organization.name',
    'source.geo.country_iso_code',
    'tokenwatch.network.class',
    'tokenwatch.network.ip_prefix',
    'token.owner.email',
    'token.owner.name',
    'token.principal',
    'token.client.id',
    'user_agent.name',
    'event.outcome',
  ],
  falsePositives: [
    'A team offsite or conference network (several colleagues new to one hotel address within hours)',
    'A new office or VPN egress not yet configured in `corporateCidrs`',
    'A team moving onto a cloud development environment (Codespaces, cloud workstations) the same morning: several people new to one cloud ASN (once they use it, its fresh addresses are familiar)',
  ],
  runbook: [
    'List the credentials used from the address in the window (the alert names the people); check whether each person was working from elsewhere at the same time.',
    'Look up the address (ASN, hosting/VPN provider, reputation); an office or event network: add it to `corporateCidrs`.',
    'Otherwise treat every listed credential as stolen: revoke them, force re-authentication of the people, and look for the common source (a breached app vendor, an infostealer, a shared CI secret).',
  ],
  groupWindowMs: 24 * 3_600_000,
  settings: z.object({
    windowMs: z
      .number()
      .int()
      .min(600_000)
      .max(DAY_MS)
      .default(6 * 3_600_000)
      .describe('Window in which newcomers to an address are counted, ms'),
    minOwners: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(3)
      .describe('People new to the address within the window that make a fan-out'),
    baseRateMultiple: z
      .number()
      .min(1)
      .max(1000)
      .default(5)
      .describe("And this multiple of the address's usual newcomers per window (previous 30 days)"),
    asnLevel: z
      .boolean()
      .default(true)
      .describe(
        "Also count newcomers per autonomous system for hosting / cloud ASNs (victims spread over one operator's addresses)",
      ),
    learningDays: z
      .number()
      .min(0)
      .max(90)
      .default(7)
      .describe('Days of org history before newcomers count (on a fresh state everyone is new everywhere)'),
  }),
  state: {
    /** people (`<source>|<email or login>`) per source address: first and last use */
    owners: firstSeenSet({ key: 'source_ip', cap: 1024, maxKeys: 65_536, ttlMs: BASE_RATE_MS }),
    /** the same per autonomous system, for hosting / cloud ASNs only (`AS<number>`) */
    asOwners: firstSeenSet({ key: 'source_as', cap: 4096, maxKeys: 16_384, ttlMs: BASE_RATE_MS }),
    /** when the organization's history starts (value `history`) */
    history: firstSeenSet({ key: 'org', cap: 1, maxKeys: 1, ttlMs: 400 * DAY_MS }),
  },

  observe(activity, { state }) {
    state.history.add('history', eventTimeMs(activity));
    const who = personOf(activity);
    if (who === undefined) return;
    state.owners.add(who, eventTimeMs(activity));
    if (asnLevelClass(activity.tokenwatch.network?.class)) state.asOwners.add(who, eventTimeMs(activity));
  },

  evaluate(activity, ctx, { settings, state }) {
    const who = personOf(activity);
    const ip = activity.source?.ip;
    if (who === undefined || ip === undefined) return [];
    const net = activity.tokenwatch.network;
    const ua = activity.user_agent?.name ?? '';
    if (net?.class === 'corporate' || net?.class === 'private' || net?.class === 'mobile') return [];
    if (net?.class === 'vpn' && !SCRIPTING_UA.test(ua)) return [];
    const atMs = eventTimeMs(activity);
    const orgSince = state.history.get('history')?.first;
    if (orgSince === undefined || atMs - orgSince < settings.learningDays * DAY_MS) return [];
    // The person used this very address before the window: not a newcomer at either level (the
    // cheapest test first; every test here only silences).
    const since = atMs - settings.windowMs;
    const usedBefore = state.owners.get(who);
    if (usedBefore !== undefined && usedBefore.first < since) return [];
    const prefix = net?.ip_prefix;
    if (knownNetwork(ctx, prefix, atMs, atMs)) return [];
    if (activity.token.client?.id !== undefined && ctx.app !== undefined) {
      const served = prefix === undefined ? undefined : ctx.app.seen('ip_prefix', prefix);
      if (served !== undefined && served.firstSeen <= atMs - APP_SERVER_MIN_AGE_MS) return [];
      if (ctx.app.maturity !== 'mature' && (net?.class === 'cloud' || net?.class === 'hosting')) return [];
    }

    const source = `${activity.event.module}|`;
    // A rented-machine operator's address (cloud / hosting): people who have used the operator's
    // AS since before the window are not strangers to a fresh address of it (a CI runner pool or
    // cloud desktops handing out new instances every day), at either level.
    const usesTheAs = (p: string): boolean => {
      if (!asnLevelClass(net?.class) || activity.source?.as?.number === undefined) return false;
      const k = state.asOwners.get(p);
      return k !== undefined && k.first < since;
    };
    if (usesTheAs(who)) return [];
    const address = fanOut(state.owners, who, source, atMs, settings, usesTheAs);
    // The person used this very address before the window: neither level counts them.
    if (address === undefined) return [];
    const as = activity.source?.as;
    const where = [
      as?.number !== undefined
        ? `AS${as.number}${as.organization?.name ? ` ${as.organization.name}` : ''}`
        : undefined,
      net?.class,
      activity.source?.geo?.country_iso_code,
    ].filter((x): x is string => x !== undefined);
    const latest = `${tokenLabel(activity)}${ua ? ` by ${ua}` : ''}`;
    if (address.crossed) {
      return [
        finding(address, {
          entity: `source:${ip}`,
          subject: `Address ${ip}${where.length > 0 ? ` (${where.join(', ')})` : ''}`,
          unit: 'address',
          feature: 'new_owners_per_source_address',
          module: activity.event.module,
          latest,
          windowMs: settings.windowMs,
          minOwners: settings.minOwners,
          baseRateMultiple: settings.baseRateMultiple,
          tor: net?.class === 'tor',
        }),
      ];
    }
    // ASN level: victims spread over the addresses of one hosting / cloud operator. Only when the
    // address alone does not explain the fan-out (no second alert for a one-address replay).
    if (!settings.asnLevel || as?.number === undefined || !asnLevelClass(net?.class)) return [];
    if (address.after >= address.threshold) return [];
    const asn = fanOut(state.asOwners, who, source, atMs, settings);
    if (asn === undefined || !asn.crossed) return [];
    return [
      finding(asn, {
        entity: `source_as:AS${as.number}`,
        subject: `Autonomous system AS${as.number}${as.organization?.name ? ` ${as.organization.name}` : ''} (${[net?.class, activity.source?.geo?.country_iso_code].filter((x) => x !== undefined).join(', ')}; latest from ${ip})`,
        unit: 'network (ASN)',
        feature: 'new_owners_per_source_asn',
        module: activity.event.module,
        latest,
        windowMs: settings.windowMs,
        minOwners: settings.minOwners,
        baseRateMultiple: settings.baseRateMultiple,
        tor: false,
      }),
    ];
  },
});

/** Classes whose ASN is one operator's rentable machines: a pool an attacker spreads victims over. */
function asnLevelClass(cls: string | undefined): boolean {
  return cls === 'hosting' || cls === 'cloud';
}

/** Newcomers to one source (an address or an ASN) as of a use. */
interface FanOut {
  /** this use takes the newcomers from below the bar to it */
  crossed: boolean;
  /** newcomers within the window, this person included */
  after: number;
  threshold: number;
  /** newcomers per window over the previous 30 days */
  baseRate: number;
  /** people new to the source before the window (30 days) */
  earlier: number;
  /** the newcomers' identities (without the source prefix) */
  people: string[];
  /** first use of the source by anyone kept, ms */
  firstOnSource: number;
  /** the use's event time, ms */
  atMs: number;
}

/**
 * The newcomers to the source a first-seen table is keyed by (people of `source`, the log
 * source, as `<source>|<who>`), as of this use of `who`, leaving out people `familiar` says are
 * no strangers to it; undefined when `who` used the source before the window (not a newcomer).
 */
function fanOut(
  table: FirstSeenReader,
  who: string,
  source: string,
  atMs: number,
  settings: { windowMs: number; minOwners: number; baseRateMultiple: number },
  familiar: (p: string) => boolean = () => false,
): FanOut | undefined {
  const since = atMs - settings.windowMs;
  const known = table.get(who);
  if (known !== undefined && known.first < since) return undefined;
  // One pass over the source's people of the last 30 days (no copy, no sort): the newcomers'
  // names are listed, in first-use order, only for a crossing.
  const from = atMs - BASE_RATE_MS;
  let before = 0;
  let earlier = 0;
  let whoIsNew = false;
  let firstOnSource = atMs;
  for (const [p, s] of table.seenValues()) {
    if (s.first < from || !p.startsWith(source)) continue;
    if (s.first < firstOnSource) firstOnSource = s.first;
    if (s.first < since) earlier++;
    else if (s.first <= atMs && !familiar(p)) {
      before++;
      if (p === who) whoIsNew = true;
    }
  }
  const after = whoIsNew ? before : before + 1;
  const baseRate = earlier / (BASE_RATE_MS / settings.windowMs);
  const threshold = Math.max(settings.minOwners, Math.ceil(settings.baseRateMultiple * baseRate));
  const crossed = before < threshold && after >= threshold;
  return {
    crossed,
    after,
    threshold,
    baseRate,
    earlier,
    people: crossed ? newcomersOf(table, who, source, from, since, atMs, familiar) : [],
    firstOnSource,
    atMs,
  };
}

/**
 * The newcomers' identities (without the source prefix) in first-use order (ties: the table's
 * order), `who` last when not among them.
 */
function newcomersOf(
  table: FirstSeenReader,
  who: string,
  source: string,
  from: number,
  since: number,
  atMs: number,
  familiar: (p: string) => boolean,
): string[] {
  const newcomers = table
    .firstSeenSince(from)
    .filter(([p, s]) => p.startsWith(source) && s.first >= since && s.first <= atMs && !familiar(p))
    .map(([p]) => p);
  if (!newcomers.includes(who)) newcomers.push(who);
  return newcomers.map((p) => p.slice(source.length));
}

/** The finding for a fan-out that crossed its bar (high at twice the bar, or from Tor). */
function finding(
  f: FanOut,
  o: {
    entity: string;
    subject: string;
    unit: string;
    feature: string;
    module: string;
    latest: string;
    windowMs: number;
    minOwners: number;
    baseRateMultiple: number;
    tor: boolean;
  },
): Omit<Finding, 'detectorId'> {
  const high = f.after >= 2 * f.threshold || o.tor;
  return {
    entity: o.entity,
    reason:
      `${o.subject} used the ${o.module} credentials of ` +
      `${fmtNumber(f.after, 0)} people new to it within ${fmtDuration(o.windowMs)} (${fmtList(f.people, 5)}; latest ` +
      `${o.latest}); expected fewer than ${f.threshold}: the ${o.unit} brought ` +
      `${fmtNumber(f.baseRate, 2)} new people per ${fmtDuration(o.windowMs)} over its previous 30 days ` +
      `(${fmtNumber(f.earlier, 0)} people before this window).`,
    explanation: {
      feature: o.feature,
      observed: f.after,
      expected: `fewer than ${f.threshold} (max of ${o.minOwners} and ${o.baseRateMultiple}x the ${o.unit}'s base rate ${fmtNumber(f.baseRate, 2)})`,
      window: fmtDuration(o.windowMs),
      baseline_entity: 'none',
      history_days: Math.round((f.atMs - f.firstOnSource) / DAY_MS),
      history_events: f.earlier,
      maturity: f.earlier > 0 ? 'mature' : 'learning',
    },
    ...(high ? { severity: 'high' as const, riskScore: 78 } : {}),
  };
}

/**
 * `<source>|<email or login>` of the person behind a successful use of a human credential from an
 * address, else undefined (failures, ends of life, machine credentials, no address).
 */
function personOf(activity: TokenActivity): string | undefined {
  if (isFailure(activity) || isEndOfLife(activity) || activity.token.principal !== 'human') return undefined;
  if (activity.source?.ip === undefined) return undefined;
  const owner = activity.token.owner;
  const who = owner.email ?? owner.name;
  return who === undefined || who === '' ? undefined : `${activity.event.module}|${who.toLowerCase()}`;
}
