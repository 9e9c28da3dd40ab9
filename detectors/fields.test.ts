/**
 * Invariant over every detector: the activity fields it reads are declared in its
 * `requiredFields` (or read by the shared helpers every detector uses, `HELPER_FIELDS`).
 * Each detector runs over the bundled samples through the real pipeline with the activity wrapped
 * in a recording Proxy (field-access.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { runFiles } from '../src/run/run-files.js';
import { HELPER_FIELDS, isDeclared, recordFieldAccess } from './field-access.js';
import { detectors } from './registry.js';
import type { Detector } from './types.js';

describe('detectors read only declared fields', async () => {
  const reads = new Map<string, Set<string>>(detectors.map((d) => [d.id, new Set<string>()]));
  const wrapped: Detector[] = detectors.map((d) => ({
    ...d,
    evaluate: (activity, ctx) => d.evaluate(recordFieldAccess(activity, reads.get(d.id) as Set<string>), ctx),
  }));
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
  const logger = createLogger('silent');
  const pipeline = new Pipeline({ config: config.pipeline, logger, detectors: wrapped });
  await runFiles({ inputs: ['samples/'], config, logger, pipeline });

  it.each(detectors.map((d) => [d.id, d] as const))('%s', (id, d) => {
    const undeclared = [...(reads.get(id) ?? [])]
      .filter((p) => !isDeclared(p, [...d.requiredFields, ...HELPER_FIELDS]))
      .sort();
    expect(undeclared, `add these to requiredFields of ${id}`).toEqual([]);
  });
});
