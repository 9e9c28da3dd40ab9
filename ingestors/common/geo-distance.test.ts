import { describe, expect, it } from 'vitest';
import { countriesAdjacent, greatCircleKm, landNeighbours, regionDistanceKm } from './geo-distance.js';

// City-centre coordinates (WGS84, degrees) as published by the cities / Wikipedia infoboxes.
const PARIS = { lat: 48.8566, lon: 2.3522 };
const BERLIN = { lat: 52.52, lon: 13.405 };
const LONDON = { lat: 51.5074, lon: -0.1278 };
const NEW_YORK = { lat: 40.7128, lon: -74.006 };
const FRANKFURT = { lat: 50.1109, lon: 8.6821 };
const MAINZ = { lat: 49.9929, lon: 8.2473 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };

describe('greatCircleKm', () => {
  it('matches published great-circle distances between real cities', () => {
    // Paris-Berlin 878 km, London-Paris 344 km, London-New York 5,570 km, London-Sydney 16,990 km
    expect(greatCircleKm(PARIS, BERLIN)).toBeCloseTo(878, -1);
    expect(greatCircleKm(LONDON, PARIS)).toBeCloseTo(344, -1);
    expect(greatCircleKm(LONDON, NEW_YORK)).toBeCloseTo(5570, -1);
    expect(Math.abs(greatCircleKm(LONDON, SYDNEY) - 16_990)).toBeLessThan(20);
    expect(greatCircleKm(PARIS, PARIS)).toBe(0);
  });
});

describe('regionDistanceKm', () => {
  it('subtracts both accuracy radii from the centre distance', () => {
    const d = regionDistanceKm({ ...PARIS, radiusKm: 100 }, { ...BERLIN, radiusKm: 200 });
    expect(d).toBeCloseTo(greatCircleKm(PARIS, BERLIN) - 300, 6);
    expect(d).toBeGreaterThan(570);
    expect(d).toBeLessThan(585);
  });

  it('is zero when the uncertainty circles overlap (Frankfurt and Mainz, 50 km each)', () => {
    expect(greatCircleKm(FRANKFURT, MAINZ)).toBeGreaterThan(30);
    expect(regionDistanceKm({ ...FRANKFURT, radiusKm: 50 }, { ...MAINZ, radiusKm: 50 })).toBe(0);
  });

  it('equals the centre distance for exact points', () => {
    expect(regionDistanceKm({ ...LONDON, radiusKm: 0 }, { ...NEW_YORK, radiusKm: 0 })).toBeCloseTo(
      greatCircleKm(LONDON, NEW_YORK),
      9,
    );
  });

  it('keeps a country-wide radius (geoip-lite gives 1,000 km for US-only hits) from inventing travel', () => {
    // 8.8.8.8 geolocates to the US centroid (37.751, -97.822) with area 1000; New York is 2,000 km away
    const usOnly = { lat: 37.751, lon: -97.822, radiusKm: 1000 };
    const nyc = { ...NEW_YORK, radiusKm: 10 };
    expect(regionDistanceKm(usOnly, nyc)).toBeCloseTo(greatCircleKm(usOnly, NEW_YORK) - 1010, 6);
    expect(regionDistanceKm(usOnly, nyc)).toBeLessThan(1100);
  });

  it('rejects a negative radius', () => {
    expect(() => regionDistanceKm({ ...PARIS, radiusKm: -1 }, { ...BERLIN, radiusKm: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('countriesAdjacent', () => {
  it('knows land borders in both directions', () => {
    expect(countriesAdjacent('FR', 'BE')).toBe(true);
    expect(countriesAdjacent('BE', 'FR')).toBe(true);
    expect(countriesAdjacent('US', 'CA')).toBe(true);
    expect(countriesAdjacent('us', 'mx')).toBe(true);
    expect(countriesAdjacent('DE', 'AT')).toBe(true);
    expect(countriesAdjacent('ES', 'PT')).toBe(true);
  });

  it('says no for countries without a land border', () => {
    expect(countriesAdjacent('FR', 'GB')).toBe(false); // Channel Tunnel is not a land border
    expect(countriesAdjacent('DE', 'IT')).toBe(false);
    expect(countriesAdjacent('US', 'JP')).toBe(false);
    expect(countriesAdjacent('FR', 'FR')).toBe(false);
    expect(countriesAdjacent('XX', 'FR')).toBe(false);
  });

  it('lists neighbours (islands have none)', () => {
    expect(landNeighbours('DE')).toEqual(['AT', 'BE', 'CH', 'CZ', 'DK', 'FR', 'LU', 'NL', 'PL']);
    expect(landNeighbours('JP')).toEqual([]);
    expect(landNeighbours('AU')).toEqual([]);
  });
});
