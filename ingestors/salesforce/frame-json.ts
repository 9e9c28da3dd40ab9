import {
  pubSubEventSchema,
  soqlEnvelopeSchema,
  streamingEnvelopeSchema,
} from '../../schemas/raw/salesforce.js';
import { jsonErrorMessage } from '../common/json-error.js';
import { MAX_RECORD_DEPTH, overLimits, scanValueEnd } from '../common/json-scan.js';
import type { FramedItem, RecordLocation } from '../types.js';
import { deadFromText, deadFromValue, MAX_RECORD_CHARS } from './dead-letter.js';
import {
  detectFamily,
  META_FAMILY,
  rtemTypeFromLocation,
  typeFromChannel,
  unwrapAvroUnions,
} from './family.js';

/**
 * Framing of Salesforce JSON: Real-Time Event Monitoring objects and ELF rows a vendor already
 * converted to JSON, as
 * - a SOQL query page `{totalSize, done, nextRecordsUrl, records:[{attributes:{type}, ...}]}`
 *   (REST API `query`; Elastic's collector runs `SELECT FIELDS(STANDARD) FROM LoginEvent ...`),
 * - a CometD streaming message `{channel:"/event/ApiEventStream", data:{event:{replayId},
 *   payload:{...}, schema}}` (Streaming API; Platform Events Developer Guide),
 * - a Pub/Sub API event decoded to JSON, `{replayId, payload:{...}}` (optionally `id`, `schemaId`,
 *   `topicName`), its payload possibly in the Avro JSON encoding (`{"string": "..."}` unions,
 *   epoch-ms dates: see `unwrapAvroUnions`),
 * - an array of any of these (a CometD `/meta/connect` batch, a JSON export),
 * - NDJSON: one of these per line,
 * - a bare event object.
 */

/** Nesting limit for arrays of envelopes of arrays. */
const MAX_DEPTH = 4;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** One record, unless its serialized size exceeds the 1 MiB limit. Avro unions are unwrapped. */
function recordItem(
  wrapped: Record<string, unknown>,
  family: string | undefined,
  location: RecordLocation,
): FramedItem {
  const value = unwrapAvroUnions(wrapped);
  const size = JSON.stringify(value).length;
  if (size > MAX_RECORD_CHARS) {
    return {
      kind: 'dead',
      dead: deadFromValue(
        'oversized',
        `JSON record of ${size} characters exceeds ${MAX_RECORD_CHARS}`,
        value,
        location,
      ),
    };
  }
  return {
    kind: 'record',
    record: { source: 'salesforce', value, ...(family === undefined ? {} : { family }), location },
  };
}

/** Unwraps envelopes (arrays, SOQL pages, streaming messages) down to event objects. */
function* unwrap(value: unknown, location: RecordLocation, depth: number): Generator<FramedItem> {
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) {
      yield {
        kind: 'dead',
        dead: deadFromValue('not_an_object', 'arrays nested too deeply', value, location),
      };
      return;
    }
    for (const [i, el] of value.entries()) yield* unwrap(el, `${location}#[${i}]`, depth + 1);
    return;
  }
  if (!isObject(value)) {
    yield {
      kind: 'dead',
      dead: deadFromValue('not_an_object', `expected a JSON object, got ${describe(value)}`, value, location),
    };
    return;
  }
  if (typeof value.channel === 'string') {
    const channelType = typeFromChannel(value.channel);
    if (channelType === META_FAMILY) {
      yield recordItem(value, META_FAMILY, location);
      return;
    }
    const msg = streamingEnvelopeSchema.safeParse(value);
    if (!msg.success || msg.data.data === undefined) {
      yield {
        kind: 'dead',
        dead: deadFromValue(
          'schema_invalid',
          `streaming message on ${value.channel} has no data.payload object`,
          value,
          location,
        ),
      };
      return;
    }
    const payload = unwrapAvroUnions(msg.data.data.payload);
    yield recordItem(payload, channelType ?? detectFamily(payload), location);
    return;
  }
  if (
    (Object.hasOwn(value, 'replayId') || Object.hasOwn(value, 'replay_id')) &&
    Object.hasOwn(value, 'payload')
  ) {
    const event = pubSubEventSchema.safeParse(value);
    if (!event.success) {
      yield {
        kind: 'dead',
        dead: deadFromValue(
          'schema_invalid',
          'Pub/Sub API event whose payload is not an object',
          value,
          location,
        ),
      };
      return;
    }
    const payload = unwrapAvroUnions(event.data.payload);
    const topic = event.data.topicName;
    const family = (topic ? typeFromChannel(topic) : undefined) ?? detectFamily(payload);
    yield recordItem(payload, family ?? rtemTypeFromLocation(location), location);
    return;
  }
  if (Object.hasOwn(value, 'records')) {
    const page = soqlEnvelopeSchema.safeParse(value);
    if (!page.success) {
      yield {
        kind: 'dead',
        dead: deadFromValue('schema_invalid', 'SOQL page whose records is not an array', value, location),
      };
      return;
    }
    for (const [i, rec] of page.data.records.entries()) {
      const loc = `${location}#records[${i}]`;
      if (isObject(rec)) yield recordItem(rec, detectFamily(rec), loc);
      else
        yield {
          kind: 'dead',
          dead: deadFromValue('not_an_object', `SOQL record is ${describe(rec)}`, rec, loc),
        };
    }
    return;
  }
  const bare = unwrapAvroUnions(value);
  yield recordItem(bare, detectFamily(bare) ?? rtemTypeFromLocation(location), location);
}

type LineResult = { ok: true; value: unknown } | { ok: false; error: string; oversized: boolean };

function parseLine(line: string): LineResult {
  if (line.length > MAX_RECORD_CHARS)
    return {
      ok: false,
      error: `line of ${line.length} characters exceeds ${MAX_RECORD_CHARS}`,
      oversized: true,
    };
  // depth and field limits on the text, before JSON.parse and the recursive unwrap/serialize
  const over = overLimits(line, 0, line.length, MAX_RECORD_DEPTH + MAX_DEPTH);
  if (over !== undefined) return { ok: false, error: `record over a limit: ${over}`, oversized: true };
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${jsonErrorMessage(err)}`, oversized: false };
  }
}

/**
 * Splits Salesforce JSON text into RawRecords. The whole text is tried as one JSON document
 * first, then as NDJSON (location `<location>:<line>`); element paths are appended as
 * `#records[3]` / `#[0]`. Families come from the SOQL `attributes.type`, the streaming channel
 * (`/event/ApiEventStream` -> `ApiEvent`) or type-specific fields. Undecodable lines, non-objects
 * and records over 1 MiB become dead letters; a text that is neither JSON nor NDJSON becomes one
 * dead letter. Never throws.
 */
export function* frameJson(text: string, location: RecordLocation): Generator<FramedItem> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return;
  let whole: unknown;
  let wholeOk = false;
  // The whole text is parsed as one document only within the depth limit (envelopes included).
  if (
    body.length <= 64 * MAX_RECORD_CHARS &&
    overLimits(body, 0, body.length, MAX_RECORD_DEPTH + MAX_DEPTH, Number.MAX_SAFE_INTEGER) === undefined
  ) {
    try {
      whole = JSON.parse(body);
      wholeOk = true;
    } catch {
      wholeOk = false;
    }
  }
  if (wholeOk) {
    yield* unwrap(whole, location, 0);
    return;
  }
  const lines = body
    .split('\n')
    .map((l, i) => ({ line: i + 1, text: l.endsWith('\r') ? l.slice(0, -1) : l }));
  const parsed = lines.filter((l) => l.text.trim() !== '').map((l) => ({ ...l, result: parseLine(l.text) }));
  const looksLikeNdjson = parsed.some(
    (p) => p.result.ok && p.result.value !== null && typeof p.result.value === 'object',
  );
  // No whole line: a broken pretty document (its first line does not close) is one dead letter;
  // lines that each close are NDJSON whose every line is broken, one dead letter each.
  const first = parsed[0]?.text.trim() ?? '';
  if (!looksLikeNdjson && (parsed.length <= 1 || scanValueEnd(first, 0) !== first.length)) {
    yield {
      kind: 'dead',
      dead: deadFromText('parse_error', 'neither a JSON document nor NDJSON', body, `${location}:1`),
    };
    return;
  }
  // NDJSON (or lines of which none is whole): every non-blank line is one record or dead letter
  for (const p of parsed) {
    const loc = `${location}:${p.line}`;
    if (p.result.ok) yield* unwrap(p.result.value, loc, 0);
    else
      yield {
        kind: 'dead',
        dead: deadFromText(p.result.oversized ? 'oversized' : 'parse_error', p.result.error, p.text, loc),
      };
  }
}
