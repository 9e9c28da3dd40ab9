import type { TokenActivity } from '../schemas/token-activity.js';
import { BaselineInputError } from './errors.js';
import { hourOfWeek } from './hour-of-week.js';
import { DIMENSIONS, type Dimension, type LastLocation } from './types.js';

/** Index of each dimension in {@link DIMENSIONS} (and in per-entity set arrays). */
export const DIM_INDEX: Readonly<Record<Dimension, number>> = Object.fromEntries(
  DIMENSIONS.map((d, i) => [d, i]),
) as Record<Dimension, number>;
export const SCOPE_DIM = DIM_INDEX.scope;
export const RESOURCE_DIM = DIM_INDEX.resource;
export const ACTION_DIM = DIM_INDEX.action;

/** Context of a created/authorized event (`BaselineView.created`). */
export interface CreatedContext {
  /** epoch ms */
  at: number;
  ip?: string;
  country?: string;
  ipPrefix?: string;
}

/**
 * Everything the baselines read from one activity, extracted once and shared by the token, app
 * and owner entities (objects here are never mutated afterwards, so entities may keep them).
 */
export interface Observation {
  /** event time, epoch ms */
  t: number;
  /** UTC hour of week, 0..167 */
  how: number;
  /** the value per dimension index d; undefined when absent and always for scope (see {@link scopes}) */
  keys: (string | undefined)[];
  /** `token.scopes`: each entry is a value of the scope dimension */
  scopes: readonly string[];
  rows: number;
  bytes: number;
  items: number;
  /** set when the event has a geo location and did not fail (`event.outcome` failure) */
  location: LastLocation | undefined;
  /** 'revoke' for revoked/expired, 'auth' for created/authorized */
  lifecycle: 'revoke' | 'auth' | undefined;
  /** set for created/authorized events */
  created: CreatedContext | undefined;
}

const locationOf = (
  lat: number,
  lon: number,
  country: string | undefined,
  city: string | undefined,
  ip: string,
  at: number,
  cloud: boolean,
  net: NonNullable<TokenActivity['tokenwatch']['network']> | undefined,
): LastLocation => {
  const l: LastLocation = { lat, lon, ip, at, cloud };
  if (country !== undefined) l.country = country;
  if (city !== undefined) l.city = city;
  if (net?.geo_precision !== undefined) l.precision = net.geo_precision;
  if (net?.geo_accuracy_km !== undefined) l.accuracyKm = net.geo_accuracy_km;
  if (net?.class !== undefined) l.netClass = net.class;
  return l;
};

const createdOf = (
  at: number,
  ip: string | undefined,
  country: string | undefined,
  ipPrefix: string | undefined,
): CreatedContext => {
  const c: CreatedContext = { at };
  if (ip !== undefined) c.ip = ip;
  if (country !== undefined) c.country = country;
  if (ipPrefix !== undefined) c.ipPrefix = ipPrefix;
  return c;
};

/** Extracts the {@link Observation} of an activity. Throws {@link BaselineInputError} on a bad timestamp. */
export const observe = (a: TokenActivity): Observation => {
  const t = Date.parse(a['@timestamp']);
  if (Number.isNaN(t))
    throw new BaselineInputError(`unparseable @timestamp '${a['@timestamp']}' (event ${a.event.id})`);
  const tw = a.tokenwatch;
  const geo = a.source?.geo;
  const ip = a.source?.ip;
  const prefix = tw.network?.ip_prefix;
  const country = geo?.country_iso_code;
  // A failed attempt (wrong password, refused call) is not a use of the credential: its network,
  // country, client and place are whoever tried, often an attacker (a password spray from
  // residential proxies). Learning them would make the attacker's later success look familiar
  // and move the last location for impossible travel. The attempt still counts as an event.
  const failed = a.event.outcome === 'failure';
  const keys: (string | undefined)[] = new Array(DIMENSIONS.length).fill(undefined);
  keys[DIM_INDEX.ip_prefix] = failed ? undefined : prefix;
  keys[DIM_INDEX.country] = failed ? undefined : country;
  keys[DIM_INDEX.ua_family] = failed ? undefined : a.user_agent?.name;
  keys[DIM_INDEX.action] = a.event.action;
  keys[DIM_INDEX.resource] = tw.resource ? `${tw.resource.type}:${tw.resource.name}` : undefined;
  keys[DIM_INDEX.client] = a.token.client?.id;
  keys[DIM_INDEX.api_type] = tw.api_type;
  const asn = a.source?.as?.number;
  keys[DIM_INDEX.asn] = failed || asn === undefined ? undefined : String(asn);
  const scopes = a.token.scopes;
  const loc = geo?.location;
  // Only a successful step counts: a failed authorization authorized nothing (it must not clear
  // an earlier revocation), a failed revocation revoked nothing.
  const lc = failed ? 'used' : a.token.lifecycle;
  const lifecycle =
    lc === 'revoked' || lc === 'expired'
      ? 'revoke'
      : lc === 'created' || lc === 'authorized'
        ? 'auth'
        : undefined;
  return {
    t,
    how: hourOfWeek(t),
    keys,
    scopes,
    rows: tw.volume?.rows ?? 0,
    bytes: tw.volume?.bytes ?? 0,
    items: tw.volume?.items ?? 0,
    location:
      loc === undefined || failed
        ? undefined
        : locationOf(
            loc.lat,
            loc.lon,
            country,
            geo?.city_name,
            ip ?? '',
            t,
            tw.network?.cloud_provider !== undefined || tw.network?.class === 'cloud',
            tw.network,
          ),
    lifecycle,
    created: lifecycle === 'auth' ? createdOf(t, ip, country, prefix) : undefined,
  };
};
