import { beforeAll, describe, expect, it } from 'vitest';
import { appEntityId, ownerEntityId } from '../../baselines/entity-ids.js';
import { detectors } from '../../detectors/registry.js';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { configSchema } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { openInput, resolveInputs } from '../run/inputs.js';
import { type RunResult, runFiles } from '../run/run-files.js';
import { isOrgStageDetector } from './detector-split.js';
import { partitionedModel } from './partitioned-model.js';

const INPUT = 'samples/northwind';
const config = configSchema.parse({});
const logger = createLogger('silent');

/** Stage 1 over the input files (one pipeline: duplicates dropped as in `run`). */
async function normalizedSamples(): Promise<TokenActivity[]> {
  const p = new Pipeline({ config: config.pipeline, logger });
  const { paths } = await resolveInputs([INPUT]);
  const out: TokenActivity[] = [];
  for (const path of paths) {
    const f = openInput(path, undefined);
    if (!f.source) continue;
    for (const chunk of f.chunks())
      for (const n of p.normalize(chunk.text, { source: f.source, location: chunk.location }))
        if (n.kind === 'activity') out.push(n.activity);
  }
  return out;
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.event.id).sort();
const entityOf = (a: Alert) => (a as unknown as { tokenwatch: { entity: string } }).tokenwatch.entity;

let activities: TokenActivity[];
let run: RunResult;
beforeAll(async () => {
  activities = await normalizedSamples();
  run = await runFiles({ inputs: [INPUT], config: { ...config, stateDir: undefined }, logger });
}, 120_000);

describe('partitionedModel (what the topology computes) against `tokenwatch run`, samples/northwind', () => {
  it('with one partition is exactly `run`: the stage-2 order and the detector split lose nothing', () => {
    expect(activities.length).toBeGreaterThan(3_000);
    expect(run.alerts.length).toBeGreaterThan(50);
    const one = partitionedModel(activities, { config, logger, partitions: 1 });
    expect(ids(one.alerts)).toEqual(ids(run.alerts));
  });

  it('with 6 partitions differs from `run` only where a detect-stage baseline spans partitions', () => {
    const six = partitionedModel(activities, { config, logger, partitions: 6 });
    // which partitions each baseline entity's activities land on
    const spans = new Map<string, Set<number>>();
    const note = (id: string | undefined, p: number) => {
      if (id === undefined) return;
      const s = spans.get(id) ?? new Set<number>();
      s.add(p);
      spans.set(id, s);
    };
    const related = new Map<string, Set<string>>();
    for (const a of activities) {
      const p = six.partitionOf(a);
      const token = a.token.id;
      const rel = related.get(token) ?? new Set<string>();
      for (const id of [token, appEntityId(a), ownerEntityId(a)]) {
        note(id, p);
        if (id !== undefined) rel.add(id);
      }
      related.set(token, rel);
    }
    const splitBaselines = (alert: Alert) =>
      [...(related.get(entityOf(alert)) ?? [])].filter((id) => (spans.get(id)?.size ?? 0) > 1);
    const want = new Set(ids(run.alerts));
    const got = new Set(ids(six.alerts));
    const differing = [
      ...run.alerts.filter((a) => !got.has(a.event.id)),
      ...six.alerts.filter((a) => !want.has(a.event.id)),
    ];
    const byId = new Map(detectors.map((d) => [d.id, d]));
    for (const a of differing) {
      const d = byId.get(a.rule.id);
      expect(d && !isOrgStageDetector(d), `${a.rule.id} runs in the detect stage`).toBe(true);
      expect(
        splitBaselines(a).length,
        `${a.rule.id} on ${entityOf(a)}: a baseline spans partitions`,
      ).toBeGreaterThan(0);
    }
    // the known gap stays small on the samples (names.ts): one alert of 78 at the time of writing
    expect(differing.length).toBeLessThanOrEqual(3);
    expect(got.size).toBeGreaterThan(50);
  });
});
