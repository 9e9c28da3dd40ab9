import type { KafkaMessage, Message } from 'kafkajs';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { deadLetterMessage, decodeHeaders } from '../kafka/messages.js';
import { alertMessage } from './detect-stage.js';
import { batchIndexDocs, indexMessage } from './index-docs.js';
import { HEADERS } from './names.js';
import { ReleaseBuffer } from './release-buffer.js';
import { type Processed, type StageDeps, StatefulStage, type Task } from './stateful-stage.js';
import type { ChangelogRecord } from './task-state.js';

/** The org task: its pipeline plus the release buffer over the activity partitions. */
interface OrgTask extends Task {
  buffer: ReleaseBuffer;
  /** Login-to-email links this task wrote to the identities index (not rewritten every batch). */
  links: Map<string, string>;
}

/**
 * The org stage: the cross-entity detectors (detector-split.ts) over every activity of the
 * organization, re-keyed by the detect stage onto the one-partition by-org topic. Activities
 * arrive interleaved from all activity partitions in whatever order the detect tasks committed,
 * each with its ordering time, and every detect batch ends with that partition's low watermark.
 * The task's {@link ReleaseBuffer} (sources: the `activityPartitions` activity partitions)
 * releases them in the shared stage-2 order (ordering time, event time, source, `event.id`,
 * content: the order `tokenwatch run` and serve use) once every activity partition's watermark
 * has passed them, so the org detectors see the same sequence in every run and after every move.
 * The buffer and watermarks are part of the task's changelog. Like serve's sinks, each batch also
 * sends the token inventory updates of its activities and alerts (facts from the org pipeline,
 * which sees every activity), the identity facts and, with `elasticsearch.indexActivity`, the
 * activities to the index topic (written by the sink). Until an activity partition has
 * sent a watermark nothing is released (every activity partition receives the normalize stage's
 * watermarks, so every detect task sends one per batch).
 */
export class OrgStage extends StatefulStage<OrgTask> {
  constructor(
    deps: StageDeps,
    detectors: readonly Detector[],
    private readonly activityPartitions: number,
  ) {
    super(deps, 'org', deps.names.byOrg, deps.names.changelog.org, detectors, [
      'grouper',
      'sessions',
      'watermark',
      'org',
      'peers',
    ]);
  }

  protected openTask(base: Task, other: ChangelogRecord[]): OrgTask {
    const buffer = new ReleaseBuffer(this.deps.maxBufferedActivities);
    const rest = buffer.restore(other);
    if (rest.length > 0) this.log.warn({ records: rest.length }, 'unknown changelog records ignored');
    buffer.expect([...Array(this.activityPartitions).keys()].map(String));
    return { ...base, buffer, links: new Map() };
  }

  protected process(task: OrgTask, messages: KafkaMessage[]): Processed {
    const { names, latenessMs } = this.deps;
    const dead: Message[] = [];
    for (const m of messages) {
      const h = decodeHeaders(m.headers);
      const src = h[HEADERS.src] ?? '';
      if (h[HEADERS.kind] === 'watermark') {
        task.buffer.watermark(src, Number(h[HEADERS.watermark]));
        continue;
      }
      if (!m.value) continue;
      let activity: TokenActivity;
      try {
        activity = JSON.parse(m.value.toString('utf8')) as TokenActivity;
      } catch (err) {
        dead.push(
          deadLetterMessage({
            code: 'parse_error',
            reason: `by-org message is not JSON: ${(err as Error).message}`,
            source: 'tokenwatch',
            raw: m.value.toString('utf8').slice(0, 65_536),
            location: `${names.byOrg}/${task.partition}@${m.offset}`,
            origin: { topic: names.byOrg, partition: task.partition, offset: m.offset },
          }),
        );
        continue;
      }
      const order = Number(h[HEADERS.order]);
      task.buffer.add(
        `${src}/${h[HEADERS.offset] ?? m.offset}`,
        Number.isFinite(order) ? order : Date.parse(activity['@timestamp']),
        activity,
        m.value,
      );
    }
    const { released, forced } = task.buffer.release();
    if (forced > 0)
      this.log.warn(
        { forced, max: task.buffer.maxBuffered },
        'release buffer full: oldest activities released before the watermark passed them',
      );
    const alerts: Alert[] = [];
    const activities: TokenActivity[] = [];
    for (const held of released) {
      const out = task.state.detect(held.activity);
      if (!out.dead) activities.push(out.activity);
      alerts.push(...out.alerts);
      alerts.push(...task.state.pipeline.closeGroups(latenessMs));
    }
    // what serve's sinks write for a batch: token inventory, identities, activity (if configured)
    const es = this.deps.config.elasticsearch;
    const docs = batchIndexDocs(task.state.pipeline, activities, alerts, {
      namespace: es.namespace,
      indexActivity: es.indexActivity,
      links: task.links,
      now: new Date(),
    });
    return {
      outputs: [
        { topic: names.alerts, messages: alerts.map(alertMessage) },
        { topic: names.index, messages: docs.map(indexMessage) },
        { topic: names.deadLetter, messages: dead },
      ],
      changelog: task.buffer.drain(),
      alerts: alerts.length,
      forced,
      buffered: task.buffer.size,
    };
  }
}
