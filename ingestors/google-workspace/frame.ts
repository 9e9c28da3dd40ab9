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
 * `uniqueQualifier` is read losslessly (as its digits). Locations get `#events[i]` when an activity held several events. Never throws.
 */
export function frameGoogleWorkspace(text: string, location: RecordLocation): Iterable<FramedItem> {
  return explode(
    frameJson(text, location, {
      source: 'google_workspace',
      envelopes: ['items'],
      // id.uniqueQualifier is an int64 (Reports API `activities` resource); as a JSON number past
      // 2^53 JSON.parse would round it, so its digits are read as a string.
      int64Keys: ['uniqueQualifier'],
      isEmptyPage: (v) => typeof v.kind === 'string' && v.kind.endsWith('#activities'),
      family: (r) => familyOf(r),
    }),
  );
}

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
