/**
 * A person's day: whether they work, their working window in UTC, where they are (home, office,
 * hotel or on a mobile network abroad, or behind the corporate SDP after the N3 rollout) and
 * which device they use. Deterministic in (seed, person, day), so attack generators can ask
 * where a victim was (S9 reuses the victim's usual address).
 */
import { DAY_MS, HOUR_MS, isWeekend, localMidnight } from './calendar.js';
import type { GeoCity } from './geo-table.js';
import { mobileAddress, type NetAddress, residentialAddress, sdpAddress } from './geography.js';
import { SDP_SECONDARY_RANGES } from './hostile-infra.js';
import { ipv6HomeAddress, noiseOn, noiseTraits, SDP_FAILOVER_SHARE, vpsAddress } from './noise.js';
import type { Person, Population, Tenant } from './population-types.js';
import { rngFor } from './prng.js';
import type { Device } from './user-agents.js';

/** What a person does on one day. */
export interface PersonDay {
  day: number;
  works: boolean;
  /** Working window, epoch ms UTC (empty when `works` is false). */
  startT: number;
  endT: number;
  where: 'home' | 'office' | 'travel';
  city: GeoCity;
  /** Laptop egress for the day. */
  addr: NetAddress;
  /** Laptop egress of IPv6-capable services (Workspace): the home's IPv6 when dual-stack, else `addr`. */
  addr6: NetAddress;
  /** Phone egress (mobile carrier of the current country). */
  phoneAddr: NetAddress;
  device: Device;
  deviceIdx: number;
}

/** The home address of a person on a day (ISP re-assignment on `homeChangeDay`). */
export function homeAddress(p: Person, day: number): NetAddress {
  const key = p.homeChangeDay !== null && day >= p.homeChangeDay ? p.homeKey2 : p.homeKey;
  return residentialAddress(p.home, key);
}

const cache = new Map<string, PersonDay>();
/** The population the cache belongs to (a new simulation in the same process starts afresh). */
let cachePop: Population | undefined;

/** Computes (and caches for the current day) a person's day. */
export function personDay(pop: Population, p: Person, day: number): PersonDay {
  if (pop !== cachePop) {
    cache.clear();
    cachePop = pop;
  }
  const key = `${p.idx}:${day}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const pd = computeDay(pop, p, day);
  if (cache.size > 400_000) cache.clear();
  cache.set(key, pd);
  return pd;
}

/** Drops cached days before `day` (called by the generator as days advance). */
export function forgetDaysBefore(day: number): void {
  for (const [k, v] of cache) if (v.day < day) cache.delete(k);
}

function computeDay(pop: Population, p: Person, day: number): PersonDay {
  const rng = rngFor(pop.seed, 'pday', p.idx, day);
  const tenant = pop.tenants[p.tenant] as Tenant;
  const dayStart = pop.start + day * DAY_MS;
  const trip = p.trips.find((tr) => day >= tr.depart && day <= tr.ret);
  const abroad = trip !== undefined && day > trip.depart && day < trip.ret;
  const city = abroad && trip ? trip.dest : p.home;
  const deviceIdx = p.devices.length > 1 && rng.chance(0.15) ? 1 : 0;
  const device = p.devices[deviceIdx] ?? p.devices[0];
  const weekend = isWeekend(dayStart);
  let works =
    !p.testAccount &&
    day >= p.hireDay &&
    (p.leaveDay === undefined || day < p.leaveDay) &&
    (weekend ? rng.chance(0.1) : !rng.chance(0.04));
  if (trip && day === trip.ret) works = false; // flying home
  const midnight = localMidnight(city.tz, dayStart);
  let startH = weekend ? rng.float(10, 16) : p.workStart + rng.normal(0, 0.4);
  let len = weekend ? rng.float(0.5, 2) : Math.max(4, p.workLen + rng.normal(0, 0.6));
  if (trip && day === trip.depart) len = Math.min(len, 4); // half day, then the flight
  if (p.hireDay === day && day > 0) {
    startH = Math.max(startH, 10);
    len = Math.min(len, 6);
  }
  const startT = midnight + startH * HOUR_MS;
  const endT = startT + len * HOUR_MS;
  const vpnOn = tenant.vpnRolloutDay !== null && day >= tenant.vpnRolloutDay;
  let where: PersonDay['where'] = abroad ? 'travel' : 'home';
  let addr: NetAddress;
  if (abroad && trip) {
    addr = rng.chance(0.7)
      ? residentialAddress(trip.dest, p.idx * 31 + trip.depart, 'residential')
      : mobileAddress(trip.dest.country, p.idx * 17 + day, trip.dest);
  } else if (
    p.officeGoer &&
    !weekend &&
    [2, 3, 4].includes(new Date(dayStart).getUTCDay()) &&
    rng.chance(0.7)
  ) {
    where = 'office';
    addr = tenant.office[p.idx % tenant.office.length] as NetAddress;
  } else {
    addr = homeAddress(p, day);
  }
  let addr6 = addr;
  if (noiseOn(pop) && where === 'home' && !abroad) {
    const traits = noiseTraits(pop, p);
    const noiseRng = rngFor(pop.seed, 'pday-noise', p.idx, day);
    if (traits.vpsHome && noiseRng.chance(0.5)) addr = vpsAddress(p);
    else if (traits.ipv6Home) addr6 = ipv6HomeAddress(p) ?? addr;
  }
  if (vpnOn) {
    // With noise, the SDP client fails over to the region's secondary data centre (another /16,
    // often another AS of the same operator) on some days (noise.ts).
    const failover = noiseOn(pop) && rngFor(pop.seed, 'pday-sdp-node', p.idx, day).chance(SDP_FAILOVER_SHARE);
    addr = sdpAddress(city.country, p.idx + tenant.idx, failover ? SDP_SECONDARY_RANGES : undefined);
  }
  if (vpnOn) addr6 = addr;
  const phoneAddr = mobileAddress(city.country, p.idx * 13 + Math.floor(day / 3), city);
  return {
    day,
    works,
    startT,
    endT,
    where,
    city,
    addr,
    addr6,
    phoneAddr,
    device: device as Device,
    deviceIdx,
  };
}
