import type { BaselineView, LastLocation } from '../baselines/types.js';
import type { NetworkClass, TokenActivity } from '../schemas/token-activity.js';
import type { DetectorContext } from './types.js';

/**
 * What a source network means for the geo and network detectors (`token.geo.impossible_travel`,
 * `token.geo.first_seen_country`, `token.network.first_seen_prefix`): one rule per network class
 * (`tokenwatch.network.class`), so that a class never suppresses in one detector what it raises
 * in another.
 *
 * Data-centre addresses are split by what the credential already knows, not only by provider:
 * - **workload egress** (`workload`): class `cloud` (the hyperscalers' published ranges: AWS,
 *   Google Cloud, Azure, Oracle, IBM, Alibaba, GitHub, Cloudflare, plus the org's declared
 *   `pipeline.extraCloudCidrs`, `cloud_provider: custom`): where companies run CI, integrations
 *   and SaaS back ends, so a new region or AS of them is operations; and class `hosting` whose
 *   autonomous system (`source.as.number`) the credential's familiar baselines (the token, its
 *   owner's other tokens, its app's tokens, its cold-start reference) already used: the team's
 *   own servers at a hoster, a person's own VPS. Its geolocation is a data centre, not a person:
 *   it has no place for travel and its country is the region's.
 * - **rented hosting** (`rented`): a `hosting` address (Vultr, Linode/Akamai, DigitalOcean,
 *   Hetzner, OVHcloud, Scaleway, Contabo, bulletproof hosters by ASN...) whose AS this credential
 *   never used: a server somebody just rented, which is where stolen tokens are replayed from
 *   (S1, S3, S8, S10). It raises suspicion and never explains anything: its data centre is where
 *   the credential is being used (travel is measured to it), its country counts as new and is
 *   never a person's trip, and a first use from it is reported even for a roaming baseline, ISP
 *   churn, an SDP provider block or a trip in progress.
 *
 * Known gap: an attacker renting compute at a hyperscaler (class `cloud`) is workload egress
 * here; `token.network.first_seen_prefix`, client and volume detectors remain.
 *
 * Every class:
 *
 * | class | impossible travel | first-seen country | first-seen prefix |
 * |---|---|---|---|
 * | `corporate` (config `corporateCidrs`) | never travel to it; a move from it is judged (a session replayed abroad right after the owner used it at the office) | silent (the org's egress) | silent unless the client family is new |
 * | `private` | no place | (no GeoIP) | the usual rules |
 * | `cloud`; `hosting` with a known AS (workload) | no place | silent | the usual rules; a cloud-to-cloud move with the usual client is low |
 * | `hosting` with an AS new to the credential (rented) | a place | counts, never a trip | reported past roaming / churn / SDP block / trip silences; medium, high with a new client family |
 * | `vpn` (SDP, consumer VPN, Private Relay) | no place | counts (judged as a trip from the last place) | the usual rules |
 * | `tor` | no place | counts, never a trip | always reported (medium, high with a new client family) |
 * | `mobile` | country-only place | counts | a new address of a known carrier AS is silent |
 * | `residential` | a place | counts | the usual rules |
 */
export type CloudStance = 'workload' | 'rented';

/** Classes whose geolocation is never where the credential's holder is (no travel to or from them). */
const NO_PLACE: ReadonlySet<NetworkClass> = new Set(['vpn', 'tor', 'private']);

/** True for the two data-centre classes, `cloud` and `hosting`. */
export const isDataCentre = (netClass: NetworkClass | undefined): boolean =>
  netClass === 'cloud' || netClass === 'hosting';

/**
 * The stance of a `cloud` / `hosting` address ({@link CloudStance}); undefined for other classes.
 * Reads `tokenwatch.network.class`, `tokenwatch.network.cloud_provider`, `source.as.number` and
 * the `asn` sets of the token, owner, app and reference baselines.
 */
export function cloudStance(activity: TokenActivity, ctx: DetectorContext): CloudStance | undefined {
  const net = activity.tokenwatch.network;
  if (net?.class === 'cloud' || net?.cloud_provider !== undefined) return 'workload';
  if (net?.class !== 'hosting') return undefined;
  const asn = activity.source?.as?.number;
  if (asn === undefined) return 'rented';
  const views: (BaselineView | undefined)[] = [ctx.token, ctx.owner, ctx.app, ctx.reference?.view];
  return views.some((v) => v?.seen('asn', String(asn)) !== undefined) ? 'workload' : 'rented';
}

/** True for workload egress ({@link cloudStance} `workload`): a data centre the credential uses. */
export const isWorkloadEgress = (activity: TokenActivity, ctx: DetectorContext): boolean =>
  cloudStance(activity, ctx) === 'workload';

/** True for rented hosting ({@link cloudStance} `rented`): a data centre new to the credential. */
export const isRentedHosting = (activity: TokenActivity, ctx: DetectorContext): boolean =>
  cloudStance(activity, ctx) === 'rented';

/** True when this use's geolocation is not a place the credential is used from (see the table above). */
export function hasNoPlace(activity: TokenActivity, ctx: DetectorContext): boolean {
  const netClass = activity.tokenwatch.network?.class;
  if (netClass === 'corporate' || (netClass !== undefined && NO_PLACE.has(netClass))) return true;
  return isWorkloadEgress(activity, ctx);
}

/**
 * True when a stored last location has no place: the classes without one, cloud egress (the
 * baseline keeps a cloud flag, not the AS, so an earlier cloud use is never measured from), and a
 * hosting address the credential had already used for a day when it made that use (`established`,
 * from the caller's known-network check): its own server, not a rented one.
 */
export function lastHasNoPlace(last: LastLocation, established: boolean): boolean {
  if (last.cloud) return true;
  if (last.netClass !== undefined && NO_PLACE.has(last.netClass)) return true;
  return last.netClass === 'hosting' && established;
}

/**
 * `rented hosting (AS20473 The Constant Company), never used by this credential`: names a rented
 * data centre in an alert. Reads `source.as.*`.
 */
export function hostingLabel(activity: TokenActivity): string {
  const as = activity.source?.as;
  const who = as ? [`AS${as.number}${as.organization?.name ? ` ${as.organization.name}` : ''}`] : [];
  return `rented hosting${who.length > 0 ? ` (${who.join(', ')})` : ''}, never used by this credential`;
}
