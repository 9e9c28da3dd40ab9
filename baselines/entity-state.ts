import { z } from 'zod';
import { DIMENSIONS } from './types.js';

const finite = z.number().finite();
const count = z.number().int().nonnegative();

const cappedSetSchema = z.object({
  /** [value, count, firstSeen ms, lastSeen - firstSeen ms] in insertion order */
  v: z.array(z.tuple([z.string(), count, finite, z.number().nonnegative()])),
  /** values evicted so far */
  x: count,
});

const hourlySeriesSchema = z.object({
  rb: z.array(finite).refine((a) => a.length % 7 === 0, 'recent buckets need 7 numbers each'),
  hs: z.tuple([z.array(finite), z.array(finite), z.array(finite), z.array(finite), z.array(finite)]),
  mx: z.tuple([finite, finite, finite, finite, finite]),
  ph: finite,
  lt: count,
});

const locationSchema = z.object({
  lat: finite,
  lon: finite,
  country: z.string().optional(),
  city: z.string().optional(),
  ip: z.string(),
  at: finite,
  cloud: z.boolean(),
});

const createdSchema = z.object({
  at: finite,
  ip: z.string().optional(),
  country: z.string().optional(),
  ipPrefix: z.string().optional(),
});

/**
 * Serialized state of one entity (format version 1), one NDJSON line in the saved file.
 * Times are epoch ms. Layout and typical share of a ~1.3 KiB mature token:
 * - `id`, `k` (kind), `n` (events), `f`/`l` (first/last seen)
 * - `hw`: 168 hour-of-week counters, trailing zeros trimmed (~350 B)
 * - `hs`: hourly series (hourly-series.ts): `rb` kept hour buckets, 7 numbers each (~40 B per
 *   active hour of the last 48 h), `hs` 5 sparse histograms as [bin, count] pairs, `mx` folded
 *   maxima, `ph` last folded use, `lt` late events
 * - `s`: per dimension, capped set entries `[value, count, first, last - first]` (~40 B + value each)
 * - `sc` scopes, `ll` last location, `rv`/`au` last revoke/auth time (-1 none), `cr` created
 *   context, `nr`/`na` recent first-seen resource/action times.
 */
export const entityStateSchema = z.object({
  id: z.string().min(1),
  k: z.enum(['token', 'app', 'owner']),
  n: count,
  f: finite,
  l: finite,
  hw: z.array(count).max(168),
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
