import { defineDetector } from './define-detector.js';
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
} from './explain.js';
import { placeLabel, travelFrom } from './geo.js';
import { cloudProvider, familiarViews, isEndOfLife, seenByAny } from './lookup.js';

/**
 * `token.geo.first_seen_country`: `source.geo.country_iso_code` was never seen for this token, its
 * owner's other tokens, nor its reference baseline (the app's or owner's on cold start).
 *
 * Silent for cloud egress (a cloud region's country says nothing about a person or a theft) and
 * when the baseline has no located history. A person on a trip (N2: familiar client family, speed
 * from the last location plausible) gets a low, informational finding; a machine token or a new
 * client in a new country is medium.
 *
 * Known gaps: VPN / SDP egress in another country looks like travel; GeoIP country errors near
 * borders; no bordering-country suppression.
 */
export const tokenGeoFirstSeenCountry = defineDetector({
  id: 'token.geo.first_seen_country',
  name: 'Token used from a never-seen country',
  description:
    "The token was used from a country that neither it, its owner's other tokens nor its reference baseline has been used from.",
  version: 1,
  severity: 'medium',
  riskScore: 55,
  category: 'iam',
  mitre: ['TA0001:T1078.004', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['source.geo.country_iso_code', 'source.geo.location', 'user_agent.name'],
  falsePositives: [
    'Owner travelling abroad (same client family, plausible travel speed: reported as low)',
    'Corporate VPN or SDP egress in another country',
  ],
  runbook: [
    'Ask the owner (or the integration owner) whether they or their service operate from this country.',
    'Check the network: residential ISP, mobile carrier, hosting/VPS, VPN or Tor exit.',
    'Review the actions and data volume of this token since the first event from the new country.',
    'Revoke the token if the use is not recognised.',
  ],
  groupWindowMs: 6 * 3_600_000,

  evaluate(activity, ctx) {
    const country = activity.source?.geo?.country_iso_code;
    const ref = ctx.reference;
    if (country === undefined || ref === undefined || isEndOfLife(activity) || cloudProvider(activity))
      return [];
    if (ref.view.distinct('country') === 0) return [];
    const familiar = familiarViews(ctx);
    if (seenByAny(familiar, 'country', country)) return [];

    const atMs = eventTimeMs(activity);
    const ua = activity.user_agent?.name;
    // Sources without a user agent (Google Workspace) do not count against the trip.
    const familiarUa = ua === undefined || seenByAny(familiar, 'ua_family', ua);
    const last = ctx.token.lastLocation ?? ref.view.lastLocation;
    const travel = last?.cloud ? undefined : travelFrom(last, activity, atMs);
    const plausible = travel !== undefined && travel.kmh <= ctx.settings.impossibleTravelKmh;
    const trip = activity.token.principal === 'human' && familiarUa && plausible;

    const city = activity.source?.geo?.city_name;
    const seenCountries = fmtTop(ref.view, 'country', 5);
    let reason =
      `${tokenLabel(activity)} was used from ${country}${city ? ` (${city})` : ''} for the first time; ` +
      `${historySpan(ref.view)} ${baselineName(ref.entity)} ${baselineWas(ref.entity)} only used from ${seenCountries}.`;
    if (trip && travel && last) {
      reason +=
        `${ua ? ` Same client (${ua}) and` : ''} ${fmtNumber(travel.km, 0)} km from ${placeLabel(last)} in ${fmtDuration(travel.elapsedMs)} ` +
        'is plausible travel, so this is informational.';
    } else if (!familiarUa && ua !== undefined) {
      reason += ` The client family ${ua} is also new.`;
    }

    return [
      {
        reason,
        explanation: {
          feature: 'source.geo.country_iso_code',
          observed: country,
          expected: `countries seen: ${seenCountries}`,
          ...referenceFacts(ref),
        },
        ...(trip ? { severity: 'low' as const, riskScore: 30 } : {}),
      },
    ];
  },
});
