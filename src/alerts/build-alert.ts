import { createHash } from 'node:crypto';
import type { Detector, Finding } from '../../detectors/types.js';
import { sha256Hex } from '../../ingestors/common/ids.js';
import { type Alert, SEVERITY_SCORE, type Severity } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';

const ATTACK_URL = 'https://attack.mitre.org';

/**
 * The grouping key of an alert (`detector|entity|group start ms`) and its id, the first 32 hex
 * chars of the key's SHA-256: the Elasticsearch `_id`, stable across replays.
 */
export function alertKey(
  detectorId: string,
  entity: string,
  startMs: number,
): { dedupKey: string; id: string } {
  const dedupKey = `${detectorId}|${entity}|${startMs}`;
  return { dedupKey, id: sha256Hex(dedupKey).slice(0, 32) };
}

/** A deterministic UUID (version 5 layout) for a name, so `rule.uuid` is stable across runs. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`tokenwatch:${name}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

function techniqueUrl(id: string): string {
  return `${ATTACK_URL}/techniques/${id.replace('.', '/')}/`;
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** What a group of findings contributes to the alert beyond its first finding. */
export interface GroupSummary {
  /** epoch ms of the first and last grouped source events */
  startMs: number;
  endMs: number;
  count: number;
  /** evidence event ids, first ones first (capped by the grouper) */
  eventIds: string[];
  severity: Severity;
  riskScore: number;
}

/**
 * Builds the ECS alert document (schemas/alert.ts) for a group of findings of one detector about
 * one entity. `first` is the first finding and the activity that caused it; the alert's message is
 * its reason, suffixed with the count and span when more findings were folded in.
 */
export function buildAlert(
  detector: Detector,
  first: { finding: Finding; activity: TokenActivity },
  group: GroupSummary,
): Alert {
  const { finding, activity } = first;
  const { dedupKey, id } = alertKey(detector.id, finding.entity, group.startMs);
  const start = new Date(group.startMs).toISOString();
  const end = new Date(group.endMs).toISOString();
  const spanMin = Math.round((group.endMs - group.startMs) / 60_000);
  const message =
    group.count > 1 ? `${finding.reason} (${group.count} times over ${spanMin} min)` : finding.reason;
  const ownerName =
    activity.token.owner.email ?? activity.token.owner.name ?? activity.user.email ?? activity.user.name;
  const clientName = activity.token.client?.name ?? activity.token.client?.id;
  const tacticIds = uniq(detector.mitre.map((m) => m.tactic.id));
  const tacticNames = uniq(detector.mitre.map((m) => m.tactic.name));
  return {
    '@timestamp': start,
    message,
    event: {
      id,
      kind: 'alert',
      module: 'tokenwatch',
      dataset: 'tokenwatch.alert',
      category: [detector.category],
      type: ['info'],
      action: detector.id,
      outcome: activity.event.outcome,
      severity: SEVERITY_SCORE[group.severity],
      risk_score: group.riskScore,
      risk_score_norm: group.riskScore,
      reason: message,
      start,
      end,
      created: start,
      provider: activity.event.module,
    },
    rule: {
      id: detector.id,
      uuid: stableUuid(detector.id),
      name: detector.name,
      description: detector.description,
      version: String(detector.version),
      category: detector.category,
      ruleset: 'tokenwatch',
      author: ['tokenwatch'],
      license: 'Apache-2.0',
    },
    threat: {
      framework: 'MITRE ATT&CK',
      tactic: {
        id: tacticIds,
        name: tacticNames,
        reference: tacticIds.map((id) => `${ATTACK_URL}/tactics/${id}/`),
      },
      technique: {
        id: detector.mitre.map((m) => m.id),
        name: detector.mitre.map((m) => m.name),
        reference: detector.mitre.map((m) => techniqueUrl(m.id)),
      },
    },
    user: {
      ...((activity.token.owner.id ?? activity.user.id)
        ? { id: activity.token.owner.id ?? activity.user.id }
        : {}),
      ...(ownerName ? { name: ownerName } : {}),
      ...((activity.token.owner.email ?? activity.user.email)
        ? { email: activity.token.owner.email ?? activity.user.email }
        : {}),
      ...(activity.user.domain ? { domain: activity.user.domain } : {}),
    },
    ...(clientName ? { service: { name: clientName } } : {}),
    ...(activity.source
      ? {
          source: {
            ...(activity.source.ip ? { ip: activity.source.ip } : {}),
            ...(activity.source.geo
              ? {
                  geo: {
                    country_iso_code: activity.source.geo.country_iso_code,
                    city_name: activity.source.geo.city_name,
                    location: activity.source.geo.location,
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(activity.user_agent
      ? { user_agent: { original: activity.user_agent.original, name: activity.user_agent.name } }
      : {}),
    ...(activity.organization ? { organization: activity.organization } : {}),
    observer: { vendor: 'tokenwatch', product: activity.event.module },
    related: {
      ip: activity.related.ip,
      user: uniq([...activity.related.user, ...(ownerName ? [ownerName] : [])]),
      hash: activity.related.hash,
    },
    tags: ['tokenwatch', activity.event.module, detector.id],
    tokenwatch: {
      token: {
        id: activity.token.id,
        type: activity.token.type,
        key_kind: activity.token.key_kind,
        scopes: activity.token.scopes,
        ...(ownerName ? { owner: ownerName } : {}),
        ...(activity.token.client ? { client: activity.token.client } : {}),
      },
      entity: finding.entity,
      explanation: finding.explanation,
      evidence: { event_ids: group.eventIds, count: group.count },
      dedup_key: dedupKey,
      suppressed_count: group.count - 1,
      false_positives: detector.falsePositives,
      runbook: detector.runbook,
    },
  };
}
