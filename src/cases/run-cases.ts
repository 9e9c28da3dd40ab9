import type { Logger } from 'pino';
import { severityForRisk } from '../../detectors/define-detector.js';
import { detectors as registered } from '../../detectors/registry.js';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { appVettingOf } from '../pipeline/apps-lookup.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { type CaseInput, type DetectorCase, type ExpectedAlert, loadCases } from './case-file.js';
import { CaseFileError } from './errors.js';
import { inputText } from './input-text.js';

/** Outcome of one case. */
export interface CaseResult {
  detectorId: string;
  name: string;
  file: string;
  /** Alerts of the detector the case's records raised. */
  alerts: Alert[];
  /** Empty when the case passed; else one line per mismatch. */
  problems: string[];
}

/** Normalizes every input and returns its activities in event-time order (stable). */
function activities(
  pipeline: Pipeline,
  inputs: readonly CaseInput[],
  label: string,
): {
  list: TokenActivity[];
  problems: string[];
} {
  const list: TokenActivity[] = [];
  const problems: string[] = [];
  inputs.forEach((input, i) => {
    let text: string;
    try {
      text = inputText(input);
    } catch (err) {
      if (!(err instanceof CaseFileError)) throw err;
      problems.push(`${label}[${i}]: ${err.message}`);
      return;
    }
    for (const n of pipeline.normalize(text, {
      source: input.source,
      location: `${label}[${i}]`,
    })) {
      if (n.kind === 'activity') list.push(n.activity);
      else if (n.kind === 'dead') problems.push(`${label}[${i}]: record dead-lettered: ${n.dead.reason}`);
    }
  });
  list.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  return { list, problems };
}

function mismatch(alert: Alert, want: ExpectedAlert): string | undefined {
  if (want.reason !== undefined && !alert.event.reason.includes(want.reason))
    return `reason "${alert.event.reason}" lacks "${want.reason}"`;
  const severity = severityForRisk(alert.event.risk_score);
  if (want.severity !== undefined && severity !== want.severity)
    return `severity ${severity}, expected ${want.severity}`;
  if (want.entity !== undefined && alert.tokenwatch.entity !== want.entity)
    return `entity ${alert.tokenwatch.entity}, expected ${want.entity}`;
  for (const [k, v] of Object.entries(want.explanation ?? {})) {
    const got = (alert.tokenwatch.explanation as Record<string, unknown>)[k];
    if (JSON.stringify(got) !== JSON.stringify(v))
      return `explanation.${k} ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`;
  }
  return undefined;
}

/**
 * Runs one case through the real ingestors and pipeline (every registered detector, so the
 * detectors' interplay is the production one): warm-up records first (their alerts discarded),
 * then the case's records; compares the detector's alerts with `expect`, in order.
 */
export function runCase(
  detectorId: string,
  c: DetectorCase,
  options: { detectors?: readonly Detector[]; logger?: Logger } = {},
): CaseResult {
  const overrides = c.settings === undefined ? {} : { pipeline: { detectors: { [detectorId]: c.settings } } };
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', ...overrides } });
  const pipeline = new Pipeline({
    config: config.pipeline,
    logger: options.logger ?? createLogger('silent'),
    detectors: options.detectors ?? registered,
  });
  if (c.apps !== undefined) {
    const apps = c.apps;
    pipeline.apps = appVettingOf({
      get: (source, clientId) => apps.find((e) => e.source === source && e.client_id === clientId),
    });
  }
  const warm = activities(pipeline, c.warmup, 'warmup');
  for (const a of warm.list) pipeline.detect(a);
  pipeline.flush();
  const test = activities(pipeline, c.records, 'records');
  const alerts: Alert[] = [];
  for (const a of test.list) alerts.push(...pipeline.detect(a).alerts);
  alerts.push(...pipeline.flush());
  const mine = alerts.filter((a) => a.rule.id === detectorId);
  const problems = [...warm.problems, ...test.problems];
  if (test.list.length === 0) problems.push('the records gave no activity');
  if (mine.length !== c.expect.length) {
    problems.push(
      `expected ${c.expect.length} alert(s) of ${detectorId}, got ${mine.length}${mine.length > 0 ? `: ${mine.map((a) => a.event.reason).join(' | ')}` : ''}`,
    );
  }
  c.expect.forEach((want, i) => {
    const alert = mine[i];
    if (alert === undefined) return;
    const why = mismatch(alert, want);
    if (why !== undefined) problems.push(`alert ${i + 1}: ${why}`);
  });
  return { detectorId, name: c.name, file: c.file, alerts: mine, problems };
}

/** Runs every case of the given detectors (default: all registered). */
export function runDetectorCases(ids?: readonly string[]): CaseResult[] {
  const list = ids === undefined ? registered : registered.filter((d) => ids.includes(d.id));
  return list.flatMap((d) => loadCases(d.id).map((c) => runCase(d.id, c)));
}
