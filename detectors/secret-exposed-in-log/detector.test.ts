import { describe, expect, it } from 'vitest';
import { activityFixture } from '../../baselines/testing.js';
import { trainedContext } from '../testing.js';
import { secretExposedInLog as detector } from './detector.js';

describe(detector.id, () => {
  it('fires high for each exposed secret, naming kind, field and fingerprint only', () => {
    const probe = activityFixture({
      event: { action: 'api.request' },
      tokenwatch: {
        secret_exposures: [
          { kind: 'github_pat_classic', field: 'user_agent', fingerprint: 'a1b2c3d4e5f60718' },
          { kind: 'aws_access_key_id', field: 'request.query', fingerprint: '0f1e2d3c4b5a6978' },
        ],
      },
    });
    const findings = detector.evaluate(probe, trainedContext([], probe));
    expect(findings).toHaveLength(2);
    const [f] = findings;
    expect(detector.severity).toBe('high');
    expect(f?.entity).toBe('secret:a1b2c3d4e5f60718');
    expect(f?.reason).toBe(
      'A raw github_pat_classic secret (fingerprint a1b2c3d4e5f60718) appeared in field user_agent of a github api.request record about Classic PAT github:hash:fixturetoken of alice@example.com; it was redacted on ingestion but was in the source log: rotate it.',
    );
    expect(f?.explanation).toMatchObject({
      feature: 'tokenwatch.secret_exposures',
      observed: 'github_pat_classic in user_agent',
      expected: 'no raw secrets in audit-log records',
      baseline_entity: 'none',
    });
  });

  it('stays quiet for records without exposures', () => {
    const probe = activityFixture();
    expect(detector.evaluate(probe, trainedContext([], probe))).toEqual([]);
  });
});
