import type { BaselineView } from '../../baselines/types.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { FindingDraft } from '../define-detector.js';
import { defineDetector } from '../define-detector.js';
import {
  baselineName,
  countOf,
  DAY_MS,
  eventTimeMs,
  fmtTop,
  historySpan,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import {
  cloudProvider,
  familiarViews,
  isEndOfLife,
  isFailure,
  isOrgEgressBlock,
  isOrgGateway,
  knownCarrier,
  knowsProviderBlock,
  newCountryOf,
  ORG_EGRESS_MIN_PEOPLE,
  orgPeopleOn,
  personDriven,
  seenByAny,
} from '../lookup.js';
import { hostingLabel, isDataCentre, isRentedHosting } from '../network-stance.js';
import type { ReferenceBaseline } from '../types.js';

/** A baseline with at least this many distinct prefixes is a roaming person or a runner pool. */
export const ROAMING_MIN_PREFIXES = 8;
/** A country first used this recently (and not the baseline's main one) is a trip in progress. */
export const TRIP_DAYS = 30;

/**
 * A first use from a Tor exit: suspicious whatever the baseline (roaming, shared egress, trips do
 * not explain it: Tor is how a stolen credential hides its origin), medium, high with a new client.
 */
function torFinding(
  activity: TokenActivity,
  prefix: string,
  ref: ReferenceBaseline,
  newUa: boolean,
  ua: string | undefined,
): FindingDraft {
  const view = ref.view;
  let reason =
    `${tokenLabel(activity)} was used from a Tor exit (${activity.source?.ip ?? prefix}) for the first time; ` +
    `${historySpan(view)} it used ${countOf(view.distinct('ip_prefix'), 'network')} (${fmtTop(view, 'ip_prefix')}).`;
  if (newUa) reason += ` It also came with a new client family (${ua}).`;
  return {
    reason,
    explanation: {
      feature: 'tokenwatch.network.class',
      observed: 'tor',
      expected: `networks seen: ${fmtTop(view, 'ip_prefix')}`,
      ...referenceFacts(ref),
    },
    ...(newUa
      ? { severity: 'high' as const, riskScore: 73 }
      : { severity: 'medium' as const, riskScore: 60 }),
  };
}

/** True when the views first saw `country` within {@link TRIP_DAYS} before `atMs`. */
function enteredRecently(views: readonly BaselineView[], country: string, atMs: number): boolean {
  const first = Math.min(
    ...views.map((v) => v.seen('country', country)?.firstSeen ?? Number.POSITIVE_INFINITY),
  );
  return Number.isFinite(first) && first >= atMs - TRIP_DAYS * DAY_MS;
}

/**
 * `token.network.first_seen_prefix`: the /24 (IPv4) or /64 (IPv6) network of `source.ip` was never
 * seen for this token, its owner's other tokens, nor (on cold start) its app's or owner's baseline.
 *
 * Weighting, to keep a first-seen rule from flooding:
 * - no mature baseline (token, app or owner) to compare with: silent (every first event is "new");
 *   failed attempts and end-of-life records are not uses: silent;
 * - networks of the app's other tokens count as familiar (an integration's egress; a company VPN
 *   already seen on colleagues' grants of the same app);
 * - a new country on the same event is `token.geo.first_seen_country`'s (one alert per event: the
 *   country subsumes the network, and decides whether a trip is explained);
 * - the organization's shared egress (3+ other people used the prefix within 30 days: office,
 *   VPN/SDP; N3 moves everyone in a day) is silent unless the client family is new too, and so is
 *   another prefix of the provider block (/16) of an egress 8+ people use, for a person-driven credential (the SDP's other
 *   nodes and address pools);
 * - a person's first use of an enterprise security gateway (class `vpn`, `vpn_kind`
 *   `enterprise_gateway`: Zscaler, Netskope, Cloudflare Zero Trust...) that 2+ other people of the
 *   organization used within 30 days through any node of the same operator (`vpn_provider`) is
 *   the org's egress: silent unless the client family is new (N3 rollout, node failover; a
 *   consumer VPN or relay never counts, nor the kind alone);
 * - a person-driven credential (human, or a per-user grant from a non-cloud address) with its
 *   usual client in a country it entered within {@link TRIP_DAYS} days that is not its main one is
 *   a trip in progress (hotel, mobile carrier, next city): silent;
 * - a baseline with {@link ROAMING_MIN_PREFIXES}+ networks (roaming person, runner pool) fires only
 *   with a new client family;
 * - a person's new /24 inside a /16 (IPv6: /32) they already use is ISP address churn: silent
 *   unless the client family is new;
 * - a machine credential's move between hyperscaler egress addresses (cloud provider set, last use
 *   cloud egress too) with a client family the token itself used is silent (N1 runner migration:
 *   autoscaled runners draw addresses from pools of thousands of /24s); for other credentials
 *   such a move with a familiar client family is low severity (21);
 * - a new client family raises it to medium;
 * - rented hosting (network-stance.ts: a hosting AS the credential never used, an attacker's VPS)
 *   is never explained by roaming, ISP churn, an SDP provider block or a trip: medium, high with
 *   a new client family.
 *
 * Known gaps: the baseline keeps only a cloud flag for the last location, not the provider, so a
 * move from AWS to GCP egress counts as "within cloud"; an attacker renting compute at a
 * hyperscaler and replaying a machine credential there with its usual client family is silent
 * here (client, volume, breadth and action detectors remain); no ASN generalization beyond the /16
 * except for enterprise gateways; the first two people moving to a new corporate egress that is
 * no listed enterprise gateway (an office, a self-hosted VPN) still fire (the prefix is not shared
 * yet), and so do the first two onto a gateway;
 * an attacker reusing one address against three or more people's credentials within 30 days makes
 * it look like corporate egress for the next victims (their other findings remain: country,
 * client, breadth); one attacker IP reused across tokens of the same app fires only for the first
 * token (an org-level IP fan-out rule should cover S3); an attacker on the victim's own network
 * (S9) is invisible here.
 */
export const tokenNetworkFirstSeenPrefix = defineDetector({
  id: 'token.network.first_seen_prefix',
  name: 'Token used from a never-seen network',
  description:
    "The token was used from an IP /24 (IPv4) or /64 (IPv6) network that neither it, its owner's other " +
    'tokens nor its reference baseline has used before.',
  version: 2,
  severity: 'low',
  riskScore: 40,
  category: 'iam',
  mitre: ['TA0005:T1550.001', 'TA0001:T1078.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'tokenwatch.network.ip_prefix',
    'source.geo.country_iso_code',
    'user_agent.name',
    'tokenwatch.network.cloud_provider',
    'tokenwatch.network.class',
    'tokenwatch.network.vpn_kind',
    'tokenwatch.network.vpn_provider',
    'source.as.number',
    'source.as.organization.name',
    'source.ip',
  ],
  summary:
    "First use from an IP /24 or /64 never seen for the token, its owner's tokens, its app's tokens (peers) or (cold start) its reference baseline. Medium with a new client family; a machine credential's cloud-to-cloud move with a client family it used itself is silent (N1: autoscaled runners), other credentials' such moves are low 21. Silent (unless the client family is new): a new country on the same event (the country detector owns it); the org's shared egress (`ctx.org`: 3+ other people on the prefix within 30 days, N3) and, for people, another prefix of a /16 where 8+ people share one (SDP nodes), or any node of an enterprise security gateway (`vpn_kind` `enterprise_gateway`, same operator) 2+ other people used within 30 days; a person's trip in progress (usual client, a non-home country entered within 30 days); a roaming baseline (8+ networks); a person's new /24 inside a /16 they already use (ISP churn); failed attempts; the org's own egress (class `corporate`); a new address of a mobile carrier (class `mobile`) whose AS the token or owner already uses. A Tor exit (class `tor`) is reported whatever else holds (medium; high with a new client family). Rented hosting (class hosting, an AS the credential never used: an attacker's VPS, S1/S10) is reported past the roaming, ISP-churn, SDP-block and trip silences (medium; high with a new client family).",
  knownGaps:
    "ASN only for mobile carriers (else the /16 heuristic); an attacker replaying a machine credential from compute rented at the same kind of hyperscaler egress with its usual client family is silent here; the first two people on a new corporate egress still fire (N3: the first two onto an enterprise gateway, anyone onto an office or self-hosted VPN until three share its /24); an attacker address reused against 3+ people's credentials within 30 days looks like corporate egress; an attacker IP reused across tokens of one app fires for the first token only; attacker on the victim's own network (S9).",
  falsePositives: [
    'Owner working from a new place in their home country (new ISP, coworking space, a friend’s Wi-Fi)',
    'CI provider or integration vendor moving to new egress ranges',
    'The first two people on a new corporate VPN / SDP egress (from the third person on a prefix, or on any node of a listed enterprise gateway, it is known to the organization)',
  ],
  goodlog: {},
  goodlogSimulated: { N3: 6 },
  runbook: [
    'Check the network: cloud egress of a known vendor, corporate VPN, residential ISP, hosting/VPS or Tor.',
    'Compare the client (user_agent) and the actions with the token’s usual ones in the same hour.',
    'Look for the same network on other tokens (one attacker IP across many tokens is a theft campaign).',
    'If the owner does not recognise the activity, revoke the token and review what it accessed.',
  ],
  groupWindowMs: 3_600_000,

  evaluate(activity, ctx) {
    const prefix = activity.tokenwatch.network?.ip_prefix;
    const ref = ctx.reference;
    if (prefix === undefined || ref === undefined || isEndOfLife(activity) || isFailure(activity)) return [];
    // Peers count too for networks: the app's other tokens (an integration's egress, a company VPN
    // already seen on colleagues' grants of the same app).
    const familiar = ctx.app ? [...familiarViews(ctx), ctx.app] : familiarViews(ctx);
    if (seenByAny(familiar, 'ip_prefix', prefix)) return [];
    const netClass = activity.tokenwatch.network?.class;
    const tor = netClass === 'tor';
    // The country detector owns an event that also brings a new country (a Tor exit is reported
    // here whatever the country: it is never a trip).
    if (!tor && newCountryOf(activity, ctx) !== undefined) return [];

    const atMs = eventTimeMs(activity);
    const machine = activity.token.principal === 'machine';
    const cloud = cloudProvider(activity);
    const country = activity.source?.geo?.country_iso_code;
    const ua = activity.user_agent?.name;
    const newUa =
      ua !== undefined && ref.view.distinct('ua_family') > 0 && !seenByAny(familiar, 'ua_family', ua);
    const people = orgPeopleOn(ctx, prefix, atMs);
    if (tor) return [torFinding(activity, prefix, ref, newUa, ua)];
    // The organization's own egress (config `corporateCidrs`) and a known carrier's pool are known.
    if (!newUa && (netClass === 'corporate' || knownCarrier(activity, ctx))) return [];
    if (people >= ORG_EGRESS_MIN_PEOPLE && !newUa) return [];
    // The organization's enterprise security gateway (Zscaler, Netskope, Zero Trust...), which
    // other people of the org already use through any of its nodes: a person's first use of a
    // node of it is the org's egress, not a new place (N3 rollout, node failover).
    if (!newUa && personDriven(activity) && isOrgGateway(activity, ctx, atMs)) return [];
    // Rented hosting (a cloud/hosting AS the credential never used) raises suspicion: roaming, ISP
    // churn, SDP nodes and trips do not explain it (network-stance.ts).
    const rented = isRentedHosting(activity, ctx);
    // Another node of the corporate VPN/SDP provider, for a person with their usual client.
    if (!newUa && !rented && personDriven(activity) && isOrgEgressBlock(ctx, prefix, atMs)) return [];
    const roaming = ref.view.distinct('ip_prefix') >= ROAMING_MIN_PREFIXES;
    if (roaming && !newUa && !rented) return [];
    // A person's new address in a provider block they already use: ISP address-pool churn.
    if (!machine && !newUa && !rented && knowsProviderBlock(familiar, prefix, ctx.seen)) return [];
    // A person abroad hops networks (hotel, carrier, next city) in a country they just entered.
    const home = ref.view.top('country', 1)[0];
    const travelling =
      country !== undefined &&
      !isDataCentre(netClass) &&
      country !== home &&
      enteredRecently(familiar, country, atMs);
    if (travelling && !newUa && personDriven(activity)) return [];
    // A move between workload cloud egress with the usual client: an infrastructure move (N1).
    const cloudMove = cloud !== undefined && ref.view.lastLocation?.cloud === true && !newUa;
    // A machine credential that runs on hyperscaler egress, moving to another address of it with
    // a client family it has used itself: autoscaled or re-provisioned runners draw public
    // addresses from pools of thousands of /24s (GitHub-hosted runners, AWS/GCP/Azure NAT
    // gateways), so a new /24 there says nothing (N1). A new client family, rented hosting, Tor,
    // a person-driven credential or a first use from cloud after non-cloud egress still fire.
    if (cloudMove && machine && ua !== undefined && ctx.token.seen('ua_family', ua) !== undefined) return [];

    const where = [country, rented ? undefined : cloud ? `${cloud} cloud egress` : undefined]
      .filter(Boolean)
      .join(', ');
    const seenNetworks = fmtTop(ref.view, 'ip_prefix');
    const seenCountries = fmtTop(ref.view, 'country');
    let reason =
      `${tokenLabel(activity)} was used from network ${prefix}${where ? ` (${where})` : ''} for the first time; ` +
      `${historySpan(ref.view)} ${baselineName(ref.entity)} used ${countOf(ref.view.distinct('ip_prefix'), 'network')} ` +
      `(${seenNetworks})${ref.view.distinct('country') > 0 ? ` in ${seenCountries}` : ''}.`;
    if (rented) reason += ` The address is ${hostingLabel(activity)}.`;
    if (newUa) reason += ` It also came with a new client family (${ua}).`;
    if (people > 0) {
      reason += ` ${people} other ${people === 1 ? 'person uses' : 'people use'} this network (corporate egress from ${ORG_EGRESS_MIN_PEOPLE}).`;
    }
    if (cloudMove) {
      reason += ` Both this and the previous use were cloud egress with a familiar client, which looks like an infrastructure move.`;
    }
    if (roaming)
      reason += ` This baseline roams (${ref.view.distinct('ip_prefix')} networks), so only corroborated changes are reported.`;

    return [
      {
        reason,
        explanation: {
          feature: 'source.ip/24 (ip_prefix)',
          observed: prefix,
          expected: `networks seen: ${seenNetworks}; countries: ${seenCountries}; clients: ${fmtTop(ref.view, 'ua_family')}`,
          ...referenceFacts(ref),
        },
        ...(cloudMove
          ? { severity: 'low' as const, riskScore: 21 }
          : rented && newUa
            ? { severity: 'high' as const, riskScore: 73 }
            : newUa || rented
              ? { severity: 'medium' as const, riskScore: 55 }
              : {}),
      },
    ];
  },
});
