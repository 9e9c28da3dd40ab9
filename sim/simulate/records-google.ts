/**
 * Builds Google Workspace Reports API activities (`admin#reports#activity`): RFC 3339 `id.time`,
 * int64 `uniqueQualifier` as a (possibly negative) string, quoted `etag`, actor with optional
 * `applicationInfo` (domain-wide delegation), `ipAddress` + `networkInfo`, and typed parameters
 * with `intValue` as JSON strings and `multiValue` scopes, like the real API.
 */
import { isoMs } from './calendar.js';
import type { Emitted, GwsActivity, GwsApp, GwsParameter } from './emitted.js';
import type { NetAddress } from './geography.js';
import type { Tenant } from './population-types.js';
import type { Rng } from './prng.js';

/** A string parameter. */
export const pValue = (name: string, value: string): GwsParameter => ({ name, value });
/** An int64 parameter, encoded as a string. */
export const pInt = (name: string, value: number): GwsParameter => ({
  name,
  intValue: String(Math.round(value)),
});
/** A boolean parameter. */
export const pBool = (name: string, value: boolean): GwsParameter => ({ name, boolValue: value });
/** A multi-valued string parameter. */
export const pMulti = (name: string, values: readonly string[]): GwsParameter => ({
  name,
  multiValue: [...values],
});

/** Inputs of one activity. */
export interface GwsCall {
  t: number;
  tenant: Tenant;
  app: GwsApp;
  actor: { email?: string; profileId?: string; callerType?: 'USER' | 'KEY'; key?: string };
  applicationInfo?: { oauthClientId: string; applicationName: string; impersonation: boolean };
  addr: NetAddress | null;
  events: Array<{ type: string; name: string; parameters?: GwsParameter[] }>;
  rng: Rng;
  /** Reporting lag in ms (the Reports API is minutes to hours behind). */
  lag: number;
}

/** A random signed int64 as a decimal string. */
export function int64String(rng: Rng): string {
  const hi = BigInt(rng.u32());
  const lo = BigInt(rng.u32());
  return BigInt.asIntN(64, (hi << 32n) | lo).toString();
}

/** Builds an activity. */
export function googleActivity(c: GwsCall): GwsActivity {
  const actor: GwsActivity['actor'] = {};
  actor.callerType = c.actor.callerType ?? 'USER';
  if (c.actor.email !== undefined) actor.email = c.actor.email;
  if (c.actor.profileId !== undefined) actor.profileId = c.actor.profileId;
  if (c.actor.key !== undefined) actor.key = c.actor.key;
  if (c.applicationInfo) actor.applicationInfo = { ...c.applicationInfo };
  const act: GwsActivity = {
    kind: 'admin#reports#activity',
    id: {
      time: isoMs(Math.floor(c.t)),
      uniqueQualifier: int64String(c.rng),
      applicationName: c.app,
      customerId: c.tenant.gws.customerId,
    },
    etag: `"${c.rng.base62(27)}/${c.rng.base62(27)}"`,
    actor,
    events: c.events,
  };
  if (c.addr) {
    act.ipAddress = c.addr.ip;
    if (c.addr.asn !== undefined) act.networkInfo = { ipAsn: [c.addr.asn], regionCode: c.addr.country };
  }
  return act;
}

/** Builds the emitted record. */
export function googleEmit(c: GwsCall): Emitted {
  const rec = googleActivity(c);
  const t = Math.floor(c.t);
  return { source: 'google_workspace', app: c.app, t, arrival: t + c.lag, tenant: c.tenant.idx, rec };
}
