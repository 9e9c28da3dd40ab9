import type { KafkaMessage, Message } from 'kafkajs';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { deadLetterMessage } from '../kafka/messages.js';
import { HEADERS, ORG_KEY } from './names.js';
import { type Processed, type StageDeps, StatefulStage, type Task } from './stateful-stage.js';
import type { ChangelogRecord } from './task-state.js';

/** The alert-topic message: key = alert id (the sink writes it with that `_id`). */
export function alertMessage(alert: Alert): Message {
  return { key: alert.event.id, value: JSON.stringify(alert) };
}

/**
 * The detect stage: one task per partition of the activity topic (keyed by entity, see
 * names.ts), running the entity-local detectors over the partition in offset order. Besides its
 * alerts, each batch forwards every activity to the by-org topic with its source partition and
 * offset and an *ordering time* (`max(event time, partition watermark before it - lateness)`),
 * then one watermark message: the org stage orders events from all partitions by these, so its
 * order depends only on the partitions' contents, not on how they were batched or interleaved.
 */
export class DetectStage extends StatefulStage<Task> {
  constructor(deps: StageDeps, detectors: readonly Detector[]) {
    super(deps, 'detect', deps.names.activity, deps.names.changelog.detect, detectors, [
      'grouper',
      'sessions',
      'watermark',
    ]);
  }

  protected openTask(base: Task, other: ChangelogRecord[]): Task {
    if (other.length > 0) this.log.warn({ records: other.length }, 'unknown changelog records ignored');
    return base;
  }

  protected process(task: Task, messages: KafkaMessage[]): Processed {
    const { names, latenessMs } = this.deps;
    const pipeline = task.state.pipeline;
    const alerts: Alert[] = [];
    const forward: Message[] = [];
    const dead: Message[] = [];
    const src = String(task.partition);
    for (const m of messages) {
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
      const ts = Date.parse(activity['@timestamp']);
      const orderMs = Math.max(ts, pipeline.watermarkMs - latenessMs);
      const out = task.state.detect(activity);
      alerts.push(...out.alerts);
      // after every event, not per batch: which groups are closed when the next finding comes
      // then depends on the partition's content only, never on how it was fetched
      alerts.push(...pipeline.closeGroups(latenessMs));
      if (out.dead) {
        dead.push(deadLetterMessage({ ...out.dead, origin }));
        continue;
      }
      forward.push({
        key: ORG_KEY,
        value: m.value,
        headers: {
          [HEADERS.kind]: 'activity',
          [HEADERS.src]: src,
          [HEADERS.offset]: m.offset,
          [HEADERS.order]: String(orderMs),
        },
      });
    }
    forward.push({
      key: ORG_KEY,
      value: null,
      headers: {
        [HEADERS.kind]: 'watermark',
        [HEADERS.src]: src,
        [HEADERS.watermark]: String(pipeline.watermarkMs - latenessMs),
      },
    });
    return {
      outputs: [
        { topic: names.alerts, messages: alerts.map(alertMessage) },
        { topic: names.byOrg, messages: forward },
        { topic: names.deadLetter, messages: dead },
      ],
      changelog: [],
      alerts: alerts.length,
    };
  }
}
