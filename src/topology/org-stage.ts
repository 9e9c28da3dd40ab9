import type { KafkaMessage } from 'kafkajs';
import type { Detector } from '../../detectors/types.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { decodeHeaders } from '../kafka/messages.js';
import { alertMessage } from './detect-stage.js';
import { HEADERS } from './names.js';
import { type Processed, type StageDeps, StatefulStage, type Task } from './stateful-stage.js';
import { type ChangelogRecord, decodeValue, encodeValue } from './task-state.js';

/** An activity waiting in the org task's event-time buffer. */
interface Pending {
  order: number;
  src: number;
  offset: bigint;
  value: Buffer;
}

/** The org task: its pipeline plus the event-time buffer and each source partition's watermark. */
interface OrgTask extends Task {
  pending: Map<string, Pending>;
  watermarks: Map<number, number>;
}

const BUFFER = 'b';
const WATERMARK = 'w';
const SEP = '\u0000';

/** Orders pending activities: ordering time, then source partition, then offset. */
function byOrder(a: Pending, b: Pending): number {
  return a.order - b.order || a.src - b.src || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}

/**
 * The org stage: the cross-entity detectors (detector-split.ts) over every activity of the
 * organization, re-keyed by the detect stage onto the one-partition by-org topic. Activities
 * arrive interleaved from all activity partitions in whatever order the detect tasks committed;
 * the task buffers them and releases them in (ordering time, partition, offset) order once every
 * activity partition's watermark has passed (a low watermark over `activityPartitions` sources),
 * so the org detectors see the same order in every run and after every move. The buffer and
 * watermarks are part of the task's changelog (`b\0<partition>\0<offset>`, `w\0<partition>`).
 * Until a partition has sent a watermark, nothing is released (an activity partition that never
 * receives data holds the org stage back; the detect stage sends one per batch).
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
    const task: OrgTask = { ...base, pending: new Map(), watermarks: new Map() };
    for (const r of other) {
      if (r.value === null) continue;
      const [head, a, b] = r.key.split(SEP);
      if (head === BUFFER && a !== undefined && b !== undefined) {
        const { order, value } = decodeValue(r.value) as { order: number; value: string };
        task.pending.set(r.key, {
          order,
          src: Number(a),
          offset: BigInt(b),
          value: Buffer.from(value, 'utf8'),
        });
      } else if (head === WATERMARK && a !== undefined) {
        task.watermarks.set(Number(a), decodeValue(r.value) as number);
      } else {
        this.log.warn({ key: r.key }, 'unknown changelog record ignored');
      }
    }
    return task;
  }

  /** The low watermark: the smallest watermark over every activity partition (-Infinity until all sent one). */
  private lowWatermark(task: OrgTask): number {
    let low = Number.POSITIVE_INFINITY;
    for (let p = 0; p < this.activityPartitions; p++) {
      const w = task.watermarks.get(p);
      if (w === undefined) return Number.NEGATIVE_INFINITY;
      low = Math.min(low, w);
    }
    return low;
  }

  protected process(task: OrgTask, messages: KafkaMessage[]): Processed {
    const changelog: ChangelogRecord[] = [];
    for (const m of messages) {
      const h = decodeHeaders(m.headers);
      const src = Number(h[HEADERS.src]);
      if (h[HEADERS.kind] === 'watermark') {
        const w = Number(h[HEADERS.watermark]);
        if (Number.isFinite(w) && w > (task.watermarks.get(src) ?? Number.NEGATIVE_INFINITY)) {
          task.watermarks.set(src, w);
          changelog.push({ key: `${WATERMARK}${SEP}${src}`, value: encodeValue(w) });
        }
        continue;
      }
      if (!m.value) continue;
      const offset = h[HEADERS.offset] ?? m.offset;
      const order = Number(h[HEADERS.order]);
      const key = `${BUFFER}${SEP}${src}${SEP}${offset}`;
      const value = m.value.toString('utf8');
      task.pending.set(key, { order, src, offset: BigInt(offset), value: m.value });
      changelog.push({ key, value: encodeValue({ order, value }) });
    }
    const low = this.lowWatermark(task);
    const ready = [...task.pending.entries()]
      .filter(([, p]) => p.order < low)
      .sort((x, y) => byOrder(x[1], y[1]));
    const alerts: Alert[] = [];
    for (const [key, p] of ready) {
      task.pending.delete(key);
      changelog.push({ key, value: null });
      const activity = JSON.parse(p.value.toString('utf8')) as TokenActivity;
      alerts.push(...task.state.detect(activity).alerts);
      alerts.push(...task.state.pipeline.closeGroups(this.deps.latenessMs));
    }
    return {
      outputs: [{ topic: this.deps.names.alerts, messages: alerts.map(alertMessage) }],
      changelog,
      alerts: alerts.length,
    };
  }
}
