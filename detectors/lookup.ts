import { gatewayOf } from '../baselines/org-baseline.js';
import type { BaselineView, Dimension } from '../baselines/types.js';
import { ipPrefix, parseIp } from '../ingestors/common/ip.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { isWorkloadEgress } from './network-stance.js';
import { cachedProviderBlock, establishedAt, groupByBlock, type SeenBefore } from './seen-before.js';
import type { DetectorContext } from './types.js';

/**
 * Small lookups shared by detectors: "was this value seen before by any of these baselines", and
 * which activities are uses of a credential rather than its end of life.
 */

/** True when any of the views has seen `value` in `dim`. */
export const seenByAny = (
  views: readonly (BaselineView | undefined)[],
  dim: Dimension,
  value: string,
): boolean => views.some((v) => v?.seen(dim, value) !== undefined);

/**
 * The baselines that say a value is familiar for this token: its own, the reference (its app's or
 * owner's on cold start) and its owner's (a person's other tokens share their networks).
 */
export const familiarViews = (ctx: DetectorContext): BaselineView[] =>
  [ctx.token, ctx.reference?.view, ctx.owner].filter((v): v is BaselineView => v !== undefined);

/** Revocation and expiry records end a credential's life; novelty detectors ignore them. */
export const isEndOfLife = (activity: TokenActivity): boolean =>
  activity.token.lifecycle === 'revoked' || activity.token.lifecycle === 'expired';

/** A use of the credential (not its creation, grant, scope change or end). */
export const isUse = (activity: TokenActivity): boolean =>
  activity.token.lifecycle === 'used' || activity.token.lifecycle === 'refreshed';

/** Cloud provider of the source address (`aws`, `gcp`...), when it is cloud egress. */
export const cloudProvider = (activity: TokenActivity): string | undefined =>
  activity.tokenwatch.network?.cloud_provider;

/** The store's default per-dimension cap (baselines/config.ts `setCap`), used when a view has no eviction counter. */
export const DEFAULT_SET_CAP = 32;

/**
 * Values evicted from a view's capped set for `dim`, when the view exposes the counter
 * (`EntityBaseline.evicted`, not part of the {@link BaselineView} contract); undefined otherwise.
 */
export function evictedCount(view: BaselineView, dim: Dimension): number | undefined {
  const fn = (view as { evicted?: unknown }).evicted;
  return typeof fn === 'function' ? (fn as (d: Dimension) => number).call(view, dim) : undefined;
}

/**
 * True when "never seen" on `dim` can be trusted: nothing was evicted from the capped set (or,
 * without an eviction counter, the set is below the default cap). Otherwise a "new" value may be
 * one seen long ago and forgotten.
 */
export function noveltyReliable(view: BaselineView, dim: Dimension): boolean {
  const evicted = evictedCount(view, dim);
  return evicted === undefined ? view.distinct(dim) < DEFAULT_SET_CAP : evicted === 0;
}

/** baselines/org-baseline.ts `providerBlock`, remembered per prefix (seen-before.ts). */
export { cachedProviderBlock as providerBlock } from './seen-before.js';

/** True when a view knows a prefix in the same provider block as `prefix` (see {@link providerBlock}). */
export function knowsProviderBlock(
  views: readonly BaselineView[],
  prefix: string,
  seen?: SeenBefore | undefined,
): boolean {
  const block = cachedProviderBlock(prefix);
  if (block === undefined) return false;
  return views.some((v) =>
    seen !== undefined
      ? seen.prefixesByBlock(v).has(block)
      : v.top('ip_prefix', 256).some((p) => cachedProviderBlock(p) === block),
  );
}

/** A failed attempt (wrong password, refused call): not a use of the credential. */
export const isFailure = (activity: TokenActivity): boolean => activity.event.outcome === 'failure';

/**
 * People besides the token's owner who must have used a network within 30 days for it to count as
 * corporate egress (office NAT, VPN, SDP): three, so one colleague's home network never counts.
 */
export const ORG_EGRESS_MIN_PEOPLE = 3;

/** The /24 (IPv4) or /64 (IPv6) prefix of an address, as enrichment computes `tokenwatch.network.ip_prefix`. */
export function prefixOfIp(ip: string | undefined): string | undefined {
  const parsed = parseIp(ip);
  return parsed === undefined ? undefined : ipPrefix(parsed);
}

/**
 * People (owner entities of human tokens, see baselines/org-baseline.ts) other than this token's
 * owner who used `prefix` within the last 30 days; 0 without organization state.
 */
export function orgPeopleOn(ctx: DetectorContext, prefix: string | undefined, atMs: number): number {
  if (prefix === undefined || ctx.org === undefined) return 0;
  return ctx.org.sharedPrefixPrincipals(prefix, atMs, ctx.owner?.entity);
}

/**
 * True when `prefix` is the organization's shared egress: at least {@link ORG_EGRESS_MIN_PEOPLE}
 * other people used it within 30 days. Its geolocation is where the egress point (an SDP node, an
 * office) is, not where the person is, and a person's first use of it is not a new place (N3).
 */
export const isOrgEgress = (ctx: DetectorContext, prefix: string | undefined, atMs: number): boolean =>
  orgPeopleOn(ctx, prefix, atMs) >= ORG_EGRESS_MIN_PEOPLE;

/**
 * People on one prefix of a provider block that make the whole block the organization's VPN/SDP
 * provider: eight. Three colleagues can share a residential /24 of their ISP (its other /24s are
 * strangers' homes); eight or more on one /24 is a VPN/SDP or office egress.
 */
export const ORG_EGRESS_BLOCK_MIN_PEOPLE = 8;

/**
 * True when `prefix` is in the provider block (/16, IPv6 /32) of a large shared egress (a prefix
 * {@link ORG_EGRESS_BLOCK_MIN_PEOPLE} other people used within 30 days): another node or address
 * pool of the corporate VPN/SDP provider (Zscaler's London node when everyone uses its Chicago
 * one). Its geolocation is the node's, not the person's.
 */
export const isOrgEgressBlock = (ctx: DetectorContext, prefix: string | undefined, atMs: number): boolean =>
  prefix !== undefined &&
  ctx.org !== undefined &&
  ctx.org.sharedBlockPrincipals(prefix, atMs, ctx.owner?.entity) >= ORG_EGRESS_BLOCK_MIN_PEOPLE;

/**
 * Other people of the organization who must have used an enterprise security gateway's AS within
 * 30 days for it to be the organization's gateway: two. A gateway node is no colleague's home
 * network, but Cloudflare's consumer WARP app shares its AS with Zero Trust, so one colleague's
 * WARP at home must not vouch for a stranger's.
 */
export const ORG_GATEWAY_MIN_PEOPLE = 2;

/**
 * True when this use comes from an enterprise security gateway (`tokenwatch.network.class` `vpn`,
 * `vpn_kind` `enterprise_gateway`: Zscaler, Netskope, Cisco Umbrella, Cloudflare Zero Trust...)
 * whose operator (`vpn_provider`, else the AS) at least {@link ORG_GATEWAY_MIN_PEOPLE} other
 * people of the organization used within 30 days: the organization's SDP / web-gateway egress,
 * whichever node, /24 or /16 of it the person lands on (N3: a rollout, a node failover). Consumer
 * VPNs and relays never count.
 */
export function isOrgGateway(activity: TokenActivity, ctx: DetectorContext, atMs: number): boolean {
  const gateway = gatewayOf(activity);
  if (gateway === undefined || ctx.org === undefined) return false;
  return ctx.org.sharedGatewayPrincipals(gateway, atMs, ctx.owner?.entity) >= ORG_GATEWAY_MIN_PEOPLE;
}

/**
 * True when a person drives the credential from their own device: a human principal, or a
 * per-user OAuth grant (user x app, e.g. a mail or CRM plug-in, a desktop data loader) used from a
 * non-data-centre address (neither cloud nor hosting). Such credentials follow the person's hours and travels; a server-side
 * integration (cloud egress, no per-user grant) does not.
 */
export const personDriven = (activity: TokenActivity): boolean =>
  activity.token.principal === 'human' ||
  (activity.token.key_kind === 'oauth_grant' &&
    activity.tokenwatch.impersonated_user === undefined &&
    activity.source?.ip !== undefined &&
    cloudProvider(activity) === undefined &&
    activity.tokenwatch.network?.class !== 'hosting');

/**
 * The country of this use when it is never-seen for the token, its owner's other tokens and the
 * reference baseline (the condition of `token.geo.first_seen_country`, shared so other detectors
 * can leave the event to it): undefined for workload cloud/hosting egress and the org's own egress
 * (class `corporate`), end-of-life records, failed attempts,
 * without a located reference history, or when the country is familiar.
 */
export function newCountryOf(activity: TokenActivity, ctx: DetectorContext): string | undefined {
  const country = activity.source?.geo?.country_iso_code;
  const ref = ctx.reference;
  if (country === undefined || ref === undefined || isEndOfLife(activity) || isFailure(activity))
    return undefined;
  // The country of workload cloud/hosting egress is a region's, the org's own egress is the org's;
  // rented hosting's country counts (network-stance.ts).
  if (ref.view.distinct('country') === 0 || activity.tokenwatch.network?.class === 'corporate')
    return undefined;
  if (isWorkloadEgress(activity, ctx)) return undefined;
  return seenByAny(familiarViews(ctx), 'country', country) ? undefined : country;
}

/**
 * How long a network stays one the credential "knows" after its last use (ms): 90 days of event
 * time. The token's and owner's `ip_prefix` sets (capped, with first/last-seen times) are the
 * known-network sets; an entry older than this is a network the person left.
 */
export const KNOWN_NETWORK_TTL_MS = 90 * 86_400_000;
/**
 * A network counts as known only when it was first used at least this long (ms) before the
 * earlier use of a move: an attacker's address used for a few minutes is not the victim's.
 */
export const KNOWN_NETWORK_MIN_AGE_MS = 86_400_000;

/**
 * True when the token or its owner used `prefix`, or another prefix of its provider block (/16,
 * IPv6 /32: a carrier's CGNAT pool, an ISP's address pool), first at least
 * {@link KNOWN_NETWORK_MIN_AGE_MS} before `beforeMs` and last within {@link KNOWN_NETWORK_TTL_MS}
 * of `atMs`: a home, office or carrier network the credential already has. The token's and
 * owner's capped `ip_prefix` sets (first/last-seen per prefix) are the known-network sets.
 */
export function knownNetwork(
  ctx: DetectorContext,
  prefix: string | undefined,
  beforeMs: number,
  atMs: number,
): boolean {
  if (prefix === undefined) return false;
  const seen = ctx.seen;
  if (seen === undefined) return knownNetworkOf(ctx, prefix, beforeMs, atMs, undefined);
  return seen.knownNetwork(prefix, beforeMs, atMs, () => knownNetworkOf(ctx, prefix, beforeMs, atMs, seen));
}

function knownNetworkOf(
  ctx: DetectorContext,
  prefix: string,
  beforeMs: number,
  atMs: number,
  seen: SeenBefore | undefined,
): boolean {
  const block = cachedProviderBlock(prefix);
  for (const v of [ctx.token, ctx.owner]) {
    if (v === undefined) continue;
    if (
      establishedAt(
        v.seen('ip_prefix', prefix),
        beforeMs,
        atMs,
        KNOWN_NETWORK_MIN_AGE_MS,
        KNOWN_NETWORK_TTL_MS,
      )
    )
      return true;
    if (block === undefined) continue;
    const sameBlock = (seen?.prefixesByBlock(v) ?? groupByBlock(v.top('ip_prefix', 256))).get(block);
    if (sameBlock === undefined) continue;
    for (const p of sameBlock) {
      if (
        p !== prefix &&
        establishedAt(v.seen('ip_prefix', p), beforeMs, atMs, KNOWN_NETWORK_MIN_AGE_MS, KNOWN_NETWORK_TTL_MS)
      )
        return true;
    }
  }
  return false;
}

/**
 * True when this use comes from a mobile carrier (`tokenwatch.network.class` `mobile`) whose
 * autonomous system (`source.as.number`) the token or its owner already used: a carrier's CGNAT
 * pool hands out addresses across many prefixes and its whole country, so the carrier is the
 * known network, not the /24.
 */
export function knownCarrier(activity: TokenActivity, ctx: DetectorContext): boolean {
  const asn = activity.source?.as?.number;
  if (activity.tokenwatch.network?.class !== 'mobile' || asn === undefined) return false;
  return seenByAny([ctx.token, ctx.owner], 'asn', String(asn));
}
