import { appEntityId, ownerEntityId } from '../../baselines/entity-ids.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import type { KafkaConfig } from '../config.js';

/** A stage of the partitioned topology (`tokenwatch serve --role <stage>`). */
export type Stage = 'normalize' | 'detect' | 'org' | 'sink';

/** Every stage, in data-flow order. */
export const STAGES: readonly Stage[] = ['normalize', 'detect', 'org', 'sink'];

/**
 * Topic and consumer-group names of the topology, derived from the `kafka` config so one config
 * names a whole deployment (Kafka Streams style `<application>-<store>-changelog` names):
 *
 * | topic | key | partitions | written by | read by |
 * |---|---|---|---|---|
 * | `topics.<source>` (raw) | any | any | shippers | normalize |
 * | `topics.activity` | {@link entityKey} | `partitions` | normalize | detect |
 * | `<groupId>-by-org-repartition` | {@link ORG_KEY} | 1 | detect | org |
 * | `<groupId>-alerts` | alert id | `partitions` | detect, org | sink |
 * | `<groupId>-detect-changelog` (compacted) | state piece | = activity | detect | detect (restore) |
 * | `<groupId>-org-changelog` (compacted) | state piece | 1 | org | org (restore) |
 * | `topics.deadLetter` | source message | any | normalize, detect | operators |
 */
export interface TopologyNames {
  activity: string;
  byOrg: string;
  alerts: string;
  deadLetter: string;
  changelog: Record<'detect' | 'org', string>;
  /** Consumer group of each stage. */
  group: Record<Stage, string>;
  /** Transactional id of a task: `<groupId>-<stage>-<topic>-<partition>`. */
  transactionalId(stage: Stage, topic: string, partition: number): string;
}

/** The names of the topology for a `kafka` config section. */
export function topologyNames(config: KafkaConfig): TopologyNames {
  const activity = config.topics.activity;
  const g = config.groupId;
  return {
    activity,
    byOrg: `${g}-by-org-repartition`,
    alerts: `${g}-alerts`,
    deadLetter: config.topics.deadLetter,
    changelog: { detect: `${g}-detect-changelog`, org: `${g}-org-changelog` },
    group: { normalize: `${g}-normalize`, detect: `${g}-detect`, org: `${g}-org`, sink: `${g}-sink` },
    transactionalId: (stage, topic, partition) => `${g}-${stage}-${topic}-${partition}`,
  };
}

/**
 * The partition key of an activity: its owner entity (`owner:<module>:<user>`) when it names a
 * user, else its app entity, else the token. Every event of one person's credentials (and of a
 * Salesforce session family, which belongs to one user) lands on one partition, so the token's
 * and its owner's baselines live in one task.
 */
export function entityKey(a: TokenActivity): string {
  return ownerEntityId(a) ?? appEntityId(a) ?? `token:${a.token.id}`;
}

/**
 * The org stage's key. The declared `org` state (baselines/keyed-state.ts) and the organization
 * baseline treat one deployment as one organization (every source together: a person offboarded
 * in Workspace and their GitHub token are one identity), so all activity goes to one org task.
 */
export const ORG_KEY = 'org';

/** Header names of the topology's internal messages. */
export const HEADERS = {
  /** `activity` or `watermark` on the by-org topic. */
  kind: 'tokenwatch.kind',
  /** The activity partition a by-org message comes from. */
  src: 'tokenwatch.src',
  /** The activity-partition offset a by-org activity comes from. */
  offset: 'tokenwatch.offset',
  /** The ordering time (epoch ms) of a by-org activity (detect-stage.ts). */
  order: 'tokenwatch.order',
  /**
   * On a `watermark` message: no later activity from this partition has an ordering time below
   * it (the detect task's highest event time minus the lateness, epoch ms).
   */
  watermark: 'tokenwatch.watermark',
} as const;
