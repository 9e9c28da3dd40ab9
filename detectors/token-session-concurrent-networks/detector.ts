import { z } from 'zod';
import type { WindowEntry } from '../../baselines/keyed-state.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { defineDetector } from '../define-detector.js';
import { DAY_MS, eventTimeMs, fmtDuration, fmtNumber, tokenLabel } from '../explain.js';
import {
  countriesBordering,
  type GeoRegion,
  placeLabel,
  regionDistanceKm,
  regionOfActivity,
} from '../geo.js';
import { isFailure, isUse, KNOWN_NETWORK_MIN_AGE_MS, knownNetwork, providerBlock } from '../lookup.js';
import { slidingWindow } from '../state.js';
import type { DetectorContext } from '../types.js';

/** Entries of one network are recorded at most this often (a busy token keeps its window short). */
const RECORD_EVERY_MS = 5 * 60_000;

/**
 * `token.session.concurrent_networks`: session continuity. One credential of a person (a session
 * family, an OAuth grant, a PAT) is in use from two distinct networks far apart *at the same
 * time*: used from network A, then B, then A again within `windowMs` (interleaved, so not a move:
 * a trip or a commute ends on the new network). A stolen session cookie or token replayed while
 * its owner keeps working is the model case (S4: an infostealer's MFA-satisfied session used from
 * a VPS abroad while the victim works from home).
 *
 * "Distinct" is the autonomous system (else the provider block /16); "far apart" is the distance
 * between the two GeoIP uncertainty regions (never centroids) of at least `minKm`, or, when an end
 * is known to its country only (carrier pools, IPv6 homes), two non-bordering countries. At least
 * one of the two networks must be new to the credential and its owner (a home and an office both
 * in use, e.g. a desktop left syncing, are known networks). High; a Tor exit on either end counts
 * whatever the distance.
 *
 * Cloud egress has no place but its country (a datacenter) and is known to the credential when
 * it or its owner used that cloud's AS before (their CI provider) for at least a day.
 *
 * Silent: machine credentials (a CI runner and a laptop share a PAT by design), VPN/SDP egress
 * (no place: a person toggling a VPN), private addresses, failed attempts.
 *
 * Known gaps: an attacker in the victim's region (same country or within `minKm`); replays from
 * VPN egress or from a cloud the owner already uses; a victim who stopped working when the attacker started (a move; the travel
 * detectors judge it).
 */
export const tokenSessionConcurrentNetworks = defineDetector({
  id: 'token.session.concurrent_networks',
  name: 'Credential used concurrently from two distant networks',
  description:
    "A person's session or token was in use from two distinct networks far apart at the same time (interleaved uses within minutes): a replayed session or stolen token used while its owner keeps working.",
  summary:
    "Session continuity: a person's credential used from network A, then B, then A again within `windowMs` (default 30 min), A and B different ASNs (else /16), at least `minKm` apart between GeoIP uncertainty regions (country-only ends: non-bordering countries), at least one of them new to the credential and its owner (S4). High; Tor on either end counts at any distance; cloud egress counts by its country and is known when the credential or owner used that cloud's AS before. Silent for machine credentials, VPN/private egress (no place) and failures. Recent networks live in declared state (a sliding window per token).",
  knownGaps:
    'An attacker near the victim (same country or under `minKm`); replays from VPN egress or from a cloud the owner already uses; a victim who stopped working when the attacker started (a move, judged by the travel detectors).',
  version: 1,
  severity: 'high',
  riskScore: 78,
  category: 'session',
  mitre: ['TA0005:T1550.004', 'TA0006:T1539', 'TA0005:T1550.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: [
    'source.ip',
    'source.as.number',
    'source.geo.location',
    'source.geo.country_iso_code',
    'source.geo.city_name',
    'source.geo.region_iso_code',
    'tokenwatch.network.class',
    'tokenwatch.network.ip_prefix',
    'tokenwatch.network.geo_precision',
    'tokenwatch.network.geo_accuracy_km',
    'token.principal',
    'token.lifecycle',
    'event.outcome',
  ],
  falsePositives: [
    'A desktop client left running at home (syncing with the same grant) while its owner travels with a laptop',
    'A person working over a remote desktop in another country while also using the credential locally',
  ],
  runbook: [
    "Compare the two networks in the alert with where the owner is (ask them, check their calendar and the other network's history).",
    'If the owner is on one network only: revoke the session / token (Workspace sign-out and cookie reset, GitHub token revocation, Salesforce session kill) and force re-authentication with MFA.',
    "Look for an infostealer on the owner's device (the usual source of a replayed session) before issuing new credentials.",
  ],
  groupWindowMs: 6 * 3_600_000,
  settings: z.object({
    windowMs: z
      .number()
      .int()
      .min(60_000)
      .max(2 * 3_600_000)
      .default(30 * 60_000)
      .describe('Interleaved uses within this window are concurrent, ms (at most the 2 h the state keeps)'),
    minKm: z
      .number()
      .min(0)
      .max(20_000)
      .default(500)
      .describe("Least distance between the two networks' uncertainty regions, km"),
  }),
  state: {
    /** recent uses per credential: network, place and prefix (one entry per network per 5 min) */
    recent: slidingWindow({ key: 'token', windowMs: 2 * 3_600_000, cap: 48, maxKeys: 65_536 }),
  },

  observe(activity, { state }) {
    const here = networkOf(activity);
    if (here === undefined) return;
    const atMs = eventTimeMs(activity);
    const last = state.recent.entries().at(-1);
    if (last !== undefined && last.data.net === here.net && atMs - last.at < RECORD_EVERY_MS) return;
    state.recent.add(atMs, here);
  },

  evaluate(activity, ctx, { settings, state }) {
    const here = networkOf(activity);
    if (here === undefined) return [];
    const atMs = eventTimeMs(activity);
    const since = atMs - settings.windowMs;
    const recent = state.recent.entries(since).filter((e) => e.at <= atMs);
    // the latest earlier use on this network, and another network used after it: A ... B ... A(now)
    const lastHere = recent.findLastIndex((e) => e.data.net === here.net);
    if (lastHere < 0) return [];
    const hereRegion = regionOf(here);
    const hereKnown = known(ctx, here, atMs);
    for (const other of recent.slice(lastHere + 1).reverse()) {
      if (other.data.net === here.net) continue;
      const otherKnown = known(ctx, other.data, atMs);
      if (hereKnown && otherKnown) continue;
      const apart = farApart(
        hereRegion,
        regionOf(other.data),
        settings.minKm,
        here.cls === 'tor' || other.data.cls === 'tor',
      );
      if (apart === undefined) continue;
      const first = recent[lastHere] as WindowEntry;
      const [attacker, owner] = hereKnown ? [other.data, here] : [here, other.data];
      return [
        {
          reason:
            `${tokenLabel(activity)} was in use from two networks at once: ${describe(here)} at ${time(atMs)} and ` +
            `${describe(other.data)} at ${time(other.at)}, between uses from ${describe(here)} since ${time(first.at)} ` +
            `(${apart}, interleaved within ${fmtDuration(atMs - first.at)}); expected one network at a time ` +
            `(a move ends on the new network); ${describe(attacker)} is new to the credential and its owner` +
            `${known(ctx, owner, atMs) ? `, ${describe(owner)} is a known network` : ''}.`,
          explanation: {
            feature: 'concurrent_networks_per_credential',
            observed: `${here.net} + ${other.data.net}`,
            expected: `one network at a time within ${fmtDuration(settings.windowMs)} (networks at least ${fmtNumber(settings.minKm, 0)} km apart)`,
            window: fmtDuration(settings.windowMs),
            baseline_entity: 'token',
            history_days: Math.round((atMs - ctx.token.firstSeen) / DAY_MS) || 0,
            history_events: ctx.token.eventCount,
            maturity: ctx.token.maturity,
          },
        },
      ];
    }
    return [];
  },
});

type NetworkData = Record<string, string | number>;

/**
 * A network the credential or its owner already uses: the prefix (or its provider block) for a
 * while ({@link knownNetwork}); for cloud egress its autonomous system (the owner's CI provider).
 */
function known(ctx: DetectorContext, d: Readonly<NetworkData>, atMs: number): boolean {
  if (knownNetwork(ctx, String(d.prefix), atMs, atMs)) return true;
  if (d.cls !== 'cloud' || !String(d.net).startsWith('AS')) return false;
  const asn = String(d.net).slice(2);
  return [ctx.token, ctx.owner].some((v) => {
    const s = v?.seen('asn', asn);
    return s !== undefined && s.firstSeen <= atMs - KNOWN_NETWORK_MIN_AGE_MS;
  });
}

/** The network of a successful use of a person's credential, or undefined when it has no place. */
function networkOf(activity: TokenActivity): NetworkData | undefined {
  if (isFailure(activity) || !isUse(activity) || activity.token.principal !== 'human') return undefined;
  const net = activity.tokenwatch.network;
  const cls = net?.class;
  if (cls === 'vpn' || cls === 'private' || net?.ip_prefix === undefined) return undefined;
  const asn = activity.source?.as?.number;
  const key = asn !== undefined ? `AS${asn}` : (providerBlock(net.ip_prefix) ?? net.ip_prefix);
  const r = regionOfActivity(activity);
  // cloud egress is a datacenter: its country, never a point
  if (r !== undefined && cls === 'cloud') {
    r.precision = 'country';
    r.accuracyKm = 0;
  }
  const d: NetworkData = { net: key, prefix: net.ip_prefix, ip: activity.source?.ip ?? '' };
  if (cls !== undefined) d.cls = cls;
  if (r !== undefined) {
    d.lat = r.lat;
    d.lon = r.lon;
    d.prec = r.precision;
    d.acc = r.accuracyKm;
    if (r.country !== undefined) d.country = r.country;
    if (r.city !== undefined) d.city = r.city;
  } else if (activity.source?.geo?.country_iso_code !== undefined) {
    // known to its country only (no point): judged by countries, never measured
    Object.assign(d, {
      lat: 0,
      lon: 0,
      prec: 'country',
      acc: 0,
      country: activity.source.geo.country_iso_code,
    });
  }
  return d;
}

function regionOf(d: Readonly<NetworkData>): GeoRegion | undefined {
  if (typeof d.lat !== 'number' || typeof d.lon !== 'number') return undefined;
  const r: GeoRegion = {
    lat: d.lat,
    lon: d.lon,
    precision: d.prec as GeoRegion['precision'],
    accuracyKm: Number(d.acc ?? 0),
  };
  if (typeof d.country === 'string') r.country = d.country;
  if (typeof d.city === 'string') r.city = d.city;
  return r;
}

/** How far apart two places are, in words, or undefined when they may be the same place. */
function farApart(
  a: GeoRegion | undefined,
  b: GeoRegion | undefined,
  minKm: number,
  tor: boolean,
): string | undefined {
  if (tor) return 'one end is a Tor exit';
  if (a === undefined || b === undefined) return undefined;
  if (a.precision === 'country' || b.precision === 'country') {
    if (a.country === undefined || b.country === undefined || a.country === b.country) return undefined;
    if (countriesBordering(a.country, b.country)) return undefined;
    return `${a.country} and ${b.country} share no border`;
  }
  const km = regionDistanceKm(a, b);
  return km >= minKm ? `at least ${fmtNumber(km, 0)} km apart` : undefined;
}

function describe(d: Readonly<NetworkData>): string {
  const place = regionOf(d);
  const where =
    place === undefined ? undefined : place.precision === 'country' ? place.country : placeLabel(place);
  return `${d.ip} (${d.net}${d.cls !== undefined ? `, ${d.cls}` : ''}${where ? `, ${where}` : ''})`;
}

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
