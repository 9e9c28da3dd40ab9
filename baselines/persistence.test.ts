import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { BaselineStateError } from './errors.js';
import {
  BASELINE_FILE_GZ,
  BASELINE_FILE_PLAIN,
  BASELINE_V1_FILE_GZ,
  BASELINE_V1_FILE_PLAIN,
  loadStore,
  ORG_FILE,
  saveStore,
} from './persistence.js';
import type { BaselineStore } from './store.js';
import { activityFixture, developerTokenHistory, snapshotView, trainStore } from './testing.js';
import type { EntityKind } from './types.js';

const DAY = 86_400_000;
const KINDS: EntityKind[] = ['token', 'app', 'owner'];

/** Three developers' histories interleaved by time, plus lifecycle events and a second app. */
const corpus = (): TokenActivity[] => {
  const all = [1, 2, 3].flatMap((seed) =>
    developerTokenHistory({ days: 40, seed, tokenId: `github:hash:dev${seed}`, bytes: seed === 2 }).map(
      (a) => (seed === 3 ? { ...a, user: { ...a.user, email: 'bob@example.com' } } : a),
    ),
  );
  const t = (a: TokenActivity) => Date.parse(a['@timestamp']);
  all.sort((a, b) => t(a) - t(b));
  const t0 = t(all[0]!);
  all.push(
    activityFixture({ at: t0 + 20 * DAY, token: { id: 'github:hash:dev1', lifecycle: 'revoked' } }),
    activityFixture({
      at: t0 + 3 * DAY,
      token: { id: 'github:hash:ci', client: { id: 'Iv1.ci' } },
      source: undefined,
    }),
  );
  return all;
};

const snapshots = (store: BaselineStore) =>
  Object.fromEntries(KINDS.map((k) => [k, [...store.entities(k)].map((e) => snapshotView(e))]));
const states = (store: BaselineStore) =>
  Object.fromEntries(KINDS.map((k) => [k, [...store.entities(k)].map((e) => e.toJSON())]));

describe('saveStore / loadStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-baselines-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('restores equal views, and training after a restart gives the same state as without it', async () => {
    const events = corpus();
    const half = Math.floor(events.length / 2);
    const config = { learningDays: 7, learningEvents: 30, setCap: 4, maxEntities: 100 };
    const original = trainStore(events.slice(0, half), config);
    await saveStore(original, dir);
    const restored = await loadStore(dir, config);
    expect(restored.size('token')).toBe(original.size('token'));
    expect(restored.size('owner')).toBe(2);
    expect(snapshots(restored)).toEqual(snapshots(original));
    expect(states(restored)).toEqual(states(original));

    for (const a of events.slice(half)) {
      original.update(a);
      restored.update(a);
    }
    expect(states(restored)).toEqual(states(original));
    expect(snapshots(restored)).toEqual(snapshots(original));
    const dev1 = restored.get('token', 'github:hash:dev1')!;
    expect(dev1.revokedAt).toBeGreaterThan(0);
    expect(dev1.maturity).toBe('mature');
    expect((await readdir(dir)).sort()).toEqual([BASELINE_FILE_GZ, ORG_FILE]);
  });

  it('writes gzip by default and plain on request, replacing the other: a header line, then length-prefixed binary entities', async () => {
    const store = trainStore(corpus().slice(0, 300));
    await saveStore(store, dir);
    const raw = gunzipSync(await readFile(join(dir, BASELINE_FILE_GZ)));
    const nl = raw.indexOf(0x0a);
    expect(JSON.parse(raw.subarray(0, nl).toString('utf8'))).toMatchObject({
      format: 'tokenwatch.baselines',
      version: 2,
      counts: { token: store.size('token'), app: store.size('app'), owner: store.size('owner') },
    });
    // records: varint length + entity bytes starting with the version byte 2, in saved order
    const expected = KINDS.flatMap((k) => [...store.entities(k)].map((e) => Buffer.from(e.encode())));
    const found: Buffer[] = [];
    let at = nl + 1;
    while (at < raw.length) {
      let len = 0;
      let mul = 1;
      for (;;) {
        const b = raw[at++]!;
        len += (b & 127) * mul;
        mul *= 128;
        if (b < 128) break;
      }
      found.push(raw.subarray(at, at + len));
      at += len;
    }
    expect(found).toEqual(expected);
    expect(found.every((r) => r[0] === 2)).toBe(true);
    await saveStore(store, dir, { gzip: false });
    expect((await readdir(dir)).sort()).toEqual([BASELINE_FILE_PLAIN, ORG_FILE]);
    expect(snapshots(await loadStore(dir))).toEqual(snapshots(store));
  });

  it('saves and restores the organization-wide state, and reads state saved without it', async () => {
    const t0 = Date.parse(corpus()[0]!['@timestamp']);
    const people = ['ann@example.com', 'ben@example.com', 'cat@example.com'].map((email, i) =>
      activityFixture({
        at: t0 + i * 60_000,
        user: { email },
        token: { id: `github:hash:${i}` },
        tokenwatch: { network: { ip_prefix: '165.225.0.0/24' } },
      }),
    );
    const failed = activityFixture({
      at: t0 + DAY,
      event: { action: 'login_failure', outcome: 'failure' },
      source: { ip: '198.51.100.7' },
      tokenwatch: { network: { ip_prefix: '198.51.100.0/24' } },
    });
    const store = trainStore([...corpus().slice(0, 100), ...people, failed]);
    await saveStore(store, dir);
    const restored = await loadStore(dir);
    expect(restored.org.toJSON()).toEqual(store.org.toJSON());
    expect(restored.org.sharedPrefixPrincipals('165.225.0.0/24', t0 + DAY)).toBe(3);
    await rm(join(dir, ORG_FILE));
    expect((await loadStore(dir)).org.sharedPrefixPrincipals('165.225.0.0/24', t0 + DAY)).toBe(0);
    await writeFile(join(dir, ORG_FILE), gzipSync('{"v":2}'));
    await expect(loadStore(dir)).rejects.toThrow('invalid organization state');
  });

  it('round-trips an empty store', async () => {
    await saveStore(trainStore([]), dir);
    expect((await loadStore(dir)).size('token')).toBe(0);
  });

  const failure = async (content: Buffer | string, name = BASELINE_FILE_GZ) => {
    await writeFile(join(dir, name), content);
    const err = await loadStore(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaselineStateError);
    return err as BaselineStateError;
  };
  const header = (version: number, counts = { token: 1, app: 0, owner: 0 }) =>
    JSON.stringify({ format: 'tokenwatch.baselines', version, counts });

  it('reports a missing file', async () => {
    const err = await loadStore(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BASELINE_STATE_MISSING' });
  });

  it('reports a file that is not gzip', async () => {
    const err = await failure('definitely not gzip');
    expect(err.code).toBe('BASELINE_STATE_CORRUPT');
    expect(err.message).toMatch(/unreadable: .*header/);
  });

  it('reports a truncated gzip stream', async () => {
    await saveStore(trainStore(corpus().slice(0, 500)), dir);
    const gz = await readFile(join(dir, BASELINE_FILE_GZ));
    const err = await failure(gz.subarray(0, Math.floor(gz.length / 2)));
    expect(err.code).toBe('BASELINE_STATE_CORRUPT');
  });

  it('reports an unknown version', async () => {
    const err = await failure(gzipSync(`${header(99)}\n`));
    expect(err.code).toBe('BASELINE_STATE_VERSION');
    expect(err.message).toContain('format version 99 is not supported (this build reads versions 1 and 2)');
  });

  it('reports a foreign file, bad JSON and an invalid entity with its line (version 1 files)', async () => {
    expect((await failure(gzipSync('{"hello":1}\n'), BASELINE_V1_FILE_GZ)).message).toMatch(
      /not a tokenwatch baseline file/,
    );
    const bad = await failure(gzipSync(`${header(1)}\n{"id": \n`), BASELINE_V1_FILE_GZ);
    expect(bad.line).toBe(2);
    expect(bad.message).toMatch(/:2: invalid JSON/);
    const invalid = await failure(gzipSync(`${header(1)}\n{"id":"x","k":"robot"}\n`), BASELINE_V1_FILE_GZ);
    expect(invalid.code).toBe('BASELINE_STATE_CORRUPT');
    expect(invalid.line).toBe(2);
    expect(invalid.message).toMatch(/invalid entity state at k/);
  });

  it('reports a bad binary entity with its record number, and a version that does not match the file name', async () => {
    const store = trainStore(corpus().slice(0, 50));
    await saveStore(store, dir, { gzip: false });
    const raw = await readFile(join(dir, BASELINE_FILE_PLAIN));
    const nl = raw.indexOf(0x0a);
    // first record: its length varint, then its version byte: make it an unknown version
    const lenBytes = raw[nl + 1]! < 128 ? 1 : 2;
    const unknown = Buffer.from(raw);
    unknown[nl + 1 + lenBytes] = 9;
    const v = await failure(unknown, BASELINE_FILE_PLAIN);
    expect(v).toMatchObject({ code: 'BASELINE_STATE_VERSION', line: 2 });
    expect(v.message).toContain('entity state version 9 is not supported');
    // a record cut short inside: its length now runs past its real bytes into the next record
    const garbled = Buffer.from(raw);
    garbled[nl + 1 + lenBytes + 1] = 7; // kind byte out of range
    const g = await failure(garbled, BASELINE_FILE_PLAIN);
    expect(g).toMatchObject({ code: 'BASELINE_STATE_CORRUPT', line: 2 });
    expect(g.message).toMatch(/unknown entity kind/);
    const misnamed = await failure(gzipSync(`${header(1)}\n`));
    expect(misnamed.message).toContain('format version 1 in a file named for version 2');
  });

  it('reports a file missing entities announced in the header, or cut inside a record', async () => {
    const store = trainStore(corpus().slice(0, 50));
    await saveStore(store, dir, { gzip: false });
    const raw = await readFile(join(dir, BASELINE_FILE_PLAIN));
    const last = [...store.entities('owner')].at(-1)!.encode();
    const lenBytes = last.length < 128 ? 1 : 2;
    const err = await failure(raw.subarray(0, raw.length - last.length - lenBytes), BASELINE_FILE_PLAIN);
    expect(err.message).toContain(
      `truncated: header announces ${store.size('owner')} owner entities, found ${store.size('owner') - 1}`,
    );
    const cut = await failure(raw.subarray(0, raw.length - 3), BASELINE_FILE_PLAIN);
    expect(cut.message).toContain('truncated: incomplete last entity record');
  });

  it('still reads a version 1 NDJSON file, and the next save replaces it with version 2', async () => {
    const store = trainStore(corpus().slice(0, 200));
    const v1 = [
      header(1, { token: store.size('token'), app: store.size('app'), owner: store.size('owner') }),
      ...KINDS.flatMap((k) => [...store.entities(k)].map((e) => JSON.stringify(e.toJSON()))),
    ].join('\n');
    await writeFile(join(dir, BASELINE_V1_FILE_PLAIN), `${v1}\n`);
    const restored = await loadStore(dir);
    expect(states(restored)).toEqual(states(store));
    await saveStore(restored, dir);
    expect((await readdir(dir)).sort()).toEqual([BASELINE_FILE_GZ, ORG_FILE]);
    expect(states(await loadStore(dir))).toEqual(states(store));
  });

  it('leaves no temporary file behind and keeps the old file when a save fails', async () => {
    const store = trainStore(corpus().slice(0, 50));
    await saveStore(store, dir);
    const before = await readFile(join(dir, BASELINE_FILE_GZ));
    const broken = trainStore([]);
    // a store whose iteration throws mid-write
    broken.entities = () => {
      throw new Error('disk on fire');
    };
    await expect(saveStore(broken, dir)).rejects.toThrow('disk on fire');
    expect((await readdir(dir)).sort()).toEqual([BASELINE_FILE_GZ, ORG_FILE]);
    expect(await readFile(join(dir, BASELINE_FILE_GZ))).toEqual(before);
  });
});
