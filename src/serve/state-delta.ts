import { EntityBaseline } from '../../baselines/entity-baseline.js';
import { appEntityId, ownerEntityId, tokenEntityId } from '../../baselines/entity-ids.js';
import { type EntityStateJSON, entityStateSchema } from '../../baselines/entity-state.js';
import { OrgBaseline, type OrgStateJSON, orgStateSchema } from '../../baselines/org-baseline.js';
import { PeerModels } from '../../baselines/peer-models.js';
import { BaselineStore } from '../../baselines/store.js';
import type { EntityKind } from '../../baselines/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { GrouperSnapshot } from '../alerts/grouper.js';
import { StateError } from '../errors.js';
import {
  type LedgerSnapshot,
  ledgerSnapshotSchema,
  type Offboarding,
  type TokenRecord,
} from '../inventory/ledger.js';
import { EventMemory, type EventMemorySnapshot } from '../pipeline/dedup.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { sessionJoinStateSchema } from '../pipeline/session-join.js';
import type { PipelineStages } from './processor.js';

const KINDS: readonly EntityKind[] = ['token', 'app', 'owner'];

/**
 * The pipeline state changed since the last checkpoint (an incremental checkpoint's body, see
 * checkpoint.ts): only the entity baselines, declared detector-state entries and token ledger
 * records stage 2 touched (each in full, in the order last touched; `null` = gone), plus the
 * pipeline-wide pieces in full (open alert groups, session join, watermark, organization
 * baseline, peer models, dedup memory, identity maps).
 */
export interface PipelineDelta {
  /** `[kind, id, state]` in last-touched order; `null`: the entity was evicted. */
  entities: [EntityKind, string, EntityStateJSON | null][];
  org: OrgStateJSON;
  /** `[table, key, entry]` in change order (`KeyedStateStore.exportEntry`'s form); `null`: gone. */
  keyed: [string, string, [number, unknown] | null][];
  ledger: { tokens: TokenRecord[]; offboarded: Offboarding[]; emails: [string, string][] };
  grouper: GrouperSnapshot;
  sessions: unknown;
  watermarkMs: number;
  peers: unknown;
  dedup: EventMemorySnapshot;
}

/**
 * Tracks what stage 2 changes between checkpoints, for incremental checkpoints (no change to the
 * baselines' own encoding): wraps the pipeline's stages ({@link stages}) and notes, per detected
 * activity, its token / app / owner entities (ids as the store builds them, baselines/entity-ids.ts)
 * and its ledger token, and the ledger tokens of alerts; declared detector state reports its own
 * changes (`KeyedStateStore.drainChanges`). Entities evicted from the store (its `maxEntities`
 * bound) and detector-state keys dropped by their bounds without a write are found by comparing
 * the counts with what was persisted (a scan only when they differ) and written as removals.
 */
export class ChangeTracker {
  /** Entity keys `<kind>\0<id>` touched since the last delta, in last-touched order. */
  private readonly touched = new Set<string>();
  private readonly ledgerTokens = new Set<string>();
  /** What the persisted form holds (base + deltas): entity ids per kind, detector-state keys per table. */
  private readonly persisted: Record<EntityKind, Set<string>> = {
    token: new Set(),
    app: new Set(),
    owner: new Set(),
  };
  private readonly persistedKeys = new Map<string, Set<string>>();

  constructor(private readonly pipeline: () => Pipeline) {}

  /** The pipeline's stages, noting what stage 2 touches (use for every detect / closeGroups). */
  readonly stages: PipelineStages = {
    normalize: (text, options) => this.pipeline().normalize(text, options),
    inputError: (source, location, reason, partial) =>
      this.pipeline().inputError(source, location, reason, partial),
    detect: (activity) => {
      const out = this.pipeline().detect(activity);
      this.noteActivity(out.activity);
      if (out.activity !== activity) this.noteActivity(activity);
      this.noteAlerts(out.alerts);
      return out;
    },
    closeGroups: (latenessMs) => {
      const alerts = this.pipeline().closeGroups(latenessMs);
      this.noteAlerts(alerts);
      return alerts;
    },
  };

  private touch(key: string): void {
    this.touched.delete(key);
    this.touched.add(key);
  }

  private noteActivity(a: TokenActivity): void {
    this.touch(`token\u0000${tokenEntityId(a)}`);
    const app = appEntityId(a);
    if (app !== undefined) this.touch(`app\u0000${app}`);
    const owner = ownerEntityId(a);
    if (owner !== undefined) this.touch(`owner\u0000${owner}`);
    this.ledgerTokens.add(a.token.id);
  }

  /** Alerts closed outside {@link stages} (a shutdown flush): their ledger tokens changed. */
  noteAlerts(alerts: readonly Alert[]): void {
    for (const alert of alerts) this.ledgerTokens.add(alert.tokenwatch.token.id);
  }

  /**
   * The pipeline's state was just persisted in full (or restored): later deltas start from it.
   * O(state size) without serializing anything.
   */
  reset(): void {
    const p = this.pipeline();
    this.touched.clear();
    this.ledgerTokens.clear();
    for (const kind of KINDS) {
      const ids = this.persisted[kind];
      ids.clear();
      for (const e of p.store.entities(kind)) ids.add(e.entity);
    }
    this.persistedKeys.clear();
    const keyed = p.runner.state;
    keyed.drainChanges();
    for (const [table, key] of keyed.toJSON().entries) {
      let keys = this.persistedKeys.get(table);
      if (!keys) {
        keys = new Set();
        this.persistedKeys.set(table, keys);
      }
      keys.add(key);
    }
  }

  /**
   * Everything changed since the last {@link reset} or delta, and forgets it (if the delta is not
   * written, the caller must persist in full next).
   */
  delta(): PipelineDelta {
    const p = this.pipeline();
    const store = p.store;
    const entities: PipelineDelta['entities'] = [];
    for (const key of this.touched) {
      const at = key.indexOf('\u0000');
      const kind = key.slice(0, at) as EntityKind;
      const id = key.slice(at + 1);
      const e = store.get(kind, id);
      if (e) {
        entities.push([kind, id, e.toJSON()]);
        this.persisted[kind].add(id);
      } else if (this.persisted[kind].delete(id)) {
        entities.push([kind, id, null]);
      }
    }
    this.touched.clear();
    for (const kind of KINDS) {
      const ids = this.persisted[kind];
      if (ids.size === store.size(kind)) continue;
      for (const id of ids) {
        if (store.get(kind, id)) continue;
        ids.delete(id);
        entities.push([kind, id, null]);
      }
    }
    const keyedStore = p.runner.state;
    const keyed: PipelineDelta['keyed'] = [];
    // Each table keeps its keys in update order; stage 2 updates in event order, so the changed
    // entries in order of their last update time (ties: in the order first changed) come back in
    // that order when imported one after the other.
    const changes = keyedStore
      .drainChanges()
      .map(([table, key]) => ({ table, key, entry: keyedStore.exportEntry(table, key) }))
      .sort((x, y) => (x.entry?.[0] ?? 0) - (y.entry?.[0] ?? 0));
    for (const { table, key, entry } of changes) {
      let keys = this.persistedKeys.get(table);
      if (!keys) {
        keys = new Set();
        this.persistedKeys.set(table, keys);
      }
      if (entry) {
        keyed.push([table, key, entry]);
        keys.add(key);
      } else if (keys.delete(key)) {
        keyed.push([table, key, null]);
      }
    }
    for (const [table, keys] of this.persistedKeys) {
      if (keys.size === keyedStore.keyCount(table)) continue;
      for (const key of keys) {
        if (keyedStore.exportEntry(table, key)) continue;
        keys.delete(key);
        keyed.push([table, key, null]);
      }
    }
    const ledger = p.inventory;
    const tokens: TokenRecord[] = [];
    for (const id of this.ledgerTokens) {
      const r = ledger.tokens.get(id);
      if (r) tokens.push(r);
    }
    this.ledgerTokens.clear();
    return {
      entities,
      org: store.org.toJSON(),
      keyed,
      ledger: { tokens, offboarded: [...ledger.offboarded.values()], emails: [...ledger.emails] },
      grouper: p.grouper.snapshot(),
      sessions: p.sessions.toJSON(),
      watermarkMs: p.watermarkMs,
      peers: p.peers.snapshot(),
      dedup: p.memory.snapshot(),
    };
  }
}

/**
 * Applies deltas (in the order written) on top of a pipeline restored from the full checkpoint
 * they follow: afterwards the pipeline holds the state as of the last delta, entities in the
 * store's least-recently-updated order included.
 * @throws StateError naming `where` when a delta is malformed.
 */
export function applyDeltas(pipeline: Pipeline, deltas: readonly PipelineDelta[], where: string): void {
  if (deltas.length === 0) return;
  const last = deltas.at(-1) as PipelineDelta;
  try {
    const old = pipeline.store;
    // entity order: the base's, each changed entity moved to the most-recent end as it changed
    const order: Record<EntityKind, Map<string, EntityBaseline>> = {
      token: new Map(),
      app: new Map(),
      owner: new Map(),
    };
    for (const kind of KINDS) for (const e of old.entities(kind)) order[kind].set(e.entity, e);
    for (const d of deltas) {
      for (const [kind, id, state] of d.entities) {
        const m = order[kind];
        if (!m) throw new Error(`unknown entity kind ${String(kind)}`);
        m.delete(id);
        if (state !== null) m.set(id, EntityBaseline.fromJSON(entityStateSchema.parse(state), old.config));
      }
    }
    const store = new BaselineStore(pipeline.storeConfig);
    for (const kind of KINDS) for (const e of order[kind].values()) store.restore(e);
    store.org = OrgBaseline.fromJSON(orgStateSchema.parse(last.org));

    const inventory = pipeline.inventory;
    for (const d of deltas) {
      const parsed: LedgerSnapshot = ledgerSnapshotSchema.parse({
        version: 1,
        tokens: d.ledger.tokens,
        offboarded: d.ledger.offboarded,
        emails: d.ledger.emails,
      });
      for (const t of parsed.tokens) inventory.tokens.set(t.id, t as TokenRecord);
    }
    inventory.offboarded.clear();
    for (const o of last.ledger.offboarded) inventory.offboarded.set(o.subject.toLowerCase(), o);
    inventory.emails.clear();
    for (const [k, v] of last.ledger.emails) inventory.emails.set(k, v);

    pipeline.restoreState({
      store,
      grouper: last.grouper,
      watermarkMs: last.watermarkMs,
      peers: new PeerModels().restore(last.peers),
      memory: EventMemory.restore(last.dedup),
      inventory,
    });
    pipeline.sessions.restore(sessionJoinStateSchema.parse(last.sessions));
    // declared detector state: after restoreState (which keeps the runner without detectorState)
    const keyed = pipeline.runner.state;
    for (const d of deltas)
      for (const [table, key, entry] of d.keyed) keyed.importEntry(table, key, entry ?? undefined);
    keyed.drainChanges();
  } catch (cause) {
    if (cause instanceof StateError) throw cause;
    throw new StateError(`corrupt incremental checkpoint ${where}: ${(cause as Error).message}`, { cause });
  }
}
