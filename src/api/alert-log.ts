import { createReadStream, existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Alert, alertSchema } from '../../schemas/alert.js';
import { StateError } from '../errors.js';

/** Alerts of embedded runs, kept in the state directory for the API and the console. */
export const ALERT_LOG_FILE = 'alerts.ndjson';

/** One line of the alert log: the alert and when tokenwatch recorded it (wall clock, ISO 8601). */
export interface LoggedAlert {
  recorded_at: string;
  alert: Alert;
}

/**
 * Reads `dir/alerts.ndjson` (empty when absent). Lines that fail the alert schema are a corrupt
 * state. A later line with an id already read replaces nothing (the first record wins).
 * @throws StateError on an unparseable line.
 */
export async function readAlertLog(dir: string): Promise<LoggedAlert[]> {
  const path = join(dir, ALERT_LOG_FILE);
  if (!existsSync(path)) return [];
  const out: LoggedAlert[] = [];
  const seen = new Set<string>();
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    let parsed: LoggedAlert;
    try {
      const raw = JSON.parse(line) as { recorded_at?: unknown; alert?: unknown };
      if (typeof raw.recorded_at !== 'string') throw new Error('recorded_at missing');
      parsed = { recorded_at: raw.recorded_at, alert: alertSchema.parse(raw.alert) };
    } catch (cause) {
      throw new StateError(`corrupt alert log ${path}:${n}: ${(cause as Error).message}`, { cause });
    }
    if (seen.has(parsed.alert.event.id)) continue;
    seen.add(parsed.alert.event.id);
    out.push(parsed);
  }
  return out;
}

/**
 * Appends alerts not yet in `dir/alerts.ndjson` (by `event.id`: a replay of the same input adds
 * nothing), stamped with `now`. @returns how many were added
 */
export async function appendAlertLog(
  dir: string,
  alerts: readonly Alert[],
  now: Date = new Date(),
): Promise<number> {
  if (alerts.length === 0) return 0;
  const known = new Set((await readAlertLog(dir)).map((l) => l.alert.event.id));
  const recorded_at = now.toISOString();
  const fresh = alerts.filter((a) => !known.has(a.event.id));
  if (fresh.length === 0) return 0;
  await appendFile(
    join(dir, ALERT_LOG_FILE),
    fresh.map((alert) => `${JSON.stringify({ recorded_at, alert })}\n`).join(''),
  );
  return fresh.length;
}
