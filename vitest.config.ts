import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (pure code, tests beside it), `e2e` (test/e2e/: whole pipeline over files,
 * no services), and `integration` (the rest of test/: real Kafka and Elasticsearch provided by
 * test/global-setup.ts: env vars from scripts/test.sh, or testcontainers).
 */
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{schemas,ingestors,baselines,detectors,src,sim,scripts}/**/*.test.ts'],
          environment: 'node',
          // Generous on purpose: these machines are shared (2 cores, other builds beside us), and a
          // test that passes in 1 s alone can take 10x that under load. A test's speed is not what
          // it asserts; heavy tests state their own limit.
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Test files share their worker's module graph instead of importing everything again
          // (zod schemas, the detector registry, the network data): the unit project took 198
          // CPU-seconds isolated and 79 not (2026-12-07, 118 files, same results). Safe because no
          // unit test mocks modules (vi.mock) or leaves globals changed; one that needs a fresh
          // module graph belongs in a project of its own.
          isolate: false,
          // Both cores (vitest's default leaves one to itself: 1 worker on these 2-core machines,
          // while the main process mostly waits). Unit and e2e must say the same (one group).
          maxWorkers: '100%',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // Whole-pipeline runs: minutes on a busy shared machine. Limits catch hangs, not slowness.
          testTimeout: 900_000,
          hookTimeout: 900_000,
          // as in unit: whole-pipeline runs in process, no module mocks
          isolate: false,
          maxWorkers: '100%',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

// vitest reads the config's default export; this is the one exception to "no default exports".
export default config;
