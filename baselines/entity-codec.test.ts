import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { ByteReader, ByteWriter } from './byte-codec.js';
import { DEFAULT_BASELINE_CONFIG } from './config.js';
import { EntityBaseline, stateBytes } from './entity-baseline.js';
import { decodeEntityState, ENTITY_STATE_VERSION, encodeEntityState } from './entity-codec.js';
import { type EntityStateJSON, entityStateSchema } from './entity-state.js';
import { BaselineStateError } from './errors.js';
import { loadStore, saveStore } from './persistence.js';
import {
  activityFixture,
  developerTokenHistory,
  FIXTURE_TIME_MS,
  snapshotView,
  trainStore,
} from './testing.js';
import type { EntityKind } from './types.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const KINDS: EntityKind[] = ['token', 'app', 'owner'];
const HOUR = 3_600_000;

/** decode(encode(s)) equals s, and encoding the decoded state gives the same bytes. */
const roundTrips = (s: EntityStateJSON): Uint8Array => {
  const bytes = encodeEntityState(s);
  expect(bytes[0]).toBe(ENTITY_STATE_VERSION);
  const back = decodeEntityState(bytes, 'test');
  expect(back).toEqual(s);
  expect(encodeEntityState(back)).toEqual(bytes);
  return bytes;
};

/** The version 1 entity lines of the committed fixture, in file order. */
const fixtureLines = (): EntityStateJSON[] =>
  gunzipSync(readFileSync(`${FIXTURES}v1-state/baselines.ndjson.gz`))
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => entityStateSchema.parse(JSON.parse(l)));

describe('entity state version 2 (binary)', () => {
  it('loads the version 1 state directory written by an earlier release, entity for entity, and saves it as version 2', async () => {
    const v1 = fixtureLines();
    const store = await loadStore(`${FIXTURES}v1-state`);
    expect(KINDS.map((k) => store.size(k))).toEqual([51, 17, 31]);
    const loaded = KINDS.flatMap((k) => [...store.entities(k)].map((e) => e.toJSON()));
    expect(loaded).toEqual(v1);
    expect(store.org.toJSON()).toEqual(
      JSON.parse(gunzipSync(readFileSync(`${FIXTURES}v1-state/org.json.gz`)).toString('utf8')),
    );
    const mature = [...store.entities('token')].filter((e) => e.maturity === 'mature');
    expect(mature.length).toBeGreaterThan(10);

    // every entity round-trips through version 2, about half the size of its version 1 JSON
    let v1Bytes = 0;
    let v2Bytes = 0;
    for (const s of v1) {
      v2Bytes += roundTrips(s).length;
      v1Bytes += Buffer.byteLength(JSON.stringify(s));
    }
    expect(v2Bytes / v1Bytes).toBeLessThan(0.6);

    const dir = await mkdtemp(join(tmpdir(), 'tw-entity-codec-'));
    await saveStore(store, dir);
    const again = await loadStore(dir);
    expect(KINDS.flatMap((k) => [...again.entities(k)].map((e) => e.toJSON()))).toEqual(v1);
    for (const k of KINDS)
      expect([...again.entities(k)].map((e) => snapshotView(e))).toEqual(
        [...store.entities(k)].map((e) => snapshotView(e)),
      );
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates version 1 changelog records (JSON entity values of a detect task) exactly', () => {
    const records = readFileSync(`${FIXTURES}v1-changelog-entities.ndjson`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; value: string });
    expect(records).toHaveLength(9);
    for (const r of records) {
      const value = Buffer.from(r.value, 'base64');
      expect(value.subarray(0, 1).toString()).toBe('j');
      const body = value.subarray(1);
      const v1 = JSON.parse(body.toString('utf8'));
      const migrated = decodeEntityState(body, r.key);
      expect(migrated).toEqual(v1);
      const [, kind, id] = r.key.split('\u0000');
      expect([migrated.k, migrated.id]).toEqual([kind, id]);
      const e = EntityBaseline.decode(body, DEFAULT_BASELINE_CONFIG, r.key);
      expect(EntityBaseline.decode(e.encode(), DEFAULT_BASELINE_CONFIG, r.key).toJSON()).toEqual(v1);
      expect(e.encode().length).toBeLessThan(body.length * 0.6);
    }
  });

  it('round-trips real entities trained from random activity, late events and lifecycle included (property)', () => {
    const event = fc.record({
      dt: fc.integer({ min: -60 * HOUR, max: 3 * HOUR }),
      ip: fc.oneof(
        fc.ipV4(),
        fc.constantFrom('2001:db8::1', '2001:db8:1:2::7', '::ffff:192.0.2.1'),
        fc.constant(undefined),
      ),
      country: fc.constantFrom('DE', 'US', 'FR', undefined),
      city: fc.constantFrom('Berlin', 'Zürich', 'São Paulo', '東京', undefined),
      action: fc.constantFrom('git.clone', 'git.push', 'api.request', 'repo.download_zip'),
      resource: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
      asn: fc.option(fc.integer({ min: 0, max: 4_294_967_295 }), { nil: undefined }),
      rows: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
      bytes: fc.option(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e9, noNaN: true })),
        {
          nil: undefined,
        },
      ),
      lifecycle: fc.constantFrom('used', 'used', 'used', 'created', 'revoked', 'authorized'),
      failed: fc.boolean(),
      accuracy: fc.option(fc.double({ min: 0, max: 20_000, noNaN: true }), { nil: undefined }),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      user: fc.constantFrom('alice@example.com', 'bob@example.com'),
      client: fc.constantFrom('Iv1.a', 'Iv1.b', undefined),
      scopes: fc.subarray(['repo', 'read:org', 'workflow', 'gist']),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }),
        (evs, cap) => {
          let t = FIXTURE_TIME_MS;
          const acts: TokenActivity[] = evs.map((e, i) => {
            t += Math.max(0, e.dt) + 1;
            const at = e.dt < 0 ? t + e.dt : t;
            const prefix =
              e.ip === undefined
                ? undefined
                : e.ip.includes(':')
                  ? '2001:db8:1:2::/64'
                  : `${e.ip.split('.').slice(0, 3).join('.')}.0/24`;
            return activityFixture({
              at,
              event: { id: `e${i}`, action: e.action, outcome: e.failed ? 'failure' : 'success' },
              user: { email: e.user },
              source:
                e.ip === undefined
                  ? undefined
                  : {
                      ip: e.ip,
                      geo: {
                        country_iso_code: e.country,
                        city_name: e.city,
                        location: { lat: e.lat, lon: 13.405 },
                      },
                      as: e.asn === undefined ? undefined : { number: e.asn },
                    },
              token: {
                lifecycle: e.lifecycle as 'used',
                client: e.client === undefined ? undefined : { id: e.client },
                scopes: e.scopes,
              },
              tokenwatch: {
                resource: { type: 'repo', name: e.resource },
                volume: { rows: e.rows, bytes: e.bytes, items: undefined },
                network: {
                  ip_prefix: prefix,
                  geo_accuracy_km: e.accuracy,
                  geo_precision: e.accuracy === undefined ? undefined : 'city',
                  class: e.accuracy === undefined ? undefined : 'residential',
                },
              },
            });
          });
          const store = trainStore(acts, { setCap: cap, learningDays: 0, learningEvents: 1 });
          for (const k of KINDS) {
            for (const e of store.entities(k)) {
              const bytes = roundTrips(e.toJSON());
              const back = EntityBaseline.decode(bytes, store.config, 'test');
              expect(snapshotView(back)).toEqual(snapshotView(e));
              expect(stateBytes(back)).toBe(bytes.length);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('round-trips edge values exactly: fractions, huge and negative times, non-canonical addresses, unicode, empty parts', () => {
    const base = trainStore(developerTokenHistory({ days: 10, bytes: true }))
      .get('token', 'github:hash:devtoken')
      ?.toJSON();
    const seed = base ?? [...trainStore(developerTokenHistory({ days: 10 })).entities('token')][0]!.toJSON();
    const finite = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.constantFrom(0, -1, 0.1, 1e-7, 2 ** 53 - 1, -(2 ** 53), 1e300, 5e-324, 1748822568818.5),
    );
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('010.1.2.0/24', '1.2.3.4/24', '256.1.1.0/24', '1.2.3.0/24', '0123', '', '\u{1F600}x'),
    );
    fc.assert(
      fc.property(finite, finite, finite, text, text, fc.nat(), (a, b, c, s1, s2, n) => {
        const s = structuredClone(seed);
        s.f = Math.trunc(b);
        s.hs.mx[4] = Math.abs(a);
        s.hs.rb[3] = s.hs.rb[1] === 0 ? 0 : s.hs.rb[1]!.map(() => Math.abs(c));
        s.hs.ph = c;
        s.rv = a;
        s.nr = [b, c];
        s.s.ip_prefix = [n % 5, [s1, 1, a, Math.abs(b)], [s2, n, c, 0]];
        s.s.asn = [0, [s2, 2, 0, 0], ['13335', 1, 0, 0]];
        s.s.resource = [0, [s1, 1, 0, 0], [`${s1}${s2}`, 1, 0, 0], [s2, 1, 0, 0]];
        s.sc = [s1, s2, `${s1}/x`];
        s.ll = [a, b, s1, c, 1, s2, null, 'city', Math.abs(a), null];
        s.cr = [c, s1, null, s2];
        if (n % 2 === 0) delete s.ah;
        roundTrips(entityStateSchema.parse(s));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every truncation and an unknown version with a BaselineStateError, never anything else', () => {
    const s = trainStore(developerTokenHistory({ days: 20 }))
      .entities('token')
      .next()
      .value!.toJSON();
    const bytes = encodeEntityState(s);
    for (let n = 0; n < bytes.length; n++) {
      const err = (() => {
        try {
          decodeEntityState(bytes.subarray(0, n), 'cut');
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(err, `cut at ${n}`).toBeInstanceOf(BaselineStateError);
      expect((err as BaselineStateError).code).toBe('BASELINE_STATE_CORRUPT');
    }
    expect(() => decodeEntityState(Uint8Array.of(3, 0), 'v3')).toThrow(
      /entity state version 3 is not supported/,
    );
    const longer = Uint8Array.from([...bytes, 0]);
    expect(() => decodeEntityState(longer, 'x')).toThrow(/trailing bytes/);
  });

  it('keeps a mature developer token near half of its version 1 JSON', () => {
    const e = trainStore(developerTokenHistory({ days: 45, bytes: true }))
      .entities('token')
      .next().value!;
    expect(e.maturity).toBe('mature');
    const json = Buffer.byteLength(JSON.stringify(e.toJSON()));
    expect(stateBytes(e)).toBeLessThan(json * 0.6);
    expect(stateBytes(e)).toBeLessThan(1200);
  });
});

describe('ByteWriter / ByteReader', () => {
  it('reads back every finite number exactly, as a delta to any base', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.maxSafeInteger()),
        fc.oneof(fc.constant(0), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (v, base) => {
          const w = new ByteWriter(4);
          w.num(v, base);
          w.num(-v);
          const r = new ByteReader(w.bytes(), 'num');
          expect(r.num(base)).toBe(v);
          expect(r.num()).toBe(-v);
          expect(r.done).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes small integers in one byte, times as short deltas, coordinates as decimals', () => {
    const size = (f: (w: ByteWriter) => void): number => {
      const w = new ByteWriter(1);
      f(w);
      return w.length;
    };
    expect(size((w) => w.num(31))).toBe(1);
    expect(size((w) => w.num(1_748_822_568_818 + 3_600_000, 1_748_822_568_818))).toBe(4);
    expect(size((w) => w.num(52.52))).toBe(4);
    expect(size((w) => w.num(Math.PI))).toBe(10);
    expect(size((w) => w.uv(2 ** 53 - 1))).toBe(8);
  });

  it('front-codes strings without splitting a surrogate pair', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }), (list) => {
        const w = new ByteWriter(2);
        let prev = '';
        for (const s of list) {
          w.strAfter(s, prev);
          prev = s;
        }
        const r = new ByteReader(w.bytes(), 'str');
        prev = '';
        for (const s of list) {
          prev = r.strAfter(prev);
          expect(prev).toBe(s);
        }
        expect(r.done).toBe(true);
      }),
    );
    const w = new ByteWriter();
    w.strAfter('a\u{1F600}', 'a\u{1F601}');
    expect(new ByteReader(w.bytes(), 's').strAfter('a\u{1F601}')).toBe('a\u{1F600}');
  });

  it('reports truncated varints and strings as corrupt state', () => {
    expect(() => new ByteReader(Uint8Array.of(0x80), 'v').uv()).toThrow(/truncated/);
    expect(() => new ByteReader(Uint8Array.of(5, 65), 's').str()).toThrow(/truncated string/);
    expect(() => new ByteReader(Uint8Array.of(2, 0xc3, 0x28), 's').str()).toThrow(/invalid UTF-8/);
  });
});
