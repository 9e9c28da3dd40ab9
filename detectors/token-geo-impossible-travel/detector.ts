import { z } from 'zod';
import { defineDetector } from '../define-detector.js';
import { baselineFacts, eventTimeMs, fmtDuration, fmtNumber, tokenLabel } from '../explain.js';
import {
  judgeTravel,
  NON_ADJACENT_COUNTRY_MIN_MS,
  placeLabel,
  precisionLabel,
  regionOfActivity,
  regionOfLocation,
  tooFast,
} from '../geo.js';
import {
  isEndOfLife,
  isFailure,
  isOrgEgress,
  isOrgEgressBlock,
  knownNetwork,
  prefixOfIp,
  providerBlock,
  seenByAny,
} from '../lookup.js';
import { hasNoPlace, hostingLabel, isRentedHosting, lastHasNoPlace } from '../network-stance.js';

/**
 * `token.geo.impossible_travel`: the same token was used from two places farther apart than anyone
 * could travel in the time between (speed above `settings.impossibleTravelKmh`, distance at least
 * `settings.impossibleTravelMinKm`; shorter hops are GeoIP error).
 *
 * Compares with the token's own last located use only (a location belongs to the credential; two of
 * a person's tokens may legitimately run in two places). Needs no mature baseline: two points are
 * enough. Network classes follow network-stance.ts: no journey is measured to workload cloud or
 * hosting egress, VPN, Tor, private or the org's declared (corporate) egress, nor from an earlier
 * cloud, VPN, Tor, private or established hosting use; rented hosting (a hosting AS the credential
 * never used: an attacker's VPS) is a place and is measured. Also ignored when this use comes
 * from the organization's shared egress (a prefix 3+ other people used within 30 days: VPN/SDP
 * nodes such as Zscaler, whose GeoIP is the node's city, hundreds of km from the person), or
 * returns from it to a network the token or its owner already uses (a person switching the SDP on
 * and off "travels" between home and the node); when the address is the same; and for failed
 * attempts, which are not uses (the baselines do not move the last location for them either: a
 * password spray from residential proxies worldwide is `account.password_spray`'s). A move from the
 * corporate egress to a network never used is still judged (a stolen session replayed abroad
 * right after the owner used it through the VPN), unless both sides are in the provider block
 * (/16) of a corporate egress 8+ people use: a hop between two nodes of the same VPN/SDP provider.
 *
 * Known gaps: VPN/SDP egress used by fewer than 3 other people, consumer VPNs, satellite or
 * in-flight Wi-Fi look like travel; a token used concurrently from two places is only seen when
 * the uses interleave.
 */
export const tokenGeoImpossibleTravel = defineDetector({
  id: 'token.geo.impossible_travel',
  name: 'Token used from two places too far apart for the time between',
  description:
    'Two uses of the same token came from locations whose distance, divided by the time between them, exceeds a plausible ground speed.',
  version: 2,
  severity: 'high',
  riskScore: 73,
  category: 'authentication',
  mitre: ['TA0001:T1078.004', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'source.geo.location',
    'source.ip',
    'tokenwatch.network.cloud_provider',
    'event.outcome',
    'tokenwatch.network.ip_prefix',
    'tokenwatch.network.class',
    'tokenwatch.network.geo_precision',
    'tokenwatch.network.geo_accuracy_km',
    'source.geo.city_name',
    'source.geo.region_iso_code',
    'source.geo.country_iso_code',
    'source.as.number',
    'source.as.organization.name',
  ],
  summary:
    "Two uses of the same token farther apart than `impossibleTravelKmh` allows (≥ `impossibleTravelMinKm`); works on learning tokens. Ignores failed attempts (they never move the last location either), a use from the org's shared egress or back from it to a network the credential uses (SDP on/off), and hops between nodes of an SDP provider (/16 where 8+ people share a prefix). Measures between the two GeoIP uncertainty regions (city ± accuracy radius), never centroids: a country-only end (IPv6 homes, carrier pools: `geo_precision` country, mobile class, radius over 250 km) is judged by bordering countries (same or bordering: fine; others: within 2 h is impossible). Switching between two networks the token or owner already uses (first used a day before, seen within 90 days; a carrier's /16 pool counts) is not travel. Network classes (detectors/network-stance.ts): workload cloud/hosting egress (class cloud; hosting whose AS the credential already used), VPN, Tor, private and the org's declared egress (corporate) have no place to travel to; rented hosting (a hosting AS the credential never used) is where the token is used and is measured. The alert names each end's precision and a rented end.",
  knownGaps:
    "Consumer VPNs not classed `vpn`, satellite Wi-Fi; ignores workload cloud egress (an attacker renting hyperscaler compute); never measures from an earlier cloud use; a stolen token used from the victim's own known networks.",
  falsePositives: [
    'VPN or SDP (Zscaler, Cloudflare WARP) switching egress country before 3 other people use that egress',
    'Mobile carrier or satellite / in-flight Wi-Fi with a distant GeoIP location',
    'GeoIP database errors for a newly allocated range',
  ],
  goodlogSimulated: { N2: 3 },
  runbook: [
    'Check both addresses: is either a VPN, proxy, Tor exit or hosting provider?',
    'Ask the owner where they are and whether the token is deployed in more than one place.',
    'If both uses are real, the token is held by two parties: revoke and re-issue it.',
  ],
  settings: z.object({
    impossibleTravelKmh: z
      .number()
      .min(100)
      .max(5000)
      .default(900)
      .describe('Highest plausible ground speed between two uses, km/h'),
    impossibleTravelMinKm: z
      .number()
      .min(0)
      .max(5000)
      .default(500)
      .describe('Distances below this are GeoIP noise, km'),
  }),
  groupWindowMs: 3 * 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const last = ctx.token.lastLocation;
    if (last === undefined || isEndOfLife(activity) || isFailure(activity)) return [];
    if (activity.source?.ip !== undefined && activity.source.ip === last.ip) return [];
    // Workload cloud/hosting egress, VPN, Tor and private addresses geolocate to a data centre, a
    // VPN node or an exit relay, not to a person, and the org's own egress is not a journey's
    // end: no journey is measured to them. Rented hosting (a data centre new to the credential)
    // is where the credential is being used: measured (network-stance.ts).
    if (hasNoPlace(activity, ctx)) return [];
    const atMs = eventTimeMs(activity);
    const prefix = activity.tokenwatch.network?.ip_prefix;
    const lastPrefix = prefixOfIp(last.ip);
    if (lastHasNoPlace(last, last.netClass === 'hosting' && knownNetwork(ctx, lastPrefix, last.at, atMs)))
      return [];
    // Switching between two networks the credential (or its owner) already uses is not travel:
    // home and office, Wi-Fi and the phone's carrier, home and the corporate VPN.
    if (knownNetwork(ctx, prefix, last.at, atMs) && knownNetwork(ctx, lastPrefix, last.at, atMs)) return [];
    // Switching between the corporate egress and a network the credential uses is not travel.
    const back = prefix !== undefined && seenByAny([ctx.token, ctx.owner], 'ip_prefix', prefix);
    if (isOrgEgress(ctx, prefix, atMs) || (back && isOrgEgress(ctx, lastPrefix, atMs))) return [];
    // Hopping between nodes of the corporate VPN/SDP provider (one provider block) is not travel.
    if (
      prefix !== undefined &&
      lastPrefix !== undefined &&
      providerBlock(prefix) === providerBlock(lastPrefix) &&
      isOrgEgressBlock(ctx, prefix, atMs)
    )
      return [];
    const here = regionOfActivity(activity);
    const there = regionOfLocation(last);
    if (here === undefined || there === undefined) return [];
    const judged = judgeTravel(there, last.at, here, atMs);
    const { impossibleTravelKmh, impossibleTravelMinKm } = settings;
    if (judged === undefined || !tooFast(judged, impossibleTravelKmh, impossibleTravelMinKm)) return [];

    const geo = activity.source?.geo;
    const hereLabel = placeLabel({
      city: geo?.city_name,
      country: geo?.country_iso_code,
      lat: geo?.location?.lat ?? 0,
      lon: geo?.location?.lon ?? 0,
    });
    const rented = isRentedHosting(activity, ctx) ? `; this use is from ${hostingLabel(activity)}` : '';
    const precision = `precision: this use ${precisionLabel(here)}, the earlier one ${precisionLabel(there)}${rented}`;
    const lead =
      `${tokenLabel(activity)} was used from ${hereLabel} (${activity.source?.ip ?? 'unknown IP'}) ` +
      `${fmtDuration(judged.elapsedMs)} after a use from ${placeLabel(last)} (${last.ip})`;
    if (judged.kind === 'countries') {
      return [
        {
          reason:
            `${lead}: ${judged.from} and ${judged.to} do not border each other, and ${fmtDuration(judged.elapsedMs)} ` +
            `is too short to get from one to the other (at least ${fmtDuration(NON_ADJACENT_COUNTRY_MIN_MS)}; ${precision}).`,
          explanation: {
            feature: 'travel_countries',
            observed: `${judged.from} -> ${judged.to} in ${fmtDuration(judged.elapsedMs)}`,
            expected: `the same or a bordering country within ${fmtDuration(NON_ADJACENT_COUNTRY_MIN_MS)} (${precision})`,
            window: fmtDuration(judged.elapsedMs),
            ...baselineFacts(ctx.token, 'token'),
          },
        },
      ];
    }
    const reason =
      `${lead}: ${fmtNumber(judged.km, 0)} km between the two locations' uncertainty regions needs ` +
      `${fmtNumber(judged.kmh, 0)} km/h, above the plausible ${fmtNumber(impossibleTravelKmh, 0)} km/h (${precision}).`;
    return [
      {
        reason,
        explanation: {
          feature: 'travel_speed_kmh',
          observed: Math.round(judged.kmh),
          expected: `at most ${impossibleTravelKmh} km/h from ${placeLabel(last)} (${Math.round(judged.km)} km in ${fmtDuration(judged.elapsedMs)}; ${precision})`,
          window: fmtDuration(judged.elapsedMs),
          ...baselineFacts(ctx.token, 'token'),
        },
      },
    ];
  },
});
