import { z } from 'zod';
import { GEO_PRECISIONS, NETWORK_CLASSES } from '../schemas/token-activity.js';
import type { CreatedContext } from './observation.js';
import { DIMENSIONS, type LastLocation } from './types.js';

const finite = z.number().finite();
const count = z.number().int().nonnegative();

/** [evicted, ...[value, count, firstSeen - entity firstSeen ms, entity lastSeen - lastSeen ms]] in insertion order */
const cappedSetSchema = z.tuple([count], z.tuple([z.string(), count, finite, z.number().nonnegative()]));

const hourlySeriesSchema = z.object({
  rb: z
    .array(z.union([z.literal(0), z.array(finite)]))
    .length(7)
    .refine(
      (cols) => new Set(cols.filter((c) => c !== 0).map((c) => c.length)).size <= 1,
      'ragged bucket columns',
    ),
  hs: z.tuple([z.array(finite), z.array(finite), z.array(finite), z.array(finite), z.array(finite)]),
  mx: z.tuple([finite, finite, finite, finite, finite]),
  ph: finite,
  lt: count,
});

/**
 * LastLocation as [lat, lon, ip, entity lastSeen - at ms, cloud 0|1, country, city] (null for
 * absent), then optionally [geo precision, accuracy km, network class] (states saved before the
 * geo precision work have 7 elements).
 */
const locationSchema = z.tuple(
  [
    finite,
    finite,
    z.string(),
    finite,
    z.union([z.literal(0), z.literal(1)]),
    z.string().nullable(),
    z.string().nullable(),
  ],
  z.union([z.enum(GEO_PRECISIONS), z.enum(NETWORK_CLASSES), finite, z.null()]),
);

/** created context as [at - entity firstSeen ms, ip, country, ipPrefix] (null for absent) */
const createdSchema = z.tuple([finite, z.string().nullable(), z.string().nullable(), z.string().nullable()]);

/**
 * Logical serialized state of one entity: `EntityBaseline.toJSON()`, and as JSON text the
 * persisted form of format version 1 (one NDJSON line of saved files and the changelog record
 * value of earlier releases). Version 2 persists the same content in binary (entity-codec.ts),
 * which decodes to this layout. Times are epoch ms. Layout and typical share of a ~1.3 KiB
 * (as JSON) mature token:
 * - `id`, `k` (kind), `n` (events), `f`/`l` (first/last seen)
 * - `hw`: 168 hour-of-week counters, zero runs of length k written as -k (~100 B)
 * - `ah`: 24 active-hour counters per UTC hour of day, same encoding (~30-70 B)
 * - `hs`: hourly series (hourly-series.ts): `rb` kept hour buckets, 7 columns (~25 B per
 *   active hour of the last 48 h), `hs` 5 histograms as [first bin, counts..., -k for k empty bins], `mx` folded
 *   maxima, `ph` last folded use, `lt` late events
 * - `s`: per dimension, `[evicted, ...[value, count, firstSeen - f, l - lastSeen]]` (~25 B + value each)
 * - `sc` scopes, `ll` last location, `rv`/`au` last revoke/auth time (-1 none), `cr` created
 *   context, `nr`/`na` recent first-seen resource/action times.
 */
export const entityStateSchema = z.object({
  id: z.string().min(1),
  k: z.enum(['token', 'app', 'owner']),
  n: count,
  f: finite,
  l: finite,
  hw: z.array(z.number().int().min(-168)).max(168),
  /** active hours per UTC hour of day (hour-of-week.ts ActiveHourProfile); absent when none or in state saved before it */
  ah: z.array(z.number().int().min(-24)).max(24).optional(),
  hs: hourlySeriesSchema,
  s: z.partialRecord(z.enum(DIMENSIONS), cappedSetSchema),
  sc: z.array(z.string()),
  ll: locationSchema.nullable(),
  rv: finite,
  au: finite,
  cr: createdSchema.nullable(),
  nr: z.array(finite),
  na: z.array(finite),
});

export type EntityStateJSON = z.infer<typeof entityStateSchema>;

/** LastLocation to its serialized tuple. */
export const encodeLocation = (l: LastLocation, last: number): NonNullable<EntityStateJSON['ll']> => {
  const base: NonNullable<EntityStateJSON['ll']> = [
    l.lat,
    l.lon,
    l.ip,
    last - l.at,
    l.cloud ? 1 : 0,
    l.country ?? null,
    l.city ?? null,
  ];
  if (l.precision === undefined && l.accuracyKm === undefined && l.netClass === undefined) return base;
  return [...base, l.precision ?? null, l.accuracyKm ?? null, l.netClass ?? null];
};

/** Inverse of {@link encodeLocation}. */
export const decodeLocation = (
  [lat, lon, ip, age, cloud, country, city, precision, accuracyKm, netClass]: NonNullable<
    EntityStateJSON['ll']
  >,
  last: number,
): LastLocation => {
  const l: LastLocation = { lat, lon, ip, at: last - age, cloud: cloud === 1 };
  if (country !== null) l.country = country;
  if (city !== null) l.city = city;
  if (typeof precision === 'string' && (GEO_PRECISIONS as readonly string[]).includes(precision))
    l.precision = precision as LastLocation['precision'];
  if (typeof accuracyKm === 'number') l.accuracyKm = accuracyKm;
  if (typeof netClass === 'string' && (NETWORK_CLASSES as readonly string[]).includes(netClass))
    l.netClass = netClass as LastLocation['netClass'];
  return l;
};

/** Created context to its serialized tuple. */
export const encodeCreated = (c: CreatedContext, first: number): NonNullable<EntityStateJSON['cr']> => [
  c.at - first,
  c.ip ?? null,
  c.country ?? null,
  c.ipPrefix ?? null,
];

/** Inverse of {@link encodeCreated}. */
export const decodeCreated = (
  [offset, ip, country, ipPrefix]: NonNullable<EntityStateJSON['cr']>,
  first: number,
): CreatedContext => {
  const c: CreatedContext = { at: first + offset };
  if (ip !== null) c.ip = ip;
  if (country !== null) c.country = country;
  if (ipPrefix !== null) c.ipPrefix = ipPrefix;
  return c;
};
