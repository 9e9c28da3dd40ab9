import { z } from 'zod';
import type { TokenActivity } from '../schemas/token-activity.js';
import type { OrgView } from './types.js';

const DAY_MS = 86_400_000;

/** How long a network keeps counting as used by a person (ms): 30 days of event time. */
export const ORG_PREFIX_WINDOW_MS = 30 * DAY_MS;
/** People remembered per network (enough to tell "shared by several" from "one person's"). */
export const ORG_PREFIX_PRINCIPALS_CAP = 16;
/** Networks remembered org-wide (least recently used dropped). */
export const ORG_PREFIX_CAP = 16_384;
/** Enterprise-gateway operators remembered org-wide (least recently used dropped). */
export const ORG_GATEWAY_CAP = 64;
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

/** Serialized {@link OrgBaseline} (saved next to the entity baselines, see persistence.ts). */
export const orgStateSchema = z.object({
  v: z.literal(1),
  /** [prefix, [[owner, lastSeen]...]] least recently used first */
  prefixes: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), z.number()]))])),
  /** [gateway operator, [[owner, lastSeen]...]] of enterprise gateways, least recently used first (absent in older state) */
  gateways: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), z.number()]))])).optional(),
  // State saved before failed attempts and impersonations moved to the spray and fan-out detectors'
  // declared state (detectors/state.ts) may still carry `failures` / `impersonations`: zod drops them.
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
 * - **Enterprise gateways**: per operator of an enterprise security gateway
 *   (`tokenwatch.network.vpn_kind` `enterprise_gateway`, operator `vpn_provider`, else the AS:
 *   Zscaler, Netskope, Cloudflare Zero Trust...), the people who used it and when, with the same
 *   bounds: a gateway spreads one organization over many nodes, /24s, /16s and even ASNs (a
 *   person on the Frankfurt node when colleagues use Chicago's), so its people are counted per
 *   operator, not per prefix.

 * (Failed attempts per account and the users a delegation client impersonated are the declared
 * state of `account.password_spray` and `app.impersonation_fanout`, not kept here.)
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
  /** enterprise-gateway operator ({@link gatewayOf}) -> owner -> last use */
  private readonly gateways = new Map<string, Map<string, number>>();

  /** Folds one activity in (`owner` is its owner entity id, if any). */
  observe(a: TokenActivity, t: number, owner: string | undefined): void {
    const prefix = a.tokenwatch.network?.ip_prefix;
    if (a.event.outcome === 'failure') return;
    if (prefix !== undefined && owner !== undefined && a.token.principal === 'human') {
      const people = addPerson(this.prefixes.get(prefix), owner, t);
      if (!this.prefixes.has(prefix)) this.indexBlock(prefix);
      touch(this.prefixes, prefix, people, ORG_PREFIX_CAP, (dropped) => this.unindexBlock(dropped));
      const gateway = gatewayOf(a);
      if (gateway !== undefined) {
        touch(this.gateways, gateway, addPerson(this.gateways.get(gateway), owner, t), ORG_GATEWAY_CAP);
      }
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

  sharedPrefixPrincipals(prefix: string, atMs: number, except?: string): number {
    return countRecent(this.prefixes.get(prefix), atMs, except);
  }

  sharedBlockPrincipals(prefix: string, atMs: number, except?: string): number {
    let max = 0;
    for (const p of this.blocks.get(providerBlock(prefix) ?? prefix) ?? []) {
      max = Math.max(max, this.sharedPrefixPrincipals(p, atMs, except));
    }
    return max;
  }

  sharedGatewayPrincipals(gateway: string, atMs: number, except?: string): number {
    return countRecent(this.gateways.get(gateway), atMs, except);
  }

  /** Serializable state ({@link orgStateSchema}). */
  toJSON(): OrgStateJSON {
    return {
      v: 1,
      prefixes: [...this.prefixes].map(([p, people]) => [p, [...people]]),
      ...(this.gateways.size > 0
        ? {
            gateways: [...this.gateways].map(
              ([g, people]) => [g, [...people]] as [string, [string, number][]],
            ),
          }
        : {}),
    };
  }

  /** Rebuilds the state saved by {@link toJSON} (validate untrusted input with {@link orgStateSchema}). */
  static fromJSON(state: OrgStateJSON): OrgBaseline {
    const org = new OrgBaseline();
    for (const [p, people] of state.prefixes) {
      org.prefixes.set(p, new Map(people));
      org.indexBlock(p);
    }
    for (const [g, people] of state.gateways ?? []) org.gateways.set(g, new Map(people));
    return org;
  }
}

/**
 * The enterprise security gateway an activity came through (`tokenwatch.network.class` `vpn` with
 * `vpn_kind` `enterprise_gateway`): its operator (`vpn_provider`, `zscaler`), else `AS<number>`;
 * undefined for any other network.
 */
export function gatewayOf(a: TokenActivity): string | undefined {
  const net = a.tokenwatch.network;
  if (net?.class !== 'vpn' || net.vpn_kind !== 'enterprise_gateway') return undefined;
  if (net.vpn_provider !== undefined) return net.vpn_provider;
  const asn = a.source?.as?.number;
  return asn === undefined ? undefined : `AS${asn}`;
}

/**
 * Records `owner`'s use at `t` in a people map (created when absent), keeping at most
 * {@link ORG_PREFIX_PRINCIPALS_CAP} people: the stalest is dropped for a newcomer.
 */
function addPerson(people: Map<string, number> | undefined, owner: string, t: number): Map<string, number> {
  const map = people ?? new Map<string, number>();
  const last = map.get(owner);
  if (last === undefined && map.size >= ORG_PREFIX_PRINCIPALS_CAP) {
    let stalest: string | undefined;
    let min = Number.POSITIVE_INFINITY;
    for (const [p, s] of map) if (s < min) [stalest, min] = [p, s];
    if (stalest !== undefined) map.delete(stalest);
  }
  map.set(owner, Math.max(last ?? t, t));
  return map;
}

/** People of a people map other than `except` seen within {@link ORG_PREFIX_WINDOW_MS} before `atMs`. */
function countRecent(people: Map<string, number> | undefined, atMs: number, except?: string): number {
  if (people === undefined) return 0;
  let n = 0;
  for (const [p, last] of people) if (p !== except && last >= atMs - ORG_PREFIX_WINDOW_MS) n++;
  return n;
}
