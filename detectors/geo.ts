import type { LastLocation } from '../baselines/types.js';
import {
  regionDistanceKm as circleGapKm,
  countriesAdjacent,
  greatCircleKm,
} from '../ingestors/common/geo-distance.js';
import type { GeoPrecision, NetworkClass, TokenActivity } from '../schemas/token-activity.js';
import { HOUR_MS } from './explain.js';

/** Shortest time span used for speed, so two uses in the same second give a finite speed. */
export const MIN_TRAVEL_MS = 60_000;

/**
 * The move from the last located use to this activity, judged with both ends' precision
 * ({@link judgeTravel}); undefined when either has no location.
 */
export function travelFrom(
  last: LastLocation | undefined,
  activity: TokenActivity,
  atMs: number,
): TravelJudgement | undefined {
  if (last === undefined) return undefined;
  const here = regionOfActivity(activity);
  const there = regionOfLocation(last);
  if (here === undefined || there === undefined) return undefined;
  return judgeTravel(there, last.at, here, atMs);
}

/** True when a judged move is one a person can make (`maxKmh` for distances; bordering countries). */
export const plausibleTravel = (j: TravelJudgement | undefined, maxKmh: number): boolean =>
  j !== undefined && !tooFast(j, maxKmh, 0);

/** `Berlin, DE` / `DE` / `52.52,13.41` for a place. */
export function placeLabel(p: {
  city?: string | undefined;
  country?: string | undefined;
  lat: number;
  lon: number;
}): string {
  const parts = [p.city, p.country].filter((x): x is string => x !== undefined && x !== '');
  return parts.length > 0 ? parts.join(', ') : `${p.lat.toFixed(2)},${p.lon.toFixed(2)}`;
}

/**
 * Accuracy radius (km) assumed for a city-level GeoIP answer that carries no radius
 * (`tokenwatch.network.geo_accuracy_km` absent): MaxMind's typical radius for a city match is
 * 5-100 km (geoip-lite's `area`); 50 km keeps the distance between two such regions honest.
 */
export const DEFAULT_CITY_ACCURACY_KM = 50;
/** Radius (km) assumed for a region-level answer (a state or province) without a radius. */
export const DEFAULT_REGION_ACCURACY_KM = 250;
/**
 * A "city" whose uncertainty radius exceeds this (km) is no better than its country: geoip-lite
 * answers `area` 200-1000 km for ranges it knows only roughly (a country's default location).
 */
export const MAX_POINT_ACCURACY_KM = 250;
/**
 * Shortest door-to-door time (ms) between two countries that do not border each other: crossing
 * a third country or a sea (airport to airport, the Channel Tunnel) takes at least 2 h. Used only
 * when a location is known to the country alone, where a distance would be invented.
 */
export const NON_ADJACENT_COUNTRY_MIN_MS = 2 * HOUR_MS;

/**
 * One end of a possible journey: where GeoIP says a use was, and how precisely. `precision`
 * `city` / `region` is a circle of `accuracyKm` around `lat`/`lon`; `country` means only the
 * country is known (its `lat`/`lon` is a centroid and must never be measured from).
 */
export interface GeoRegion {
  lat: number;
  lon: number;
  country?: string;
  city?: string;
  precision: Exclude<GeoPrecision, 'none'>;
  /** Uncertainty radius, km (0 for `country`: not a circle). */
  accuracyKm: number;
  netClass?: NetworkClass;
}

/**
 * Precision of a location from what enrichment recorded (`tokenwatch.network.geo_precision`,
 * `geo_accuracy_km`), else from the shape of the answer (a city name: city with the default
 * radius; a region code: region; nothing finer: country). A mobile carrier's address is at best
 * its country: CGNAT pools are shared by subscribers across the country and geolocate to wherever
 * the pool was registered. A radius over {@link MAX_POINT_ACCURACY_KM} is country level.
 */
function regionOf(
  lat: number,
  lon: number,
  fields: {
    country?: string | undefined;
    city?: string | undefined;
    region?: string | undefined;
    precision?: GeoPrecision | undefined;
    accuracyKm?: number | undefined;
    netClass?: NetworkClass | undefined;
  },
): GeoRegion | undefined {
  let precision: GeoPrecision =
    fields.precision ??
    (fields.city !== undefined && fields.city !== ''
      ? 'city'
      : fields.region !== undefined
        ? 'region'
        : 'country');
  if (precision === 'none') return undefined;
  let accuracyKm =
    fields.accuracyKm ??
    (precision === 'city'
      ? DEFAULT_CITY_ACCURACY_KM
      : precision === 'region'
        ? DEFAULT_REGION_ACCURACY_KM
        : 0);
  if (fields.netClass === 'mobile' || (precision !== 'country' && accuracyKm > MAX_POINT_ACCURACY_KM)) {
    precision = 'country';
    accuracyKm = 0;
  }
  const r: GeoRegion = { lat, lon, precision, accuracyKm };
  if (fields.country !== undefined) r.country = fields.country;
  if (fields.city !== undefined && fields.city !== '') r.city = fields.city;
  if (fields.netClass !== undefined) r.netClass = fields.netClass;
  return r;
}

/** The {@link GeoRegion} of an activity's `source.geo`, or undefined without a location. */
export function regionOfActivity(activity: TokenActivity): GeoRegion | undefined {
  const geo = activity.source?.geo;
  const loc = geo?.location;
  if (loc === undefined) return undefined;
  const net = activity.tokenwatch.network;
  return regionOf(loc.lat, loc.lon, {
    country: geo?.country_iso_code,
    city: geo?.city_name,
    region: geo?.region_iso_code,
    precision: net?.geo_precision,
    accuracyKm: net?.geo_accuracy_km,
    netClass: net?.class,
  });
}

/** The {@link GeoRegion} of a stored last location (precision as recorded with it). */
export function regionOfLocation(l: LastLocation): GeoRegion | undefined {
  return regionOf(l.lat, l.lon, {
    country: l.country,
    city: l.city,
    precision: l.precision,
    accuracyKm: l.accuracyKm,
    netClass: l.netClass,
  });
}

/**
 * Fixed links between countries without a land border, crossed in well under
 * {@link NON_ADJACENT_COUNTRY_MIN_MS}: the Øresund bridge (Copenhagen to Malmö, 35 min by train).
 * (The Channel Tunnel is not listed: London to Paris takes 2 h 16 min at best.) Symmetric.
 */
const FIXED_LINKS: readonly (readonly [string, string])[] = [['DK', 'SE']];

/**
 * True when two countries (ISO 3166-1 alpha-2) share a land border (`world-countries` through
 * ingestors/common/geo-distance.ts) or a {@link FIXED_LINKS fixed link}.
 */
export function countriesBordering(a: string, b: string): boolean {
  return (
    countriesAdjacent(a, b) || FIXED_LINKS.some(([x, y]) => (x === a && y === b) || (x === b && y === a))
  );
}

/**
 * Shortest distance (km) between two uncertainty regions (0 when they overlap): the gap between
 * their circles (ingestors/common/geo-distance.ts `regionDistanceKm`). Meaningful for `city` /
 * `region` precision only; a `country` region has radius 0 and a centroid, never measure it.
 */
export function regionDistanceKm(a: GeoRegion, b: GeoRegion): number {
  return circleGapKm(
    { lat: a.lat, lon: a.lon, radiusKm: a.accuracyKm },
    { lat: b.lat, lon: b.lon, radiusKm: b.accuracyKm },
  );
}

/**
 * How a move between two located uses is judged:
 * - `distance`: both ends are precise (city or region circles): `km` is the distance between the
 *   circles (never their centres), `kmh` the speed it needs over `elapsedMs`;
 * - `countries`: at least one end is known to its country only: `same` / `adjacent` countries
 *   explain any move, two non-bordering countries need {@link NON_ADJACENT_COUNTRY_MIN_MS}.
 */
export type TravelJudgement =
  | { kind: 'distance'; km: number; centreKm: number; elapsedMs: number; kmh: number }
  | {
      kind: 'countries';
      from: string;
      to: string;
      relation: 'same' | 'adjacent' | 'apart';
      elapsedMs: number;
    };

/** Judges the move from `from` (used at `fromMs`) to `to` (used at `toMs`); undefined when a country is unknown. */
export function judgeTravel(
  from: GeoRegion,
  fromMs: number,
  to: GeoRegion,
  toMs: number,
): TravelJudgement | undefined {
  const elapsedMs = Math.abs(toMs - fromMs);
  if (from.precision === 'country' || to.precision === 'country') {
    if (from.country === undefined || to.country === undefined) return undefined;
    const relation =
      from.country === to.country
        ? 'same'
        : countriesBordering(from.country, to.country)
          ? 'adjacent'
          : 'apart';
    return { kind: 'countries', from: from.country, to: to.country, relation, elapsedMs };
  }
  const km = regionDistanceKm(from, to);
  return {
    kind: 'distance',
    km,
    centreKm: greatCircleKm(from, to),
    elapsedMs,
    kmh: km / (Math.max(elapsedMs, MIN_TRAVEL_MS) / HOUR_MS),
  };
}

/** True when the judged move is faster than anyone travels (`maxKmh`, `minKm` as in the settings). */
export function tooFast(j: TravelJudgement, maxKmh: number, minKm: number): boolean {
  if (j.kind === 'distance') return j.km >= minKm && j.kmh > maxKmh;
  return j.relation === 'apart' && j.elapsedMs < NON_ADJACENT_COUNTRY_MIN_MS;
}

/** `city ±25 km` / `country only` / `region ±250 km`: how precise a location is, for alerts. */
export function precisionLabel(r: GeoRegion): string {
  if (r.precision === 'country')
    return r.netClass === 'mobile' ? 'country only (mobile carrier)' : 'country only';
  return `${r.precision} ±${Math.round(r.accuracyKm)} km`;
}
