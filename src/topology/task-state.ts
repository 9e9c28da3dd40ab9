import { gunzipSync, gzipSync } from 'fflate';
import { EntityBaseline } from '../../baselines/entity-baseline.js';
import { validateEntityState } from '../../baselines/entity-codec.js';
import { appEntityId, ownerEntityId, tokenEntityId } from '../../baselines/entity-ids.js';
import { OrgBaseline, orgStateSchema } from '../../baselines/org-baseline.js';
import { PeerModels } from '../../baselines/peer-models.js';
import type { EntityKind } from '../../baselines/types.js';
import type { DeadLetter } from '../../ingestors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { GrouperSnapshot } from '../alerts/grouper.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { sessionJoinStateSchema } from '../pipeline/session-join.js';

/**
 * One record of a task's changelog topic (compacted): `key` names one piece of state, `value` is
 * its latest serialized form, or null (a tombstone: the piece is gone).
 */
export interface ChangelogRecord {
  key: string;
  value: Buffer | null;
}

/**
 * Pipeline-wide pieces a task keeps as one record each (written when they changed): the open
 * alert groups, the Salesforce session join, the event-time watermark, and (for the org stage,
 * whose detectors read them) the organization baseline and the peer models.
 */
export type SingletonName = 'grouper' | 'sessions' | 'watermark' | 'org' | 'peers';

const SEP = '\u0000';
const ENTITY = 'e';
const KEYED = 'k';
const SINGLE = 's';
/**
 * Value encodings: first byte `j` = JSON text, `z` = gzip of JSON text, `b` = an entity
 * baseline's binary state (baselines/entity-codec.ts; entity records written before it are `j`).
 */
const GZIP_ABOVE = 16_384;
const BINARY_ENTITY = Buffer.from('b');

/** Serializes a JSON value for the changelog (gzip above 16 KiB: large singletons, peer models). */
export function encodeValue(value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text.length <= GZIP_ABOVE) return Buffer.concat([Buffer.from('j'), Buffer.from(text, 'utf8')]);
  return Buffer.concat([Buffer.from('z'), Buffer.from(gzipSync(Buffer.from(text, 'utf8')))]);
}

/** Reverses {@link encodeValue}. @throws Error on an unknown encoding or bad JSON. */
export function decodeValue(buf: Buffer): unknown {
  const tag = buf.subarray(0, 1).toString('latin1');
  const body = buf.subarray(1);
  if (tag === 'j') return JSON.parse(body.toString('utf8'));
  if (tag === 'z') return JSON.parse(Buffer.from(gunzipSync(body)).toString('utf8'));
  throw new Error(`unknown changelog value encoding "${tag}"`);
}

/**
 * The state of one stream task (one partition of a stateful stage) as a changelog: wraps the
 * task's {@link Pipeline} (stage 2), remembers which baseline entities and which declared
 * detector-state entries (`KeyedStateStore.drainChanges`) each activity touched, and turns them
 * into changelog records keyed by entity: `e\0<kind>\0<id>` (an entity baseline),
 * `k\0<table>\0<key>` (a declared-state entry) and `s\0<name>` (a {@link SingletonName}). Only
 * what changed since the last {@link drain} is written (incremental). {@link restore} rebuilds a
 * fresh pipeline from the records of the changelog partition, latest value per key.
 */
export class TaskState {
  private readonly entities = new Set<string>();
  private readonly lastSingleton = new Map<string, string>();

  /**
   * @param pipeline the task's own pipeline (created for this task; never shared)
   * @param singletons the pipeline-wide pieces this stage persists
   */
  constructor(
    readonly pipeline: Pipeline,
    private readonly singletons: readonly SingletonName[],
  ) {
    // a restored pipeline's declared state reports no change until written again
    pipeline.runner.state.drainChanges();
  }

  /** Stage 2 for one activity (see Pipeline.detect), remembering the entities it touched. */
  detect(activity: TokenActivity): { activity: TokenActivity; alerts: Alert[]; dead?: DeadLetter } {
    const out = this.pipeline.detect(activity);
    if (!out.dead) {
      const a = out.activity;
      this.entities.add(`token${SEP}${tokenEntityId(a)}`);
      const app = appEntityId(a);
      if (app !== undefined) this.entities.add(`app${SEP}${app}`);
      const owner = ownerEntityId(a);
      if (owner !== undefined) this.entities.add(`owner${SEP}${owner}`);
    }
    return out;
  }

  /** Changelog records for everything changed since the last call (entities evicted: tombstones). */
  drain(): ChangelogRecord[] {
    const out: ChangelogRecord[] = [];
    const p = this.pipeline;
    for (const e of this.entities) {
      const [kind, id] = e.split(SEP) as [EntityKind, string];
      const entity = p.store.get(kind, id);
      out.push({
        key: `${ENTITY}${SEP}${e}`,
        value: entity ? Buffer.concat([BINARY_ENTITY, entity.encode()]) : null,
      });
    }
    this.entities.clear();
    for (const [table, key] of p.runner.state.drainChanges()) {
      const entry = p.runner.state.exportEntry(table, key);
      out.push({ key: `${KEYED}${SEP}${table}${SEP}${key}`, value: entry ? encodeValue(entry) : null });
    }
    for (const name of this.singletons) {
      const text = JSON.stringify(singletonOf(p, name));
      if (this.lastSingleton.get(name) === text) continue;
      this.lastSingleton.set(name, text);
      out.push({ key: `${SINGLE}${SEP}${name}`, value: encodeValue(JSON.parse(text)) });
    }
    return out;
  }

  /**
   * Applies changelog records (in offset order; later ones win) to a fresh `pipeline`. Records
   * whose key this class does not own are returned for the stage (e.g. the org stage's buffer).
   * @throws Error when a record is malformed (a corrupt changelog is never skipped silently)
   */
  static restore(pipeline: Pipeline, records: Iterable<ChangelogRecord>): ChangelogRecord[] {
    const latest = new Map<string, Buffer | null>();
    for (const r of records) {
      latest.delete(r.key);
      latest.set(r.key, r.value);
    }
    const other: ChangelogRecord[] = [];
    const store = pipeline.store;
    for (const [key, value] of latest) {
      const parts = key.split(SEP);
      const head = parts[0];
      try {
        if (head === ENTITY && parts.length === 3) {
          if (value === null) continue;
          store.restore(decodeEntity(value, key, pipeline));
        } else if (head === KEYED && parts.length === 3) {
          const entry = value === null ? undefined : (decodeValue(value) as [number, unknown]);
          pipeline.runner.state.importEntry(parts[1] as string, parts[2] as string, entry);
        } else if (head === SINGLE && parts.length === 2) {
          if (value !== null) applySingleton(pipeline, parts[1] as SingletonName, decodeValue(value));
        } else {
          other.push({ key, value });
        }
      } catch (cause) {
        throw new Error(`corrupt changelog record ${JSON.stringify(key)}: ${(cause as Error).message}`, {
          cause,
        });
      }
    }
    pipeline.runner.state.drainChanges();
    return other;
  }
}

/**
 * An entity record's value: `b` + the binary state, or (records of earlier releases) `j`/`z` +
 * the version 1 JSON, validated and migrated.
 * @throws BaselineStateError when the value does not decode to a valid entity state
 */
function decodeEntity(value: Buffer, key: string, p: Pipeline): EntityBaseline {
  if (value[0] === BINARY_ENTITY[0]) return EntityBaseline.decode(value.subarray(1), p.store.config, key);
  return EntityBaseline.fromJSON(validateEntityState(decodeValue(value), key), p.store.config);
}

function singletonOf(p: Pipeline, name: SingletonName): unknown {
  switch (name) {
    case 'grouper':
      return p.grouper.snapshot();
    case 'sessions':
      return p.sessions.toJSON();
    case 'watermark':
      return p.watermarkMs;
    case 'org':
      return p.store.org.toJSON();
    case 'peers':
      return p.peers.snapshot();
  }
}

function applySingleton(p: Pipeline, name: SingletonName, value: unknown): void {
  switch (name) {
    case 'grouper':
      p.grouper.restore(value as GrouperSnapshot);
      return;
    case 'sessions':
      p.sessions.restore(sessionJoinStateSchema.parse(value));
      return;
    case 'watermark':
      if (typeof value !== 'number') throw new Error('watermark is not a number');
      p.watermarkMs = value;
      return;
    case 'org':
      p.store.org = OrgBaseline.fromJSON(orgStateSchema.parse(value));
      return;
    case 'peers':
      p.peers = new PeerModels().restore(value);
      return;
    default:
      throw new Error(`unknown singleton ${String(name)}`);
  }
}
