import type { FramedItem, RecordLocation } from '../types.js';
import { deadFromText } from './dead-letter.js';
import { elfTypeFromLocation } from './family.js';
import { type CsvFrameOptions, frameCsv } from './frame-csv.js';
import { frameJson } from './frame-json.js';

/** Options for {@link frameSalesforce}. */
export interface SalesforceFrameOptions extends CsvFrameOptions {}

/** First non-whitespace character after an optional BOM, or undefined for blank text. */
function firstSignificantChar(text: string): string | undefined {
  const m = /^\uFEFF?\s*(\S)/.exec(text);
  return m?.[1];
}

/**
 * Frames one Salesforce input (a downloaded file or one Kafka message value): JSON when the
 * first significant character is `{` or `[` (see `frameJson`), otherwise EventLogFile CSV (see
 * `frameCsv`). For CSV without an EVENT_TYPE column the event type comes from
 * `options.eventType`, else from an ELF type name in `location` (`..._RestApi.csv`).
 *
 * Never throws: undecodable input comes back as dead letters; an unexpected internal error ends
 * framing with one `parse_error` dead letter that names the input.
 */
export function* frameSalesforce(
  text: string,
  location: RecordLocation,
  options: SalesforceFrameOptions = {},
): Generator<FramedItem> {
  try {
    if (typeof text !== 'string') {
      yield {
        kind: 'dead',
        dead: deadFromText('parse_error', `input is ${typeof text}, not text`, String(text), location),
      };
      return;
    }
    const first = firstSignificantChar(text);
    if (first === undefined) return;
    if (first === '{' || first === '[') {
      yield* frameJson(text, location);
      return;
    }
    const eventType = options.eventType ?? elfTypeFromLocation(location);
    yield* frameCsv(text, location, eventType === undefined ? {} : { eventType });
  } catch (err) {
    yield {
      kind: 'dead',
      dead: deadFromText(
        'parse_error',
        `framing stopped by an internal error: ${(err as Error).message}`,
        '',
        location,
      ),
    };
  }
}
