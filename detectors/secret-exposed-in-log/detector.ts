import { defineDetector } from '../define-detector.js';
import { baselineFacts, tokenLabel } from '../explain.js';

/**
 * `secret.exposed_in_log`: a raw credential (token, API key, password, Authorization header) was
 * found in an audit-log record and redacted by the ingestor (`tokenwatch.secret_exposures`).
 * Anyone with read access to the log pipeline or SIEM could have copied it, so it is an incident
 * on its own, whatever the baselines say.
 *
 * One finding per exposed secret; the entity is `secret:<fingerprint>`, so the same leaked secret
 * seen in many records becomes one alert. The reason names the kind and the field, never the
 * secret (only its SHA-256 fingerprint prefix).
 *
 * Known gaps: only formats the redactor knows; a secret split across fields is missed.
 */
export const secretExposedInLog = defineDetector({
  id: 'secret.exposed_in_log',
  name: 'Raw secret found in an audit-log record',
  description:
    'A raw credential appeared in an audit-log record (request URL, user agent, parameters) and was redacted on ingestion.',
  version: 1,
  severity: 'high',
  riskScore: 80,
  category: 'configuration',
  mitre: ['TA0006:T1552.001'],
  sources: ['github', 'google_workspace', 'salesforce'],
  requiredFields: ['tokenwatch.secret_exposures'],
  summary:
    'A raw secret found in a log record (`tokenwatch.secret_exposures`); one finding per secret (entity `secret:<fingerprint>`), naming kind and field, never the secret.',
  knownGaps: 'Only secret formats the redactor knows.',
  falsePositives: [
    'Test or example credentials in a request (check whether the fingerprint is a live secret)',
  ],
  runbook: [
    'Find the credential by its kind and fingerprint (hash candidate secrets with SHA-256 and compare the prefix).',
    'Revoke / rotate it now: assume anyone with log access has it.',
    'Fix the client that put the secret into a URL, header or parameter that gets logged.',
    'Purge or restrict the raw log copies upstream of tokenwatch (SIEM, S3, vendor export).',
  ],
  groupWindowMs: 24 * 3_600_000,

  evaluate(activity, ctx) {
    const exposures = activity.tokenwatch.secret_exposures ?? [];
    return exposures.map((x) => ({
      entity: `secret:${x.fingerprint}`,
      reason:
        `A raw ${x.kind} secret (fingerprint ${x.fingerprint}) appeared in field ${x.field} of a ` +
        `${activity.event.module} ${activity.event.action} record about ${tokenLabel(activity)}; it was redacted on ingestion ` +
        'but was in the source log: rotate it.',
      explanation: {
        feature: 'tokenwatch.secret_exposures',
        observed: `${x.kind} in ${x.field}`,
        expected: 'no raw secrets in audit-log records',
        ...baselineFacts(ctx.token, 'none'),
      },
    }));
  },
});
