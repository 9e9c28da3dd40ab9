import { appEntityId } from '../../baselines/entity-ids.js';
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
 * | `<groupId>-index` | `<index>/<doc id>` | `partitions` | detect, org | sink |
 * | `<groupId>-detect-changelog` (compacted) | state piece | = activity | detect | detect (restore) |
 * | `<groupId>-org-changelog` (compacted) | state piece | 1 | org | org (restore) |
 * | `topics.deadLetter` | source message | any | normalize, detect | operators |
 */
export interface TopologyNames {
  activity: string;
  byOrg: string;
  alerts: string;
  /** Documents for Elasticsearch besides alerts (token inventory, identities, activity). */
  index: string;
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
    index: `${g}-index`,
    deadLetter: config.topics.deadLetter,
    changelog: { detect: `${g}-detect-changelog`, org: `${g}-org-changelog` },
    group: { normalize: `${g}-normalize`, detect: `${g}-detect`, org: `${g}-org`, sink: `${g}-sink` },
    transactionalId: (stage, topic, partition) => `${g}-${stage}-${topic}-${partition}`,
  };
}

/**
 * The partition key of an activity: the person it acts as, by their most stable identifier
 * (`person:<module>:<user.id>`, else `user.email`, else `user.name`); without a user its app
 * entity, else its token. The vendor's user id comes first because the same person's records
 * name them in several ways (Salesforce rows with the user id only or with the username too, so
 * `owner:` entity ids differ between the records of one grant): keyed by the id, every record of
 * one person's credentials, of each of their owner entities and of a Salesforce session family
 * lands on one partition, so the token's and its owner's baselines live in one task.
 *
 * Known gap (src/topology/partitioned-model.ts measures it on the samples): an app entity used
 * by several people (one OAuth app, many users) and a delegated token acting as many people
 * (Workspace domain-wide delegation) span partitions, so a detect task sees only its people's
 * part of those baselines.
 */
export function entityKey(a: TokenActivity): string {
  const person = a.user.id || a.user.email || a.user.name;
  if (person) return `person:${a.event.module}:${person}`;
  return appEntityId(a) ?? `token:${a.token.id}`;
}

/**
 * The org stage's key. The declared `org` state (baselines/keyed-state.ts) and the organization
 * baseline treat one deployment as one organization (every source together: a person offboarded
 * in Workspace and their GitHub token are one identity), so all activity goes to one org task.
 */
export const ORG_KEY = 'org';

/** Header names of the topology's internal messages. */
export const HEADERS = {
  /** `watermark` on a watermark message (activity and by-org topics); absent or `activity` otherwise. */
  kind: 'tokenwatch.kind',
  /**
   * The source of a watermark message (activity topic: the raw partition as `<topic>/<partition>`)
   * or of a by-org message (the activity partition).
   */
  src: 'tokenwatch.src',
  /** The activity-partition offset a by-org activity comes from. */
  offset: 'tokenwatch.offset',
  /**
   * The ordering time (epoch ms) of an activity, set once by the normalize stage per raw
   * partition (its event time, or the partition's watermark when it is later than the lateness
   * allows: the rule of serve's release buffer) and carried unchanged to the by-org topic.
   */
  order: 'tokenwatch.order',
  /**
   * On a `watermark` message: no later activity from its source has an ordering time below it
   * (epoch ms; `Infinity`: the source was read to its end, it holds nothing back).
   */
  watermark: 'tokenwatch.watermark',
  /** On a normalize watermark message: `1` when the raw partition was read to its end (high watermark). */
  end: 'tokenwatch.end',
} as const;
