import { tokenActivitySchema } from '../../schemas/token-activity.js';
import type { NormalizeResult, RawRecord } from '../types.js';
import { deadFromValue, skipped } from './dead-letter.js';
import { detectFamily, ELF_PREFIX, META_FAMILY } from './family.js';
import { ELF_METADATA_SKIP } from './mapping.js';
import { normalizeElf } from './normalize-elf.js';
import { normalizeRtem } from './normalize-rtem.js';

/**
 * An `EventLogFile` query-result row (REST API "Query Event Monitoring Data with REST": `Id,
 * EventType, LogDate, LogFile, LogFileLength, ...`): metadata pointing at the CSV, not an event.
 */
function isElfMetadataRow(value: Record<string, unknown>): boolean {
  return (
    typeof value.EVENT_TYPE !== 'string' && (typeof value.LogFile === 'string' || has(value, 'EventType'))
  );
}

function has(value: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(value, key) && value[key] !== undefined && value[key] !== null;
}

/**
 * Normalizes one framed Salesforce record to a TokenActivity (see `normalize-elf.ts` for
 * EventLogFile rows and `normalize-rtem.ts` for Real-Time Event Monitoring objects).
 *
 * The family comes from framing (`EventLogFile:<type>`, `ApiEvent`, ...) or, for records framed
 * elsewhere, from the record itself. Every result is checked against the token-activity schema.
 * Pure; never throws (an unexpected error becomes a `normalize_error` dead letter).
 */
export function normalizeSalesforce(record: RawRecord): NormalizeResult {
  try {
    const value = record.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return {
        kind: 'dead',
        dead: deadFromValue('not_an_object', 'record value is not an object', value, record.location),
      };
    }
    const family = record.family ?? detectFamily(value);
    if (family === META_FAMILY) {
      return { kind: 'skipped', skipped: skipped('CometD meta-channel message, no event', record.location) };
    }
    if (family === ELF_PREFIX && isElfMetadataRow(value)) {
      return { kind: 'skipped', skipped: skipped(ELF_METADATA_SKIP, record.location) };
    }
    let result: NormalizeResult;
    if (
      family === ELF_PREFIX ||
      family?.startsWith(`${ELF_PREFIX}:`) === true ||
      typeof value.EVENT_TYPE === 'string'
    ) {
      result = normalizeElf(record);
    } else if (family === undefined) {
      const reason =
        'cannot tell which Salesforce event type this is (no attributes.type, channel or type-specific fields)';
      return { kind: 'dead', dead: deadFromValue('schema_invalid', reason, value, record.location) };
    } else {
      result = normalizeRtem(record, family);
    }
    if (result.kind === 'activity') {
      const checked = tokenActivitySchema.safeParse(result.activity);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        const reason = `normalized record breaks the token-activity schema: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`;
        return { kind: 'dead', dead: deadFromValue('normalize_error', reason, value, record.location) };
      }
    }
    return result;
  } catch (err) {
    return {
      kind: 'dead',
      dead: deadFromValue(
        'normalize_error',
        `unexpected error: ${(err as Error).message}`,
        record.value,
        record.location,
      ),
    };
  }
}
