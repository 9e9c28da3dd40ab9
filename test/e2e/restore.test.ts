import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { mergeByEventTime } from '../../src/pipeline/merge.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { loadPipelineState, savePipelineState } from '../../src/pipeline/state.js';
import { openInput, resolveInputPaths } from '../../src/run/inputs.js';

/**
 * A restart keeps what was learned: processing the samples in one go gives exactly the same alerts
 * as processing the first half, saving the state (baselines, peer models, open alert groups) to a
 * directory, restoring it into a fresh pipeline and processing the second half.
 */
const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
const logger = createLogger('silent');

function key(a: Alert): string {
  return `${a.event.id} ${a.event.severity} ${a.tokenwatch.evidence.count} ${a.message}`;
}

describe('baseline state save and restore', () => {
  let activities: TokenActivity[];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenwatch-state-'));
    const reader = new Pipeline({ config: config.pipeline, logger });
    const files = (await resolveInputPaths(['samples'])).map((p) => openInput(p, undefined));
    const streams = files
      .filter((f) => f.source !== undefined)
      .map(function* (f) {
        for (const c of f.chunks())
          yield* reader.normalize(c.text, { source: f.source!, location: c.location });
      });
    activities = [];
    for (const item of mergeByEventTime(streams))
      if (item.kind === 'activity') activities.push(item.activity);
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a restart in the middle gives the same alerts as one uninterrupted run', async () => {
    const whole = new Pipeline({ config: config.pipeline, logger });
    const expected: Alert[] = [];
    for (const a of activities) expected.push(...whole.detect(a).alerts);
    expected.push(...whole.flush());

    const half = Math.floor(activities.length / 2);
    const first = new Pipeline({ config: config.pipeline, logger });
    const got: Alert[] = [];
    for (const a of activities.slice(0, half)) got.push(...first.detect(a).alerts);
    await savePipelineState(first, dir);

    const second = new Pipeline({ config: config.pipeline, logger });
    const restored = await loadPipelineState(second, dir);
    expect(restored).toBeDefined();
    expect(second.grouper.size).toBe(first.grouper.size);
    for (const a of activities.slice(half)) got.push(...second.detect(a).alerts);
    got.push(...second.flush());

    expect(expected.length).toBeGreaterThan(20);
    expect(got.map(key).sort()).toEqual(expected.map(key).sort());
  }, 600_000);

  it('a fresh pipeline without the state forgets: the second half alone alerts differently', () => {
    const cold = new Pipeline({ config: config.pipeline, logger });
    const alerts: Alert[] = [];
    const half = Math.floor(activities.length / 2);
    for (const a of activities.slice(half)) alerts.push(...cold.detect(a).alerts);
    alerts.push(...cold.flush());
    const warm = new Pipeline({ config: config.pipeline, logger });
    const warmAlerts: Alert[] = [];
    for (const a of activities) warmAlerts.push(...warm.detect(a).alerts);
    warmAlerts.push(...warm.flush());
    const secondHalfStart = Date.parse(activities[half]!['@timestamp']);
    const warmSecond = warmAlerts.filter((a) => Date.parse(a['@timestamp']) >= secondHalfStart);
    expect(alerts.map(key).sort()).not.toEqual(warmSecond.map(key).sort());
  }, 600_000);
});
