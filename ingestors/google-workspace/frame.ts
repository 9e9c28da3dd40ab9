import { frameJson } from '../common/framing.js';
import type { FramedItem, RawRecord, RecordLocation } from '../types.js';

/**
 * Frames Google Workspace Reports API input into one record per event: API pages
 * (`{"kind":"admin#reports#activities","items":[...]}`, an empty page yields nothing), NDJSON of
 * activities or of pages, JSON arrays. Each activity's `events[]` is exploded: the record holds
 * the activity envelope (`id`, `actor`, `ipAddress`, ...), `events` set to that single event, and
 * `tokenwatch_event_index` (its index in the original list, used by `event.id`). Activities already
 * split (single `events` object, singular `event`, Panther's flattened form) pass through without
 * an index (their `event.id` position is a hash of the event's parameters, IDS.md). A numeric
 * `uniqueQualifier` is read losslessly (as its digits). Locations get `#events[i]` when an activity held several events.
 * A page whose records sit under a member we do not read (`"Items"`, an unknown wrapper) becomes one
 * `unrecognized_envelope` dead letter per element, never a silent loss. Never throws.
 */
export function frameGoogleWorkspace(text: string, location: RecordLocation): Iterable<FramedItem> {
  return explode(
    frameJson(text, location, {
      source: 'google_workspace',
      envelopes: ['items'],
      // id.uniqueQualifier is an int64 (Reports API `activities` resource); as a JSON number past
      // 2^53 JSON.parse would round it, so its digits are read as a string.
      int64Keys: ['uniqueQualifier'],
      strayEnvelope,
      isEmptyPage: (v) => typeof v.kind === 'string' && v.kind.endsWith('#activities'),
      family: (r) => familyOf(r),
    }),
  );
}

/**
 * Members of an `activities.list` response besides `items` (Admin SDK Reports API,
 * https://developers.google.com/workspace/admin/reports/reference/rest/v1/activities/list ,
 * "Response body"): a page holding only these is an empty page.
 */
const PAGE_MEMBERS = new Set(['kind', 'etag', 'nextPageToken']);

/**
 * Why a parsed top-level object outside `items` is a page whose records we would not read (see
 * `FrameOptions.strayEnvelope`): a Reports page (`kind` `...#activities`) with a member other than
 * `kind`, `etag`, `nextPageToken` (its records under a misspelled key such as `Items`), or an object
 * that is no activity (no `id`, `events`, `event`, `name`) but holds an array of objects (an
 * unknown wrapper such as `{"activities":[...]}`). Undefined for activities and empty pages.
 */
function strayEnvelope(v: Record<string, unknown>): string | undefined {
  const kind = v.kind;
  if (typeof kind === 'string' && kind.endsWith('#activities')) {
    const other = Object.keys(v).filter((k) => !PAGE_MEMBERS.has(k));
    if (other.length === 0) return undefined;
    return `Reports API page (kind ${kind}) without "items": unrecognized envelope member(s) ${quoted(other)}`;
  }
  if (v.id !== undefined || v.events !== undefined || v.event !== undefined || v.name !== undefined)
    return undefined;
  const lists = Object.keys(v).filter((k) => {
    const m = v[k];
    return Array.isArray(m) && m.some((e) => e !== null && typeof e === 'object' && !Array.isArray(e));
  });
  if (lists.length === 0) return undefined;
  return `not a Reports activity (no "id" or "events") and not a Reports page ("items"): unrecognized envelope member(s) ${quoted(lists)}`;
}

const quoted = (keys: string[]): string =>
  keys
    .slice(0, 5)
    .map((k) => JSON.stringify(k.slice(0, 64)))
    .join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');

function familyOf(r: Record<string, unknown>): string | undefined {
  const id = r.id;
  if (id && typeof id === 'object' && 'applicationName' in id) {
    const app = (id as { applicationName: unknown }).applicationName;
    if (typeof app === 'string') return `reports:${app}`;
  }
  return undefined;
}

function* explode(items: Iterable<FramedItem>): Generator<FramedItem> {
  for (const item of items) {
    if (item.kind === 'dead') {
      yield item;
      continue;
    }
    const events = item.record.value.events;
    if (!Array.isArray(events) || events.length === 0) {
      yield item;
      continue;
    }
    const value = item.record.value;
    if (events.length === 1 && !Object.hasOwn(value, '__proto__')) {
      yield { kind: 'record', record: { ...item.record, value: single(value) } };
      continue;
    }
    const { events: _all, ...envelope } = value;
    for (let i = 0; i < events.length; i++) {
      const record: RawRecord = {
        ...item.record,
        value: { ...envelope, events: events[i], tokenwatch_event_index: i },
        location: events.length > 1 ? `${item.record.location}#events[${i}]` : item.record.location,
      };
      yield { kind: 'record', record };
    }
  }
}

/**
 * `{ ...envelope, events: events[0], tokenwatch_event_index: 0 }` (envelope: the activity without
 * `events`) for an activity with a single event, the usual case, built in one pass: the same keys
 * in the same order (callers rule out an own `__proto__` key, which assignment would not copy).
 */
function single(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in value) if (key !== 'events') out[key] = value[key];
  out.events = (value.events as unknown[])[0];
  out.tokenwatch_event_index = 0;
  return out;
}
