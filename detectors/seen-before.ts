import { type StateKeyKind, stateKeyOf } from '../baselines/keyed-state.js';
import { providerBlock } from '../baselines/org-baseline.js';
import type { BaselineView, SeenStat } from '../baselines/types.js';
import type { TokenActivity } from '../schemas/token-activity.js';

/**
 * One event's seen-before summary: what every detector asks about the event before it is folded
 * in, computed once per event by the detector runner (runner.ts) and read through the shared
 * lookups (lookup.ts `knownNetwork`, `knowsProviderBlock`) and the detector wrapper
 * (define-detector.ts: the declared-state keys, bound once for `evaluate` and `observe`). Before it, each of the ~20 detectors parsed the
 * event time again, built the same state keys (app, owner, identity strings) and scanned the
 * token's and owner's networks by provider block for every known-network question.
 *
 * Everything here is memoized for one activity against the baselines as of before it (the
 * runner builds a new summary per event, and evaluation changes no baseline), so a memoized
 * answer is exactly the direct one. Contexts built by hand (tests) have no summary: the lookups
 * then compute directly.
 */
/** Index of each declared-state key kind in a summary's key cache. */
const KEY_KINDS: Readonly<Record<StateKeyKind, number>> = {
  token: 0,
  app: 1,
  owner: 2,
  org: 3,
  source_ip: 4,
  source_as: 5,
  identity: 6,
};

export class SeenBefore {
  /** state keys by {@link KEY_KINDS} index, valid where `keysBuilt` has the bit */
  private readonly keys: (string | undefined)[] = [];
  private keysBuilt = 0;
  private readonly known = new Map<string, boolean>();

  /** @param activity the event the summary is about (compared by identity by its readers) */
  constructor(readonly activity: TokenActivity) {}

  /** The activity's key of a declared-state key kind (baselines/keyed-state.ts `stateKeyOf`), memoized. */
  stateKey(kind: StateKeyKind): string | undefined {
    const bit = 1 << KEY_KINDS[kind];
    if ((this.keysBuilt & bit) !== 0) return this.keys[KEY_KINDS[kind]];
    const key = stateKeyOf(kind, this.activity);
    this.keys[KEY_KINDS[kind]] = key;
    this.keysBuilt |= bit;
    return key;
  }

  /**
   * Memoized answer of a known-network question (lookup.ts `knownNetwork`) for `prefix` between
   * `beforeMs` and `atMs`; `compute` runs on the first ask only.
   */
  knownNetwork(prefix: string, beforeMs: number, atMs: number, compute: () => boolean): boolean {
    const key = `${beforeMs}|${atMs}|${prefix}`;
    const hit = this.known.get(key);
    if (hit !== undefined) return hit;
    const answer = compute();
    this.known.set(key, answer);
    return answer;
  }

  /**
   * The view's kept `ip_prefix` values grouped by provider block (see {@link prefixesByBlock}).
   */
  prefixesByBlock(view: BaselineView): ReadonlyMap<string, readonly string[]> {
    return prefixesByBlock(view);
  }
}

/** A view's prefixes by block, and the version of its prefix set they were built at. */
interface BlocksOfView {
  inserted: number;
  byBlock: ReadonlyMap<string, readonly string[]>;
}
const BLOCKS_OF_VIEW = new WeakMap<BaselineView, BlocksOfView>();

/**
 * The view's kept `ip_prefix` values grouped by provider block (/16, IPv6 /32: see
 * baselines/org-baseline.ts `providerBlock`); prefixes without a block are left out. The order
 * within a block is `top`'s when built (the readers only ask whether a block, or a prefix of it,
 * is known).
 *
 * Kept beside the view while its prefix set stays the same: a capped set changes only by taking
 * a value in (evicting one when full), which moves `distinct + evicted` up; a view without the
 * eviction counter (hand-built) is grouped on every ask. Before, every known-network question
 * sorted the token's and the owner's kept values (`top`, ~300 entries over all dimensions) and
 * parsed each prefix.
 */
export function prefixesByBlock(view: BaselineView): ReadonlyMap<string, readonly string[]> {
  if (view.evicted === undefined) return groupByBlock(view.top('ip_prefix', 256));
  const inserted = view.distinct('ip_prefix') + view.evicted('ip_prefix');
  const kept = BLOCKS_OF_VIEW.get(view);
  if (kept !== undefined && kept.inserted === inserted) return kept.byBlock;
  const byBlock = groupByBlock(view.top('ip_prefix', 256));
  BLOCKS_OF_VIEW.set(view, { inserted, byBlock });
  return byBlock;
}

/** The prefixes grouped by provider block (first-appearance order within a block); blockless ones left out. */
export function groupByBlock(prefixes: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of prefixes) {
    const b = cachedProviderBlock(p);
    if (b === undefined) continue;
    const list = out.get(b);
    if (list === undefined) out.set(b, [p]);
    else list.push(p);
  }
  return out;
}

/** Provider blocks of recently asked prefixes (a pure function of the text; cleared when full). */
const BLOCKS = new Map<string, string | null>();
const BLOCKS_MAX = 65_536;

/** {@link providerBlock} of `prefix`, remembered for the next asks (the same prefixes recur on every event). */
export function cachedProviderBlock(prefix: string): string | undefined {
  const hit = BLOCKS.get(prefix);
  if (hit !== undefined) return hit ?? undefined;
  const block = providerBlock(prefix);
  if (BLOCKS.size >= BLOCKS_MAX) BLOCKS.clear();
  BLOCKS.set(prefix, block ?? null);
  return block;
}

/**
 * True when `s` makes a network known at a use: first seen at least `minAgeMs` before `beforeMs`
 * and last seen within `ttlMs` of `atMs` (lookup.ts `knownNetwork`).
 */
export const establishedAt = (
  s: SeenStat | undefined,
  beforeMs: number,
  atMs: number,
  minAgeMs: number,
  ttlMs: number,
): boolean => s !== undefined && s.firstSeen <= beforeMs - minAgeMs && s.lastSeen >= atMs - ttlMs;
