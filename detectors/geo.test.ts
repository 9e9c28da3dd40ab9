import { describe, expect, it } from 'vitest';
import { countriesBordering, judgeTravel } from './geo.js';

describe('countriesBordering', () => {
  it('uses the land borders of world-countries (ingestors/common/geo-distance.ts)', () => {
    expect(countriesBordering('DE', 'PL')).toBe(true);
    expect(countriesBordering('US', 'CA')).toBe(true);
    // not in the old hand-kept table: the library covers every country
    expect(countriesBordering('KE', 'TZ')).toBe(true);
    expect(countriesBordering('DE', 'ES')).toBe(false);
  });

  it('adds the Øresund fixed link, not the Channel Tunnel (London to Paris is over 2 h)', () => {
    expect(countriesBordering('DK', 'SE')).toBe(true);
    expect(countriesBordering('SE', 'DK')).toBe(true);
    expect(countriesBordering('GB', 'FR')).toBe(false);
  });
});

describe('judgeTravel', () => {
  const at = (country: string) => ({ lat: 0, lon: 0, country, precision: 'country' as const, accuracyKm: 0 });
  it('judges country-only ends by bordering countries, never by centroids', () => {
    expect(judgeTravel(at('DK'), 0, at('SE'), 60_000)).toMatchObject({
      kind: 'countries',
      relation: 'adjacent',
    });
    expect(judgeTravel(at('KE'), 0, at('UG'), 60_000)).toMatchObject({ relation: 'adjacent' });
    expect(judgeTravel(at('PT'), 0, at('FR'), 60_000)).toMatchObject({ relation: 'apart' });
  });

  it('measures between uncertainty circles for precise ends', () => {
    const berlin = { lat: 52.52, lon: 13.405, precision: 'city' as const, accuracyKm: 50 };
    const newYork = { lat: 40.71, lon: -74.01, precision: 'city' as const, accuracyKm: 20 };
    const j = judgeTravel(berlin, 0, newYork, 3_600_000);
    expect(j?.kind).toBe('distance');
    if (j?.kind !== 'distance') return;
    expect(j.centreKm).toBeCloseTo(6385, -1);
    expect(j.km).toBeCloseTo(j.centreKm - 70, 5);
  });
});
