import { z } from 'zod';
import { defineDetector } from '../define-detector.js';
import {
  baselineName,
  baselineWas,
  eventTimeMs,
  fmtDuration,
  fmtNumber,
  fmtTop,
  historySpan,
  referenceFacts,
  tokenLabel,
} from '../explain.js';
import { placeLabel, plausibleTravel, travelFrom } from '../geo.js';
import {
  familiarViews,
  isOrgEgress,
  isOrgEgressBlock,
  newCountryOf,
  orgPeopleOn,
  personDriven,
  seenByAny,
} from '../lookup.js';
import { hostingLabel, isRentedHosting } from '../network-stance.js';

/**
 * `token.geo.first_seen_country`: `source.geo.country_iso_code` was never seen for this token, its
 * owner's other tokens, nor its reference baseline (the app's or owner's on cold start).
 *
 * Silent when the country says nothing about where the credential's holder is, or is explained:
 * - workload cloud/hosting egress (network-stance.ts: class `cloud`, or hosting whose AS the
 *   credential already used; a region's country says nothing about a person or a theft) and the
 *   org's declared egress (class `corporate`), end-of-life records, failed attempts (a spray from
 *   abroad is `account.password_spray`'s), no located history;
 * - the organization's shared egress (the prefix was used by 3+ other people within 30 days:
 *   VPN/SDP nodes such as Zscaler abroad, N3) and, for a person-driven credential, another prefix
 *   of the provider block of an egress 8+ people use (/16: the SDP's node in the country the person travels to): the country
 *   is the egress node's;
 * - a person on a trip (N2): a person-driven credential (human, or a per-user OAuth grant used
 *   from a non-cloud address) with its familiar client family, at a plausible ground speed
 *   (`impossibleTravelKmh`) from the latest non-cloud located use of it or of its owner's other
 *   credentials (a person is where they last were; when that was already abroad, the person is
 *   travelling and a device joining them is judged by its own last use). A trip is not evidence of
 *   theft, and reporting it once per credential and source flooded analysts (13 trips gave 25
 *   alerts in 105 days of the tuning set). Implausible speeds are `token.geo.impossible_travel`'s.
 *
 * Otherwise medium: a machine token or integration in a new country, a person's credential in a
 * new country with a new client family, or a move too fast or without a last location to judge.
 * Rented hosting (a hosting AS the credential never used) and Tor exits are never a trip.
 *
 * Known gaps: a stolen personal credential used abroad with the owner's client family, a plausible
 * flight time after the owner's last use, is silent here (resource breadth, volume, first-seen
 * action, and impossible travel once the owner uses it again at home cover the theft); GeoIP
 * country errors near borders; no bordering-country logic.
 */
export const tokenGeoFirstSeenCountry = defineDetector({
  id: 'token.geo.first_seen_country',
  name: 'Token used from a never-seen country',
  description:
    "The token was used from a country that neither it, its owner's other tokens nor its reference baseline has been used from.",
  version: 2,
  severity: 'medium',
  riskScore: 55,
  category: 'iam',
  mitre: ['TA0001:T1078.004', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'source.geo.country_iso_code',
    'source.geo.city_name',
    'source.geo.location',
    'user_agent.name',
    'source.ip',
    'tokenwatch.network.cloud_provider',
    'tokenwatch.network.ip_prefix',
    'tokenwatch.network.class',
    'tokenwatch.network.geo_precision',
    'tokenwatch.network.geo_accuracy_km',
    'source.geo.city_name',
    'source.geo.region_iso_code',
    'source.as.number',
    'source.as.organization.name',
  ],
  summary:
    "First use from a country never seen for the token/owner/reference. Silent for workload cloud/hosting egress (class cloud; hosting whose AS the credential already used), the org's declared egress (corporate), failed attempts, the org's shared egress (SDP node abroad) and a person's plausible trip: a person-driven credential (human, or a per-user grant from a non-cloud address) with its usual client at a plausible speed from the latest non-cloud use of it or its owner's other credentials (a device joining a person already abroad is judged by its own last use; N2). Speeds come from the uncertainty regions; country-only locations are judged by bordering countries. A Tor exit or rented hosting (a hosting AS the credential never used: an attacker's VPS) is never a trip.",
  knownGaps:
    "A stolen personal credential used abroad with the owner's client after a plausible flight time is silent here (unless from rented hosting or Tor); an attacker on hyperscaler compute (class cloud) is silent; GeoIP errors near borders.",
  falsePositives: [
    'Owner travelling abroad with an unusual client, or after no located use to judge the speed from',
    'Corporate VPN or SDP egress in another country used by fewer than 3 other people yet',
    'An integration vendor moving its servers to another country outside cloud ranges',
  ],
  goodlog: { unlabeled: 1 },
  // N2: 3 since the CI-runner-pool look-alike (issue 10): a PAT its CI uses from the US every day
  // is used from the traveling owner's laptop abroad, a country the token never saw
  goodlogSimulated: { N2: 3 },
  runbook: [
    'Ask the owner (or the integration owner) whether they or their service operate from this country.',
    'Check the network: residential ISP, mobile carrier, hosting/VPS, VPN or Tor exit.',
    'Review the actions and data volume of this token since the first event from the new country.',
    'Revoke the token if the use is not recognised.',
  ],
  settings: z.object({
    impossibleTravelKmh: z
      .number()
      .min(100)
      .max(5000)
      .default(900)
      .describe("Highest plausible travel speed for a person's trip, km/h"),
  }),
  groupWindowMs: 6 * 3_600_000,

  evaluate(activity, ctx, { settings }) {
    const country = newCountryOf(activity, ctx);
    const ref = ctx.reference;
    if (country === undefined || ref === undefined) return [];
    const atMs = eventTimeMs(activity);
    const prefix = activity.tokenwatch.network?.ip_prefix;
    if (isOrgEgress(ctx, prefix, atMs)) return [];
    if (personDriven(activity) && isOrgEgressBlock(ctx, prefix, atMs)) return [];

    const familiar = familiarViews(ctx);
    const ua = activity.user_agent?.name;
    // Sources without a user agent (Google Workspace) do not count against the trip.
    const familiarUa = ua === undefined || seenByAny(familiar, 'ua_family', ua);
    // A person is where their latest located use was, whichever credential made it.
    const last = [ctx.token.lastLocation, ctx.owner?.lastLocation, ref.view.lastLocation]
      .filter((l) => l !== undefined && !l.cloud)
      .sort((x, y) => (y?.at ?? 0) - (x?.at ?? 0))[0];
    const travel = travelFrom(last, activity, atMs);
    const maxKmh = settings.impossibleTravelKmh;
    // Tor exits and rented hosting are never a person's trip (network-stance.ts).
    const tor = activity.tokenwatch.network?.class === 'tor';
    const rented = isRentedHosting(activity, ctx);
    let plausible = !tor && !rented && plausibleTravel(travel, maxKmh);
    // A person whose latest use was already abroad is travelling: a device joining them (a phone
    // on a local carrier while the laptop goes through a VPN node elsewhere) is judged by its own
    // last use.
    const home = ref.view.top('country', 1)[0];
    if (
      !tor &&
      !rented &&
      !plausible &&
      last?.country !== undefined &&
      home !== undefined &&
      last.country !== home
    ) {
      const own = ctx.token.lastLocation;
      plausible = plausibleTravel(own?.cloud ? undefined : travelFrom(own, activity, atMs), maxKmh);
    }
    if (personDriven(activity) && familiarUa && plausible) return [];

    const city = activity.source?.geo?.city_name;
    const seenCountries = fmtTop(ref.view, 'country', 5);
    let reason =
      `${tokenLabel(activity)} was used from ${country}${city ? ` (${city})` : ''} for the first time; ` +
      `${historySpan(ref.view)} ${baselineName(ref.entity)} ${baselineWas(ref.entity)} only used from ${seenCountries}.`;
    if (!familiarUa && ua !== undefined) reason += ` The client family ${ua} is also new.`;
    else if (tor) reason += ' The address is a Tor exit.';
    else if (rented) reason += ` The address is ${hostingLabel(activity)}.`;
    else if (travel?.kind === 'distance' && last && !plausible) {
      reason += ` ${fmtNumber(travel.km, 0)} km from ${placeLabel(last)} in ${fmtDuration(travel.elapsedMs)} is faster than travel.`;
    } else if (travel?.kind === 'countries' && last && !plausible) {
      reason += ` ${travel.from} and ${travel.to} do not border each other and ${fmtDuration(travel.elapsedMs)} since the use from ${placeLabel(last)} is too short to travel.`;
    }
    const people = orgPeopleOn(ctx, prefix, atMs);
    if (people > 0) reason += ` ${people} other ${people === 1 ? 'person uses' : 'people use'} this network.`;

    return [
      {
        reason,
        explanation: {
          feature: 'source.geo.country_iso_code',
          observed: country,
          expected: `countries seen: ${seenCountries}`,
          ...referenceFacts(ref),
        },
      },
    ];
  },
});
