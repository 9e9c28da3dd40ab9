import type { TokenActivity } from '../schemas/token-activity.js';
import { type BaselineConfig, type BaselineConfigInput, parseBaselineConfig } from './config.js';
import { EntityBaseline } from './entity-baseline.js';
import { appEntityId, ownerEntityId, tokenEntityId } from './entity-ids.js';
import { observe } from './observation.js';
import { OrgBaseline } from './org-baseline.js';
import type { BaselineView, EntityKind, OrgView } from './types.js';

/** Store configuration as callers pass it (validated with zod; see config.ts for every field). */
export type BaselineStoreConfig = BaselineConfigInput;

/** A baseline picked for comparison (structurally `ReferenceBaseline` of detectors/types.ts). */
export interface ReferenceView {
  view: BaselineView;
  entity: EntityKind;
}

/** The baseline part of a `DetectorContext` (everything but `settings`). */
export interface BaselineContext {
  /** the token's own baseline; an empty learning view on its first event */
  token: BaselineView;
  /** the app's baseline when the activity has a client id */
  app: BaselineView | undefined;
  /** the owner's baseline when the activity names a user */
  owner: BaselineView | undefined;
  /** token if mature, else app if mature, else owner if mature, else undefined */
  reference: ReferenceView | undefined;
  /** organization-wide state: networks shared by several people (org-baseline.ts) */
  org: OrgView;
}

const KINDS: readonly EntityKind[] = ['token', 'app', 'owner'];

/** Entity ids of one activity and the fields they were built from. */
interface EntityIds {
  activity: TokenActivity;
  module: string;
  client: string | undefined;
  user: string | undefined;
  token: string;
  app: string | undefined;
  owner: string | undefined;
  /** the stored entities contextFor found (undefined: not stored), reused by update */
  found: [EntityBaseline | undefined, EntityBaseline | undefined, EntityBaseline | undefined];
}

/**
 * Baselines of every token, app and owner entity (ids per ingestors/IDS.md), in one `Map` per kind.
 *
 * Use evaluate-then-update: `contextFor(a)`, run detectors, then `update(a)` (or
 * {@link evaluateThenUpdate}). Views are the live entities, not copies: nothing is allocated
 * per event beyond the context object, and a view read after `update(a)` already includes `a`.
 *
 * Memory bound: each entity is bounded (see entity-baseline.ts; ~1.7 KiB serialized, ~8.5 KiB of
 * heap for a typical mature token, less for sparse ones). With `maxEntities`, each kind's map keeps at most that many
 * entities: every `update` moves its entities to the most-recent end (Map insertion order) and
 * the least recently updated ones are dropped beyond the limit. An evicted entity comes back as a
 * brand-new (learning) one, so size `maxEntities` above the live token population: an idle token
 * must survive its dormancy for dormancy detection to work. {@link evictIdle} drops entities
 * whose last event is older than a horizon (pick one well above the dormancy threshold, e.g. 400
 * days). Both are counted in {@link evictions}.
 *
 * Besides the entities, {@link org} keeps organization-wide state no entity owns (networks shared
 * by several people; see org-baseline.ts), bounded and saved with the entities; detectors read it as `ctx.org`.
 */
export class BaselineStore {
  readonly config: BaselineConfig;
  private readonly maps: Record<EntityKind, Map<string, EntityBaseline>> = {
    token: new Map(),
    app: new Map(),
    owner: new Map(),
  };
  private lastIds: EntityIds | undefined;
  /** entities dropped by maxEntities or evictIdle, per kind */
  readonly evictions: Record<EntityKind, number> = { token: 0, app: 0, owner: 0 };
  /** organization-wide state (org-baseline.ts); replaced on restore */
  org: OrgBaseline;

  /** @throws BaselineConfigError when the configuration is invalid */
  constructor(config: BaselineStoreConfig = {}) {
    this.config = parseBaselineConfig(config);
    this.org = new OrgBaseline();
  }

  /**
   * Baselines as of before `activity` (call before {@link update}). Unseen entities get an empty
   * learning view (eventCount 0) that is not stored.
   */
  contextFor(activity: TokenActivity): BaselineContext {
    const ids = this.idsOf(activity);
    const found = ids.found;
    found[0] = this.maps.token.get(ids.token);
    found[1] = ids.app === undefined ? undefined : this.maps.app.get(ids.app);
    found[2] = ids.owner === undefined ? undefined : this.maps.owner.get(ids.owner);
    const token = found[0] ?? new EntityBaseline(ids.token, 'token', this.config);
    const app =
      ids.app === undefined ? undefined : (found[1] ?? new EntityBaseline(ids.app, 'app', this.config));
    const owner =
      ids.owner === undefined ? undefined : (found[2] ?? new EntityBaseline(ids.owner, 'owner', this.config));
    let reference: ReferenceView | undefined;
    if (token.maturity === 'mature') reference = { view: token, entity: 'token' };
    else if (app?.maturity === 'mature') reference = { view: app, entity: 'app' };
    else if (owner?.maturity === 'mature') reference = { view: owner, entity: 'owner' };
    return { token, app, owner, reference, org: this.org };
  }

  /** Folds `activity` into its token, app and owner entities. @throws BaselineInputError on a bad timestamp */
  update(activity: TokenActivity): void {
    const o = observe(activity);
    const ids = this.idsOf(activity);
    const found = ids.found;
    const token = this.entityFor('token', ids.token, found[0]);
    const app = ids.app === undefined ? undefined : this.entityFor('app', ids.app, found[1]);
    const owner = ids.owner === undefined ? undefined : this.entityFor('owner', ids.owner, found[2]);
    // a later update(a) of the same activity object finds the (now stored) entities again
    found[0] = token;
    found[1] = app;
    found[2] = owner;
    token.apply(o);
    app?.apply(o);
    owner?.apply(o);
    this.org.observe(activity, o.t, ids.owner);
  }

  /**
   * Entity ids of an activity; remembered for the last activity object (and its id fields) so
   * the usual contextFor(a) + update(a) pair builds the id strings and looks the entities up
   * once. Any other activity, evictIdle or restore drops the memo.
   */
  private idsOf(a: TokenActivity): EntityIds {
    const m = this.lastIds;
    const client = a.token.client?.id;
    const user = a.user.email || a.user.name || a.user.id;
    if (
      m !== undefined &&
      m.activity === a &&
      m.token === a.token.id &&
      m.module === a.event.module &&
      m.client === client &&
      m.user === user
    )
      return m;
    const ids: EntityIds = {
      activity: a,
      module: a.event.module,
      client,
      user,
      token: tokenEntityId(a),
      app: appEntityId(a),
      owner: ownerEntityId(a),
      found: [undefined, undefined, undefined],
    };
    this.lastIds = ids;
    return ids;
  }

  /** `contextFor`, then `evaluate(context)`, then `update`; returns what `evaluate` returned. */
  evaluateThenUpdate<T>(activity: TokenActivity, evaluate: (ctx: BaselineContext) => T): T {
    const result = evaluate(this.contextFor(activity));
    this.update(activity);
    return result;
  }

  /** The stored entity, or undefined if never seen (or evicted). */
  get(kind: EntityKind, id: string): EntityBaseline | undefined {
    return this.maps[kind].get(id);
  }

  /** Number of entities of a kind. */
  size(kind: EntityKind): number {
    return this.maps[kind].size;
  }

  /** Entities of a kind, least recently updated first. */
  entities(kind: EntityKind): IterableIterator<EntityBaseline> {
    return this.maps[kind].values();
  }

  /**
   * Drops entities whose lastSeen (event time, ms) is before `beforeMs`; returns how many.
   * O(entities); meant for a periodic sweep, not the hot path.
   */
  evictIdle(beforeMs: number): number {
    this.lastIds = undefined;
    let dropped = 0;
    for (const kind of KINDS) {
      const map = this.maps[kind];
      for (const [id, e] of map) {
        if (e.lastSeen < beforeMs) {
          map.delete(id);
          this.evictions[kind]++;
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** Adds a restored entity at the most-recent end (persistence.ts; entities come in saved order). */
  restore(entity: EntityBaseline): void {
    this.lastIds = undefined;
    this.maps[entity.kind].set(entity.entity, entity);
    this.enforceLimit(entity.kind);
  }

  /** The stored entity `id` (`known` when contextFor already found it), created if missing. */
  private entityFor(kind: EntityKind, id: string, known: EntityBaseline | undefined): EntityBaseline {
    const map = this.maps[kind];
    let e = known ?? map.get(id);
    if (e === undefined) {
      e = new EntityBaseline(id, kind, this.config);
      map.set(id, e);
      this.enforceLimit(kind);
    } else if (this.config.maxEntities !== undefined) {
      map.delete(id);
      map.set(id, e);
    }
    return e;
  }

  private enforceLimit(kind: EntityKind): void {
    const max = this.config.maxEntities;
    if (max === undefined) return;
    const map = this.maps[kind];
    while (map.size > max) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
      this.evictions[kind]++;
    }
  }
}
