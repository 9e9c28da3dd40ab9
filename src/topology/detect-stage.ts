import type { KafkaMessage, Message } from 'kafkajs';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { deadLetterMessage, decodeHeaders } from '../kafka/messages.js';
import { rawTopics } from '../kafka/topics.js';
import { batchIndexDocs, indexMessage } from './index-docs.js';
import { HEADERS, ORG_KEY } from './names.js';
import { ReleaseBuffer } from './release-buffer.js';
import { type Processed, type StageDeps, StatefulStage, type Task } from './stateful-stage.js';
import type { ChangelogRecord } from './task-state.js';

/** The alert-topic message: key = alert id (the sink writes it with that `_id`). */
export function alertMessage(alert: Alert): Message {
  return { key: alert.event.id, value: JSON.stringify(alert) };
}

/** A detect task: its pipeline plus the release buffer over the raw partitions' records. */
interface DetectTask extends Task {
  buffer: ReleaseBuffer;
}

/**
 * The detect stage: one task per partition of the activity topic (keyed by entity, see
 * names.ts), running the entity-local detectors. The partition holds every raw partition's
 * records (in that raw partition's order, interleaved in whatever way the normalize instances
 * committed) and the raw partitions' watermark messages; the task's {@link ReleaseBuffer} hands
 * the activities to the pipeline in the shared stage-2 order (ordering time, event time, source,
 * `event.id`, content) once every raw partition's watermark has passed them, so the detectors see
 * the same sequence whatever the interleaving, batching or moves (the buffer and the raw
 * partitions' watermarks are in the task's changelog). Raw partitions that are empty when the
 * task opens hold nothing back (no normalize batch will ever speak for them).
 *
 * Each released activity is forwarded to the by-org topic with its ordering time, source
 * partition and offset; after every batch one watermark message (the task's low watermark:
 * nothing it forwards later is ordered below it) follows, so the org stage can order the
 * activities of all partitions the same way. The alerts' tokens go to the index topic as token
 * inventory updates (facts from the task's baselines).
 */
export class DetectStage extends StatefulStage<DetectTask> {
  constructor(deps: StageDeps, detectors: readonly Detector[]) {
    super(deps, 'detect', deps.names.activity, deps.names.changelog.detect, detectors, [
      'grouper',
      'sessions',
      'watermark',
    ]);
  }

  protected openTask(base: Task, other: ChangelogRecord[]): DetectTask {
    const buffer = new ReleaseBuffer(this.deps.maxBufferedActivities);
    const rest = buffer.restore(other);
    if (rest.length > 0) this.log.warn({ records: rest.length }, 'unknown changelog records ignored');
    return { ...base, buffer };
  }

  /** Learns the raw partitions (the watermark sources) and which of them are empty, once per task. */
  protected override async prepare(task: DetectTask): Promise<void> {
    if (task.buffer.hasSources) return;
    const { admin, config } = this.deps;
    const topics = [...rawTopics(config.kafka).keys()];
    const sources: string[] = [];
    const idle: string[] = [];
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        const src = `${topic}/${o.partition}`;
        sources.push(src);
        if (BigInt(o.high) <= BigInt(o.low)) idle.push(src);
      }
    }
    task.buffer.expect(sources, idle);
    this.log.info({ partition: task.partition, sources: sources.length, idle }, 'watermark sources');
  }

  protected process(task: DetectTask, messages: KafkaMessage[]): Processed {
    const { names, latenessMs } = this.deps;
    const pipeline = task.state.pipeline;
    const alerts: Alert[] = [];
    const forward: Message[] = [];
    const dead: Message[] = [];
    const src = String(task.partition);
    for (const m of messages) {
      const h = decodeHeaders(m.headers);
      if (h[HEADERS.kind] === 'watermark') {
        const from = h[HEADERS.src];
        if (from !== undefined)
          task.buffer.watermark(
            from,
            h[HEADERS.end] === '1' ? Number.POSITIVE_INFINITY : Number(h[HEADERS.watermark]),
          );
        continue;
      }
      const origin = { topic: names.activity, partition: task.partition, offset: m.offset };
      if (!m.value || m.value.length === 0) continue;
      let activity: TokenActivity;
      try {
        activity = JSON.parse(m.value.toString('utf8')) as TokenActivity;
      } catch (err) {
        dead.push(
          deadLetterMessage({
            code: 'parse_error',
            reason: `activity message is not JSON: ${(err as Error).message}`,
            source: 'tokenwatch',
            raw: m.value.toString('utf8').slice(0, 65_536),
            location: `${names.activity}/${task.partition}@${m.offset}`,
            origin,
          }),
        );
        continue;
      }
      const order = Number(h[HEADERS.order]);
      // an activity without an ordering time (not written by the normalize stage) goes by its event time
      task.buffer.add(
        m.offset,
        Number.isFinite(order) ? order : Date.parse(activity['@timestamp']),
        activity,
        m.value,
      );
    }
    const { released, forced, low } = task.buffer.release();
    if (forced > 0)
      this.log.warn(
        { partition: task.partition, forced, max: task.buffer.maxBuffered },
        'release buffer full: oldest activities released before the watermark passed them',
      );
    for (const held of released) {
      const out = task.state.detect(held.activity);
      alerts.push(...out.alerts);
      // after every event, not per batch: which groups are closed when the next finding comes
      // then depends on the released sequence only, never on how it was fetched
      alerts.push(...pipeline.closeGroups(latenessMs));
      if (out.dead) {
        dead.push(
          deadLetterMessage({
            ...out.dead,
            origin: { topic: names.activity, partition: task.partition, offset: held.key },
          }),
        );
        continue;
      }
      forward.push({
        key: ORG_KEY,
        value: held.value,
        headers: {
          [HEADERS.kind]: 'activity',
          [HEADERS.src]: src,
          [HEADERS.offset]: held.key,
          [HEADERS.order]: String(held.order),
        },
      });
    }
    forward.push({
      key: ORG_KEY,
      value: null,
      headers: { [HEADERS.kind]: 'watermark', [HEADERS.src]: src, [HEADERS.watermark]: String(low) },
    });
    // the alerts' tokens in the inventory (the org stage indexes the activities themselves)
    const es = this.deps.config.elasticsearch;
    const docs = batchIndexDocs(pipeline, [], alerts, {
      namespace: es.namespace,
      indexActivity: false,
      links: new Map(),
      now: new Date(),
    });
    return {
      outputs: [
        { topic: names.alerts, messages: alerts.map(alertMessage) },
        { topic: names.index, messages: docs.map(indexMessage) },
        { topic: names.byOrg, messages: forward },
        { topic: names.deadLetter, messages: dead },
      ],
      changelog: task.buffer.drain(),
      alerts: alerts.length,
      forced,
      buffered: task.buffer.size,
    };
  }
}
