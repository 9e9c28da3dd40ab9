import { z } from 'zod';
import { sourceSchema } from './token-activity.js';

/**
 * The tokenwatch alert document, written to the Elasticsearch data stream
 * `logs-tokenwatch.alert-<namespace>` as an ECS **external alert** (`event.kind: "alert"`), so
 * Kibana lists it and a promotion rule can turn it into an Elastic Security detection alert.
 *
 * Follows `shared/reference/alert-format.md` §3 (field list) and §4 (severity 21/47/73/99), ECS 9.x
 * `rule.*` and `threat.*`, and Elastic's external-alert promotion rule
 * (elastic/detection-rules `rules/promotions/external_alerts.toml`).
 */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

/** `event.severity` values Elastic's promotion rule maps back to low/medium/high/critical. */
export const SEVERITY_SCORE: Readonly<Record<Severity, 21 | 47 | 73 | 99>> = {
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
};

/** Why an alert fired: the observed value and what the baseline expected. */
export const explanationSchema = z.object({
  /** The feature compared, e.g. `source.ip/24`, `rows_per_hour`, `country`. */
  feature: z.string(),
  observed: z.union([z.string(), z.number()]),
  /** What the baseline expected, in words (`countries seen: US, DE`). */
  expected: z.string(),
  baseline_p50: z.number().optional(),
  baseline_p99: z.number().optional(),
  zscore: z.number().optional(),
  /** Which baseline was used: the token's own, its OAuth app's, or its owner's. */
  baseline_entity: z.enum(['token', 'app', 'owner', 'peer', 'none']),
  history_days: z.number().nonnegative(),
  history_events: z.number().nonnegative(),
  maturity: z.enum(['learning', 'mature']),
  window: z.string().optional(),
});
export type Explanation = z.infer<typeof explanationSchema>;

export const alertSchema = z.object({
  /** Alert creation time: the event time of the first grouped finding (deterministic on replay). */
  '@timestamp': z.string().datetime(),
  message: z.string(),
  event: z.object({
    id: z.string(),
    kind: z.literal('alert'),
    module: z.literal('tokenwatch'),
    dataset: z.literal('tokenwatch.alert'),
    category: z.array(z.string()),
    type: z.array(z.string()),
    /** The detector id, e.g. `token.geo.new_country`. */
    action: z.string(),
    outcome: z.enum(['success', 'failure', 'unknown']).optional(),
    severity: z.union([z.literal(21), z.literal(47), z.literal(73), z.literal(99)]),
    risk_score: z.number().min(0).max(100),
    risk_score_norm: z.number().min(0).max(100),
    reason: z.string(),
    /** First and last grouped source-event times. */
    start: z.string().datetime(),
    end: z.string().datetime(),
    created: z.string().datetime(),
    ingested: z.string().datetime().optional(),
    /** The audit-log source of the evidence (`github`, ...). */
    provider: sourceSchema,
  }),
  rule: z.object({
    id: z.string(),
    uuid: z.string(),
    name: z.string(),
    description: z.string(),
    version: z.string(),
    category: z.string(),
    ruleset: z.literal('tokenwatch'),
    author: z.array(z.string()),
    license: z.string(),
    reference: z.string().optional(),
  }),
  threat: z.object({
    framework: z.literal('MITRE ATT&CK'),
    tactic: z.object({ id: z.array(z.string()), name: z.array(z.string()), reference: z.array(z.string()) }),
    technique: z.object({
      id: z.array(z.string()),
      name: z.array(z.string()),
      reference: z.array(z.string()),
    }),
  }),
  /** The token owner, so Elastic's entity risk scoring groups by `user.name`. */
  user: z.object({
    id: z.string().optional(),
    name: z.string().optional(),
    email: z.string().optional(),
    domain: z.string().optional(),
  }),
  /** The integration / OAuth app, so service risk rolls up. */
  service: z.object({ name: z.string() }).optional(),
  source: z
    .object({
      ip: z.string().optional(),
      geo: z
        .object({
          country_iso_code: z.string().optional(),
          city_name: z.string().optional(),
          location: z.object({ lat: z.number(), lon: z.number() }).optional(),
        })
        .optional(),
    })
    .optional(),
  user_agent: z.object({ original: z.string(), name: z.string().optional() }).optional(),
  organization: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  observer: z.object({ vendor: z.literal('tokenwatch'), product: sourceSchema }),
  related: z.object({ ip: z.array(z.string()), user: z.array(z.string()), hash: z.array(z.string()) }),
  tags: z.array(z.string()),
  tokenwatch: z.object({
    token: z.object({
      id: z.string(),
      type: z.string(),
      key_kind: z.string(),
      scopes: z.array(z.string()),
      owner: z.string().optional(),
      client: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
    }),
    /** The entity whose behaviour is anomalous (`token:...`, `app:...`, `owner:...`). */
    entity: z.string(),
    explanation: explanationSchema,
    evidence: z.object({ event_ids: z.array(z.string()), count: z.number().int().positive() }),
    /** Detector + entity + group start: the grouping key; also the Elasticsearch `_id`. */
    dedup_key: z.string(),
    /** Findings folded into this alert beyond the first. */
    suppressed_count: z.number().int().nonnegative(),
    false_positives: z.array(z.string()),
    runbook: z.array(z.string()),
  }),
});

/** One ECS alert document; see {@link alertSchema}. */
export type Alert = z.infer<typeof alertSchema>;
