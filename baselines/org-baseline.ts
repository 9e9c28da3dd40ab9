import { z } from 'zod';
import type { TokenActivity } from '../schemas/token-activity.js';
import type { FailedAttempt, ImpersonationView, OrgView } from './types.js';

const DAY_MS = 86_400_000;

/** How long a network keeps counting as used by a person (ms): 30 days of event time. */
export const ORG_PREFIX_WINDOW_MS = 30 * DAY_MS;
/** People remembered per network (enough to tell "shared by several" from "one person's"). */
export const ORG_PREFIX_PRINCIPALS_CAP = 16;
/** Networks remembered org-wide (least recently used dropped). */
export const ORG_PREFIX_CAP = 16_384;
/** How long failed attempts on an account are kept (ms): 14 days of event time. */
export const FAILED_ATTEMPT_WINDOW_MS = 14 * DAY_MS;
/** Failed attempts kept per account (oldest dropped). */
export const FAILED_ATTEMPT_CAP = 64;
/** Accounts with failed attempts remembered (least recently failed dropped). */
export const FAILED_ACCOUNT_CAP = 16_384;
/** Users remembered per delegated client (least recently impersonated dropped, counted as evicted). */
export const IMPERSONATED_USERS_CAP = 4_096;
/** Delegated clients remembered (least recently used dropped). */
export const DELEGATED_CLIENT_CAP = 1_024;

/**
 * The provider block of a network prefix: the /16 of an IPv4 /24 (`203.0`), the /32 of an IPv6
 * /64 (`2001:db8`). A person's new address inside a block they already use is usually the same
 * ISP's address pool (DHCP churn), not a new place. Undefined when the prefix is not parseable.
 */
export function providerBlock(prefix: string): string | undefined {
  const addr = prefix.split('/')[0] ?? '';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) return addr.split('.').slice(0, 2).join('.');
  if (!addr.includes(':')) return undefined;
  const [head = '', tail] = addr.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
          ...tailGroups,
        ];
  if (groups.length < 2) return undefined;
  return groups
    .slice(0, 2)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}

/** Moves `key` to the most-recent end of an insertion-ordered map and drops the oldest beyond `cap`. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, cap: number, onDrop?: (key: K) => void): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > cap) {
    const oldest = map.keys().next().value as K;
    map.delete(oldest);
    onDrop?.(oldest);
  }
}

/** Users one delegated client impersonated: first/last time per user and recent first times. */
class Impersonations implements ImpersonationView {
  /** user -> [firstSeen, lastSeen], least recently impersonated first */
  readonly users = new Map<string, [number, number]>();
  evicted = 0;
  readonly newUserTimes: number[] = [];

  firstSeen(user: string): number | undefined {
    return this.users.get(user)?.[0];
  }

  get distinct(): number {
    return this.users.size;
  }

  top(limit: number): string[] {
    return [...this.users.keys()].reverse().slice(0, limit);
  }

  observe(user: string, t: number, windowMs: number): void {
    const seen = this.users.get(user);
    if (seen !== undefined) {
      this.users.delete(user);
      this.users.set(user, [Math.min(seen[0], t), Math.max(seen[1], t)]);
      return;
    }
    this.users.set(user, [t, t]);
    if (this.users.size > IMPERSONATED_USERS_CAP) {
      this.users.delete(this.users.keys().next().value as string);
      this.evicted++;
    }
    const times = this.newUserTimes;
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) > t) i--;
    times.splice(i, 0, t);
    const latest = times.at(-1) as number;
    let k = 0;
    while (k < times.length && (times[k] as number) < latest - windowMs) k++;
    if (k > 0) times.splice(0, k);
  }
}

const attemptSchema = z.object({
  at: z.number(),
  ip: z.string().optional(),
  prefix: z.string().optional(),
  country: z.string().optional(),
});

/** Serialized {@link OrgBaseline} (saved next to the entity baselines, see persistence.ts). */
export const orgStateSchema = z.object({
  v: z.literal(1),
  /** [prefix, [[owner, lastSeen]...]] least recently used first */
  prefixes: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), z.number()]))])),
  /** [owner, attempts oldest first] least recently failed first */
  failures: z.array(z.tuple([z.string(), z.array(attemptSchema)])),
  /** [client token id, evicted, [[user, first, last]...], new-user times] least recently used first */
  impersonations: z.array(
    z.tuple([
      z.string(),
      z.number().int().nonnegative(),
      z.array(z.tuple([z.string(), z.number(), z.number()])),
      z.array(z.number()),
    ]),
  ),
});
export type OrgStateJSON = z.infer<typeof orgStateSchema>;

/**
 * Organization-wide state that belongs to no single token, app or owner (the {@link OrgView}
 * detectors read as `ctx.org`), updated by the store with every activity:
 *
 * - **Shared networks**: per IP prefix (/24, /64), the people (owner entities of `human` tokens)
 *   who used it successfully and when, at most {@link ORG_PREFIX_PRINCIPALS_CAP} each, for
 *   {@link ORG_PREFIX_WINDOW_MS}. A prefix several people use is corporate egress (office NAT, VPN,
 *   SDP such as Zscaler or Cloudflare WARP): when a rollout moves everyone there in a day (N3),
 *   a person's first use of it is not a new place. Machine tokens do not count (an attacker VPS
 *   replaying several stolen integration tokens must not become "known"). Indexed by provider block
 *   (/16, IPv6 /32) too: an SDP provider's other nodes share the block of its busiest one.
 * - **Failed attempts** per account (owner entity): time, IP, prefix and country of every
 *   `event.outcome: failure` within {@link FAILED_ATTEMPT_WINDOW_MS} (a password spray from many
 *   networks; the entity baselines deliberately learn nothing from failures).
 * - **Impersonation** per domain-wide-delegation client (token entity of activities carrying
 *   `tokenwatch.impersonated_user`): the users it acted as (first/last time, at most
 *   {@link IMPERSONATED_USERS_CAP}) and the times it first impersonated a user within the store's
 *   `recentWindowMs` (fan-out, S6).
 *
 * One store is one organization (one tokenwatch deployment watches one company's GitHub org,
 * Workspace and Salesforce), so networks are shared across sources: a person's Zscaler egress is
 * the same for their GitHub PAT and their Workspace session. All maps are bounded (LRU).
 * Times are event time; late events are tolerated (min/max), nothing reads the wall clock.
 */
export class OrgBaseline implements OrgView {
  private readonly prefixes = new Map<string, Map<string, number>>();
  /** provider block -> prefixes of it in {@link prefixes} (kept in step, not saved: rebuilt on load) */
  private readonly blocks = new Map<string, Set<string>>();
  private readonly failures = new Map<string, FailedAttempt[]>();
  private readonly delegations = new Map<string, Impersonations>();

  constructor(private readonly recentWindowMs: number) {}

  /** Folds one activity in (`owner` is its owner entity id, if any). */
  observe(a: TokenActivity, t: number, owner: string | undefined): void {
    const prefix = a.tokenwatch.network?.ip_prefix;
    const failed = a.event.outcome === 'failure';
    if (failed) {
      if (owner !== undefined) this.recordFailure(owner, a, t, prefix);
    } else if (prefix !== undefined && owner !== undefined && a.token.principal === 'human') {
      const people = this.prefixes.get(prefix) ?? new Map<string, number>();
      const last = people.get(owner);
      if (last === undefined && people.size >= ORG_PREFIX_PRINCIPALS_CAP) {
        // keep the most recent people: drop the stalest
        let stalest: string | undefined;
        let min = Number.POSITIVE_INFINITY;
        for (const [p, s] of people) if (s < min) [stalest, min] = [p, s];
        if (stalest !== undefined) people.delete(stalest);
      }
      people.set(owner, Math.max(last ?? t, t));
      if (!this.prefixes.has(prefix)) this.indexBlock(prefix);
      touch(this.prefixes, prefix, people, ORG_PREFIX_CAP, (dropped) => this.unindexBlock(dropped));
    }
    const user = a.tokenwatch.impersonated_user;
    if (user !== undefined && !failed) {
      const d = this.delegations.get(a.token.id) ?? new Impersonations();
      d.observe(user, t, this.recentWindowMs);
      touch(this.delegations, a.token.id, d, DELEGATED_CLIENT_CAP);
    }
  }

  private indexBlock(prefix: string): void {
    const block = providerBlock(prefix) ?? prefix;
    const set = this.blocks.get(block) ?? new Set<string>();
    set.add(prefix);
    this.blocks.set(block, set);
  }

  private unindexBlock(prefix: string): void {
    const block = providerBlock(prefix) ?? prefix;
    const set = this.blocks.get(block);
    set?.delete(prefix);
    if (set?.size === 0) this.blocks.delete(block);
  }

  private recordFailure(owner: string, a: TokenActivity, t: number, prefix: string | undefined): void {
    const list = this.failures.get(owner) ?? [];
    const attempt: FailedAttempt = { at: t };
    if (a.source?.ip !== undefined) attempt.ip = a.source.ip;
    if (prefix !== undefined) attempt.prefix = prefix;
    const country = a.source?.geo?.country_iso_code;
    if (country !== undefined) attempt.country = country;
    let i = list.length;
    while (i > 0 && (list[i - 1] as FailedAttempt).at > t) i--;
    list.splice(i, 0, attempt);
    const latest = (list.at(-1) as FailedAttempt).at;
    let k = 0;
    while (k < list.length && (list[k] as FailedAttempt).at < latest - FAILED_ATTEMPT_WINDOW_MS) k++;
    if (list.length - k > FAILED_ATTEMPT_CAP) k = list.length - FAILED_ATTEMPT_CAP;
    if (k > 0) list.splice(0, k);
    touch(this.failures, owner, list, FAILED_ACCOUNT_CAP);
  }

  sharedPrefixPrincipals(prefix: string, atMs: number, except?: string): number {
    const people = this.prefixes.get(prefix);
    if (people === undefined) return 0;
    let n = 0;
    for (const [p, last] of people) if (p !== except && last >= atMs - ORG_PREFIX_WINDOW_MS) n++;
    return n;
  }

  sharedBlockPrincipals(prefix: string, atMs: number, except?: string): number {
    let max = 0;
    for (const p of this.blocks.get(providerBlock(prefix) ?? prefix) ?? []) {
      max = Math.max(max, this.sharedPrefixPrincipals(p, atMs, except));
    }
    return max;
  }

  failedAttempts(owner: string): readonly FailedAttempt[] {
    return this.failures.get(owner) ?? [];
  }

  impersonation(client: string): ImpersonationView | undefined {
    return this.delegations.get(client);
  }

  /** Serializable state ({@link orgStateSchema}). */
  toJSON(): OrgStateJSON {
    return {
      v: 1,
      prefixes: [...this.prefixes].map(([p, people]) => [p, [...people]]),
      failures: [...this.failures].map(([o, list]) => [o, list.map((x) => ({ ...x }))]),
      impersonations: [...this.delegations].map(([c, d]) => [
        c,
        d.evicted,
        [...d.users].map(([u, [f, l]]) => [u, f, l] as [string, number, number]),
        [...d.newUserTimes],
      ]),
    };
  }

  /** Rebuilds the state saved by {@link toJSON} (validate untrusted input with {@link orgStateSchema}). */
  static fromJSON(state: OrgStateJSON, recentWindowMs: number): OrgBaseline {
    const org = new OrgBaseline(recentWindowMs);
    for (const [p, people] of state.prefixes) {
      org.prefixes.set(p, new Map(people));
      org.indexBlock(p);
    }
    for (const [o, list] of state.failures) {
      org.failures.set(
        o,
        list.map((x) => {
          const attempt: FailedAttempt = { at: x.at };
          if (x.ip !== undefined) attempt.ip = x.ip;
          if (x.prefix !== undefined) attempt.prefix = x.prefix;
          if (x.country !== undefined) attempt.country = x.country;
          return attempt;
        }),
      );
    }
    for (const [c, evicted, users, times] of state.impersonations) {
      const d = new Impersonations();
      d.evicted = evicted;
      for (const [u, f, l] of users) d.users.set(u, [f, l]);
      d.newUserTimes.push(...times);
      org.delegations.set(c, d);
    }
    return org;
  }
}
