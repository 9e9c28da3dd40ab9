import { defineDetector } from './define-detector.js';
import { baselineName, countOf, fmtTop, historySpan, referenceFacts, tokenLabel } from './explain.js';
import { cloudProvider, familiarViews, isEndOfLife, knowsProviderBlock, seenByAny } from './lookup.js';

/** A baseline with at least this many distinct prefixes is a roaming person or a runner pool. */
export const ROAMING_MIN_PREFIXES = 8;

/**
 * `token.network.first_seen_prefix`: the /24 (IPv4) or /64 (IPv6) network of `source.ip` was never
 * seen for this token, its owner's other tokens, nor (on cold start) its app's or owner's baseline.
 *
 * Weighting, to keep a first-seen rule from flooding:
 * - no mature baseline (token, app or owner) to compare with: silent (every first event is "new");
 * - networks of the app's other tokens count as familiar (an integration's egress; a company VPN
 *   already seen on colleagues' grants of the same app);
 * - a baseline with {@link ROAMING_MIN_PREFIXES}+ networks (roaming person, runner pool) fires only
 *   when corroborated by a new client family, or a new country for a machine token;
 * - a person's new /24 inside a /16 (IPv6: /32) they already use is ISP address churn: silent
 *   unless corroborated;
 * - cloud egress after a cloud-egress last use with a familiar client family (N1 runner migration)
 *   is low severity (21);
 * - a new client family (or a new country for a machine token) raises it to medium.
 *
 * Known gaps: the baseline keeps only a cloud flag for the last location, not the provider, so a
 * move from AWS to GCP egress counts as "within cloud"; no ASN generalization beyond the /16; an
 * org-wide egress change (N3, VPN/SDP rollout) fires once per token without an app (sessions, PATs)
 * until an org baseline exists; one attacker IP reused across tokens of the same app fires only
 * for the first token (an org-level IP fan-out rule should cover S3); an attacker on the victim's
 * own network (S9) is invisible here.
 */
export const tokenNetworkFirstSeenPrefix = defineDetector({
  id: 'token.network.first_seen_prefix',
  name: 'Token used from a never-seen network',
  description:
    "The token was used from an IP /24 (IPv4) or /64 (IPv6) network that neither it, its owner's other " +
    'tokens nor its reference baseline has used before.',
  version: 1,
  severity: 'low',
  riskScore: 40,
  category: 'iam',
  mitre: ['TA0005:T1550.001', 'TA0001:T1078.004'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['tokenwatch.network.ip_prefix', 'source.geo.country_iso_code', 'user_agent.name'],
  falsePositives: [
    'Owner working from a new place (home ISP change, hotel, mobile tethering)',
    'CI provider or integration vendor moving to new egress ranges',
    'Corporate VPN / SDP rollout changing everyone’s egress (many tokens at once)',
  ],
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
    if (prefix === undefined || ref === undefined || isEndOfLife(activity)) return [];
    // Peers count too for networks: the app's other tokens (an integration's egress, a company
    // VPN already seen on colleagues' grants of the same app).
    const familiar = ctx.app ? [...familiarViews(ctx), ctx.app] : familiarViews(ctx);
    if (seenByAny(familiar, 'ip_prefix', prefix)) return [];

    const machine = activity.token.principal === 'machine';
    const cloud = cloudProvider(activity);
    const country = activity.source?.geo?.country_iso_code;
    const ua = activity.user_agent?.name;
    const newUa =
      ua !== undefined && ref.view.distinct('ua_family') > 0 && !seenByAny(familiar, 'ua_family', ua);
    const newCountry =
      cloud === undefined &&
      country !== undefined &&
      ref.view.distinct('country') > 0 &&
      !seenByAny(familiar, 'country', country);
    const corroborated = newUa || (newCountry && machine);
    const roaming = ref.view.distinct('ip_prefix') >= ROAMING_MIN_PREFIXES;
    if (roaming && !corroborated) return [];
    // A person's new address in a provider block they already use: ISP address-pool churn.
    if (!machine && !corroborated && knowsProviderBlock(familiar, prefix)) return [];
    const cloudMove = cloud !== undefined && ref.view.lastLocation?.cloud === true && !newUa;

    const where = [country, cloud ? `${cloud} cloud egress` : undefined].filter(Boolean).join(', ');
    const seenNetworks = fmtTop(ref.view, 'ip_prefix');
    const seenCountries = fmtTop(ref.view, 'country');
    const extras: string[] = [];
    if (newCountry) extras.push(`a new country (${country})`);
    if (newUa) extras.push(`a new client family (${ua})`);
    let reason =
      `${tokenLabel(activity)} was used from network ${prefix}${where ? ` (${where})` : ''} for the first time; ` +
      `${historySpan(ref.view)} ${baselineName(ref.entity)} used ${countOf(ref.view.distinct('ip_prefix'), 'network')} ` +
      `(${seenNetworks})${ref.view.distinct('country') > 0 ? ` in ${seenCountries}` : ''}.`;
    if (extras.length > 0) reason += ` It also came with ${extras.join(' and ')}.`;
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
          : corroborated
            ? { severity: 'medium' as const, riskScore: 55 }
            : {}),
      },
    ];
  },
});
