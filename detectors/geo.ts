import type { LastLocation } from '../baselines/types.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { HOUR_MS } from './explain.js';

/** Mean Earth radius, km. */
const EARTH_KM = 6371.0088;

/** Great-circle distance in km between two points given in degrees (haversine). */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Shortest time span used for speed, so two uses in the same second give a finite speed. */
export const MIN_TRAVEL_MS = 60_000;

/** Distance (km), elapsed time (ms, absolute: late events count) and speed (km/h) between two uses. */
export interface Travel {
  km: number;
  elapsedMs: number;
  kmh: number;
}

/** Travel from the last located use to this activity, when both have coordinates. */
export function travelFrom(
  last: LastLocation | undefined,
  activity: TokenActivity,
  atMs: number,
): Travel | undefined {
  const here = activity.source?.geo?.location;
  if (last === undefined || here === undefined) return undefined;
  const km = haversineKm(last, here);
  const elapsedMs = Math.abs(atMs - last.at);
  return { km, elapsedMs, kmh: km / (Math.max(elapsedMs, MIN_TRAVEL_MS) / HOUR_MS) };
}

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
