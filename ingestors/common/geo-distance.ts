import { createRequire } from 'node:module';

/**
 * Distances a detector can defend, between GeoIP locations that carry their uncertainty.
 *
 * A GeoIP hit is not a point: MaxMind (geoip-lite's data) gives a city's coordinates with an
 * accuracy radius (`area`, km; 1,000 km for an address placed only in the US), or only a country.
 * {@link regionDistanceKm} measures the gap between two uncertainty circles, the smallest distance
 * any pair of true positions could have. Country-only pairs are never turned into points (a
 * country's centroid says nothing about where a person is): {@link countriesAdjacent} tells whether
 * two countries share a land border, from the `world-countries` package (mledoze/countries, ODbL;
 * `borders` lists land borders as ISO 3166-1 alpha-3 codes, mapped here to alpha-2).
 */

/** Mean Earth radius, km (IUGG). */
export const EARTH_RADIUS_KM = 6371.0088;

/** A point in degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** A location with its uncertainty: the true position lies within `radiusKm` of the centre. */
export interface UncertainLocation extends LatLon {
  /** Accuracy radius, km (geoip-lite `area`, `tokenwatch.network.geo_accuracy_km`); 0 = exact. */
  radiusKm: number;
}

/** Great-circle distance between two points, km (haversine on a sphere of {@link EARTH_RADIUS_KM}). */
export function greatCircleKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Smallest possible distance between two uncertainty regions, km:
 * `max(0, centreDistance - r1 - r2)`. Zero when the circles overlap (the two uses may have come
 * from the same place). A negative or non-finite radius is a caller bug and throws `RangeError`.
 */
export function regionDistanceKm(a: UncertainLocation, b: UncertainLocation): number {
  for (const r of [a.radiusKm, b.radiusKm]) {
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`accuracy radius must be >= 0 km, got ${r}`);
  }
  return Math.max(0, greatCircleKm(a, b) - a.radiusKm - b.radiusKm);
}

interface WorldCountry {
  cca2: string;
  cca3: string;
  borders: string[];
}

let borderTable: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** Land-border table by ISO alpha-2 code, built once from `world-countries` on first use. */
function borders(): ReadonlyMap<string, ReadonlySet<string>> {
  if (borderTable) return borderTable;
  const countries = createRequire(import.meta.url)('world-countries/countries.json') as WorldCountry[];
  const alpha2 = new Map(countries.map((c) => [c.cca3, c.cca2]));
  const table = new Map<string, Set<string>>();
  const link = (x: string, y: string) => {
    const set = table.get(x) ?? new Set<string>();
    set.add(y);
    table.set(x, set);
  };
  for (const c of countries) {
    for (const b of c.borders) {
      const other = alpha2.get(b);
      if (other === undefined) continue;
      // symmetric even if the source lists a border on one side only
      link(c.cca2, other);
      link(other, c.cca2);
    }
  }
  borderTable = table;
  return table;
}

/**
 * Whether two countries (ISO 3166-1 alpha-2, any case) share a land border, e.g. `FR`/`DE` no,
 * `FR`/`BE` yes, `US`/`CA` yes, `GB`/`FR` no (the Channel Tunnel is not a land border). A country
 * is not adjacent to itself (compare codes for that). Unknown codes are adjacent to nothing.
 */
export function countriesAdjacent(a: string, b: string): boolean {
  return borders().get(a.toUpperCase())?.has(b.toUpperCase()) ?? false;
}

/** The land neighbours of a country (alpha-2, sorted); empty for islands and unknown codes. */
export function landNeighbours(country: string): string[] {
  return [...(borders().get(country.toUpperCase()) ?? [])].sort();
}
