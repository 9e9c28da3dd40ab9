import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../schemas/token-activity.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type Normalized, Pipeline } from './pipeline.js';

/**
 * Event identity and dedup as properties over generated records of all three sources (issue 7,
 * "Done when": two activities that differ in time, name, user or operation never share an
 * `event.id`; a re-delivered identical record still does), through the real stage 1 (framing,
 * redaction, validation, normalization, dedup):
 * - the id of a record does not depend on its key order or whitespace, and such a re-delivery is
 *   skipped as a duplicate naming the original;
 * - changing the event's name, time or actor gives another id;
 * - dedup never drops a record whose content differs: in any sequence of records and
 *   re-deliveries, exactly the records with new content are normalized.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');

/** One generated record of a source: the parsed value and what identifies the event. */
interface Gen {
  source: Source;
  value: Record<string, unknown>;
}

/** What a mutation changes: the event's name, its time or its actor. */
type Change = 'name' | 'time' | 'actor';

const T0 = Date.UTC(2025, 5, 1);
const timeMs = fc.integer({ min: 0, max: 30 * 86_400_000 }).map((d) => T0 + d);
const login = fc.stringMatching(/^[a-z][a-z0-9-]{2,12}$/);
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
const sfId = (prefix: string) =>
  fc.stringMatching(/^[A-Za-z0-9]{15}$/).map((s) => `${prefix}${s.slice(3)}AAA`);

const github: fc.Arbitrary<Gen> = fc
  .record({
    action: fc.constantFrom('git.clone', 'git.fetch', 'api.request', 'org.add_member', 'repo.access'),
    actor: login,
    ms: timeMs,
    user: fc.option(login, { nil: undefined }),
    repo: fc.option(login, { nil: undefined }),
    tokenId: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined }),
    stampKey: fc.constantFrom('@timestamp', 'created_at'),
  })
  .map((r) => ({
    source: 'github',
    value: {
      action: r.action,
      actor: r.actor,
      [r.stampKey]: r.ms,
      org: 'acme',
      actor_ip: '198.51.100.7',
      ...(r.user ? { user: r.user } : {}),
      ...(r.repo ? { repo: `acme/${r.repo}` } : {}),
      ...(r.tokenId ? { token_id: r.tokenId, hashed_token: `h${r.tokenId}=` } : {}),
    },
  }));

const google: fc.Arbitrary<Gen> = fc
  .record({
    app: fc.constantFrom('login', 'token'),
    ms: timeMs,
    uq: int64,
    email: login.map((l) => `${l}@acme.example`),
    names: fc.array(fc.constantFrom('login_success', 'login_failure', 'authorize', 'revoke', 'activity'), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map((r) => ({
    source: 'google_workspace',
    value: {
      kind: 'admin#reports#activity',
      id: { time: new Date(r.ms).toISOString(), uniqueQualifier: r.uq, applicationName: r.app },
      actor: { email: r.email, callerType: 'USER' },
      ipAddress: '203.0.113.9',
      events: r.names.map((name) => ({
        type: r.app === 'token' ? 'auth' : 'login',
        name,
        parameters:
          r.app === 'token' ? [{ name: 'client_id', value: '1234-abc.apps.googleusercontent.com' }] : [],
      })),
    },
  }));

const salesforce: fc.Arbitrary<Gen> = fc
  .record({
    ms: timeMs,
    eventId: fc.uuid(),
    user: sfId('005'),
    name: login,
    operation: fc.constantFrom('query', 'describeSObject', 'create', 'update', 'retrieve'),
    entity: fc.constantFrom('Account', 'Contact', 'Opportunity'),
  })
  .map((r) => ({
    source: 'salesforce',
    value: {
      attributes: { type: 'ApiEvent' },
      EventIdentifier: r.eventId,
      EventDate: new Date(r.ms).toISOString().replace('Z', '+0000'),
      UserId: r.user,
      Username: `${r.name}@acme.example`,
      SourceIp: '192.0.2.44',
      ApiType: 'REST',
      Operation: r.operation,
      QueriedEntities: r.entity,
      RowsProcessed: 1,
    },
  }));

const anyRecord = fc.oneof(github, google, salesforce);

/** A JSON text of `value` on one line with keys in a seeded order and seeded spacing. */
function reformatted(value: unknown, seed: number): string {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const ws = (): string => [' ', '', '\t', '  '][Math.floor(next() * 4)] as string;
  const write = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${ws()}${v.map(write).join(`,${ws()}`)}${ws()}]`;
    const keys = Object.keys(v as object);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
    const body = keys.map(
      (k) => `${JSON.stringify(k)}${ws()}:${ws()}${write((v as Record<string, unknown>)[k])}`,
    );
    return `{${ws()}${body.join(`,${ws()}`)}${ws()}}`;
  };
  return write(value);
}

/** The record with its name, time or actor changed (always to a different value). */
function changed(g: Gen, what: Change): Gen {
  const v = structuredClone(g.value);
  if (g.source === 'github') {
    const r = v as { action: string; actor: string; '@timestamp'?: number; created_at?: number };
    if (what === 'name') r.action = r.action === 'git.push' ? 'git.clone' : 'git.push';
    if (what === 'actor') r.actor = `${r.actor}x`;
    if (what === 'time') {
      if (r['@timestamp'] !== undefined) r['@timestamp'] += 1;
      else r.created_at = (r.created_at ?? 0) + 1;
    }
  } else if (g.source === 'google_workspace') {
    const r = v as { id: { time: string }; actor: { email: string }; events: { name: string }[] };
    if (what === 'name') for (const e of r.events) e.name = `${e.name}_other`;
    if (what === 'actor') r.actor.email = `x${r.actor.email}`;
    if (what === 'time') r.id.time = new Date(Date.parse(r.id.time) + 1000).toISOString();
  } else {
    const r = v as { Operation: string; UserId: string; EventDate: string };
    if (what === 'name') r.Operation = `${r.Operation}X`;
    // another user: the last character of the 15-character id differs, ignoring case (the 3-character
    // suffix of an 18-character id encodes the case, so `…zAAA` and `…ZAAA` are the same user)
    if (what === 'actor')
      r.UserId = `${r.UserId.slice(0, 14)}${r.UserId[14]?.toLowerCase() === 'q' ? 'r' : 'q'}AAA`;
    if (what === 'time')
      r.EventDate = new Date(Date.parse(r.EventDate) + 1).toISOString().replace('Z', '+0000');
  }
  return { source: g.source, value: v };
}

function stage1(pipeline: Pipeline, source: Source, text: string, location: string): Normalized[] {
  return [...pipeline.normalize(text, { source, location })];
}

const activityIds = (items: Normalized[]): string[] =>
  items.flatMap((i) => (i.kind === 'activity' ? [i.activity.event.id] : []));

/** Hundreds of generated records through stage 1 per property: seconds alone, minutes under load. */
const PROPERTY_TIMEOUT_MS = 300_000;

describe('event identity and dedup (properties over generated records of all three sources)', () => {
  it(
    'every generated record normalizes (the generators make valid records)',
    () => {
      fc.assert(
        fc.property(anyRecord, (g) => {
          const items = stage1(
            new Pipeline({ config: config.pipeline, logger }),
            g.source,
            JSON.stringify(g.value),
            'g',
          );
          const events = g.source === 'google_workspace' ? (g.value.events as unknown[]).length : 1;
          expect(items.map((i) => i.kind)).toEqual(Array(events).fill('activity'));
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'an id does not depend on key order or whitespace; the re-delivery is a duplicate naming the original',
    () => {
      fc.assert(
        fc.property(anyRecord, fc.integer(), (g, seed) => {
          const first = stage1(
            new Pipeline({ config: config.pipeline, logger }),
            g.source,
            JSON.stringify(g.value),
            'a',
          );
          const other = stage1(
            new Pipeline({ config: config.pipeline, logger }),
            g.source,
            reformatted(g.value, seed),
            'b',
          );
          expect(activityIds(other)).toEqual(activityIds(first));
          // the same pipeline, reading both: every activity of the second copy is a named duplicate
          const p = new Pipeline({ config: config.pipeline, logger });
          stage1(p, g.source, JSON.stringify(g.value), 'a');
          const again = stage1(p, g.source, reformatted(g.value, seed), 'b');
          expect(again.map((i) => i.kind)).toEqual(activityIds(first).map(() => 'skipped'));
          expect(again.map((i) => (i.kind === 'skipped' ? i.duplicateOf?.id : undefined))).toEqual(
            activityIds(first),
          );
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'changing the name, time or actor gives another id (alone, and read after the original)',
    () => {
      fc.assert(
        fc.property(anyRecord, fc.constantFrom<Change>('name', 'time', 'actor'), (g, what) => {
          const h = changed(g, what);
          const p = new Pipeline({ config: config.pipeline, logger });
          const a = activityIds(stage1(p, g.source, JSON.stringify(g.value), 'a'));
          const b = activityIds(stage1(p, h.source, JSON.stringify(h.value), 'b'));
          expect(b).toHaveLength(a.length);
          for (const id of b) expect(a).not.toContain(id);
          // Google ids carry no actor (IDS.md): alone, only name and time changes change the id; read
          // after the original, the actor change is an id collision that gets its own suffixed id
          if (g.source !== 'google_workspace' || what !== 'actor') {
            const alone = activityIds(
              stage1(
                new Pipeline({ config: config.pipeline, logger }),
                h.source,
                JSON.stringify(h.value),
                'c',
              ),
            );
            for (const id of alone) expect(a).not.toContain(id);
          }
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'dedup never drops a record whose content differs: only exact re-deliveries are skipped',
    () => {
      const stream = fc
        .array(fc.tuple(anyRecord, fc.integer()), { minLength: 1, maxLength: 12 })
        .chain((base) =>
          fc
            .array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.boolean(), fc.integer()), { maxLength: 24 })
            .map((picks) => ({ base, picks })),
        );
      fc.assert(
        fc.property(stream, ({ base, picks }) => {
          // a sequence of the base records and re-deliveries of them (some reformatted, some changed)
          const sequence: Gen[] = base.map(([g]) => g);
          for (const [i, change, seed] of picks) {
            const g = (base[i] as [Gen, number])[0];
            sequence.push(
              change ? changed(g, (['name', 'time', 'actor'] as const)[Math.abs(seed) % 3] as Change) : g,
            );
          }
          const p = new Pipeline({ config: config.pipeline, logger });
          const seen = new Set<string>();
          let expectedNew = 0;
          let records = 0;
          sequence.forEach((g, k) => {
            const key = `${g.source}\u0000${JSON.stringify(canonical(g.value))}`;
            const events = g.source === 'google_workspace' ? (g.value.events as unknown[]).length : 1;
            records += events;
            if (!seen.has(key)) expectedNew += events;
            seen.add(key);
            const items = stage1(p, g.source, reformatted(g.value, k + 1), `r${k}`);
            for (const item of items) {
              if (item.kind === 'skipped') expect(item.reason).toMatch(/^duplicate of event /);
              expect(item.kind).not.toBe('dead');
            }
          });
          expect(p.counts.normalized).toBe(expectedNew);
          expect(p.counts.skipped).toBe(records - expectedNew);
          expect(p.counts.records).toBe(records);
        }),
        { numRuns: 120 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** Keys sorted recursively (content equality independent of key order). */
function canonical(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(canonical);
  return Object.fromEntries(
    Object.keys(v as object)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
  );
}
