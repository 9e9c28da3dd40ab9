import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFileSchema } from './labels.js';
import { carrierPoolAddress, ipv6HomeAddress, vpsAddress } from './noise.js';
import type { Person } from './population-types.js';
import { readRaw } from './raw-reader.js';
import { simulate } from './simulate.js';

const geoip = createRequire(import.meta.url)('geoip-lite') as {
  lookup(ip: string): { country: string; city: string; area: number } | null;
};

const person = (idx: number, country: string) => ({ idx, home: { country, city: 'x' } }) as unknown as Person;

describe('noise addresses (checked with geoip-lite 1.4)', () => {
  it('IPv6 homes geolocate to their country only (no city)', () => {
    for (const country of ['DE', 'US', 'AU', 'BR', 'CH']) {
      for (let idx = 0; idx < 60; idx++) {
        const a = ipv6HomeAddress(person(idx, country));
        const hit = geoip.lookup(a?.ip ?? '');
        expect(hit?.country, a?.ip).toBe(country);
        expect(hit?.city, a?.ip).toBe('');
      }
    }
    expect(ipv6HomeAddress(person(1, 'GB'))).toBeUndefined();
  });

  it('carrier pool addresses stay in their country, rotate over time, and some are country-only', () => {
    for (const country of ['DE', 'US', 'GB', 'FR', 'ES', 'JP', 'IT', 'CA']) {
      const ips = new Set<string>();
      let countryOnly = 0;
      for (let slot = 0; slot < 40; slot++) {
        const a = carrierPoolAddress(country, 7, slot * 90 * 60_000);
        const hit = geoip.lookup(a?.ip ?? '');
        expect(hit?.country, a?.ip).toBe(country);
        if (hit?.city === '') countryOnly++;
        ips.add(a?.ip ?? '');
      }
      expect(ips.size, country).toBeGreaterThan(30);
      expect(countryOnly, country).toBeGreaterThan(0);
    }
  });

  it('a personal VPS sits in a hosting or cloud range of the home country where one is listed', () => {
    expect(geoip.lookup(vpsAddress(person(3, 'DE')).ip)?.country).toBe('DE');
    expect(geoip.lookup(vpsAddress(person(3, 'FR')).ip)?.country).toBe('FR');
    expect(vpsAddress(person(3, 'US')).kind).toBe('cloud');
  });
});

describe('simulate with noise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenwatch-noise-'));
  const names = new Map<string, number>();
  let ghDestroyWithoutToken = 0;
  const sf = { logouts: 0, failedLogins: 0, logins: 0 };

  beforeAll(async () => {
    await simulate({
      outDir: dir,
      seed: 5,
      days: 40,
      people: 10,
      volume: 0.3,
      noise: true,
      incidents: 'none',
    });
    for (const r of readRaw(dir)) {
      if (r.source === 'google_workspace') {
        for (const e of (r.record as unknown as { events: { name: string }[] }).events)
          names.set(e.name, (names.get(e.name) ?? 0) + 1);
      } else if (r.source === 'salesforce') {
        const rec = r.record as Record<string, unknown>;
        const type = String(rec['EVENT_TYPE'] ?? (rec['attributes'] as { type?: string } | undefined)?.type);
        if (type === 'Logout' || type === 'LogoutEvent') sf.logouts++;
        if (type === 'Login' || type === 'LoginEvent') {
          sf.logins++;
          const status = rec['LOGIN_STATUS'] ?? rec['Status'];
          if (status !== 'LOGIN_NO_ERROR' && status !== 'Success') sf.failedLogins++;
        }
      } else if (r.source === 'github') {
        if (r.record['action'] === 'personal_access_token.destroy' && r.record['hashed_token'] === undefined)
          ghDestroyWithoutToken++;
      }
    }
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('emits the everyday session churn: logouts, failed logins, re-consents, PAT deletions naming no token', () => {
    expect(names.get('logout') ?? 0).toBeGreaterThan(20);
    expect(names.get('login_failure') ?? 0).toBeGreaterThan(0);
    expect(names.get('authorize') ?? 0).toBeGreaterThan(0);
    expect(ghDestroyWithoutToken).toBeGreaterThan(0);
  });

  it('emits Salesforce logouts (Logout / LogoutEvent) and failed password logins for browser sessions', () => {
    expect(sf.logouts).toBeGreaterThan(20);
    expect(sf.failedLogins, JSON.stringify(sf)).toBeGreaterThan(0);
    expect(sf.failedLogins).toBeLessThan(sf.logins * 0.2);
  });

  it('labels the noise look-alikes', () => {
    const labels = labelsFileSchema.parse(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')));
    const kinds = new Set(labels.lookalikes.map((l) => l.kind));
    expect(kinds.has('N9')).toBe(true);
    expect(kinds.has('N12')).toBe(true);
  });
});
