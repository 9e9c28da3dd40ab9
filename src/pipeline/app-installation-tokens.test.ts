/**
 * GitHub App installation tokens (`ghs_`) expire after one hour, so an app's activity carries a new
 * `hashed_token` every hour (GitHub docs, "Generating an installation access token for a GitHub
 * App": "The installation access token will expire after 1 hour"). Keyed by hash, one app would
 * be a stream of hour-old "new tokens", each cold-starting every baseline. The GitHub normalizer
 * keys them per app installation (`programmatic_access_type` "GitHub App server-to-server token",
 * actor `<slug>[bot]`, `oauth_application_id` / `integration`): this test runs two weeks of a
 * Renovate-like app through the whole pipeline (normalize, enrich, baselines, detectors) and
 * expects one entity and no alert.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Pipeline } from './pipeline.js';

const START = Date.UTC(2025, 5, 2);
const HOUR = 3_600_000;
const REPOS = ['gateway-monorepo', 'sync-sdk', 'sync-pipeline', 'billing-api', 'web-app', 'infra'];
/** GitHub-hosted runner egress in Azure (class cloud), as in samples/. */
const IPS = ['104.42.16.62', '13.64.65.199', '104.42.115.80', '40.112.243.10', '13.91.97.200'];

/** One hour's installation token: SHA-256 of a fresh `ghs_` value, base64 as the audit log shows it. */
const hashedToken = (hour: number): string =>
  createHash('sha256').update(`ghs_fixture_installation_token_${hour}`).digest('base64');

function* renovate(days: number): Generator<string> {
  for (let h = 0; h < days * 24; h++) {
    for (let k = 0; k < 4; k++) {
      const t = START + h * HOUR + k * 9 * 60_000 + 17_000;
      const repo = REPOS[(h + k) % REPOS.length] as string;
      yield JSON.stringify({
        '@timestamp': t,
        _document_id: `renovate-${h}-${k}`,
        action: 'git.clone',
        actor: 'renovate[bot]',
        actor_id: 40002740,
        actor_is_bot: true,
        actor_ip: IPS[(h * 4 + k) % IPS.length],
        business: 'northwind-enterprise',
        created_at: t,
        hashed_token: hashedToken(h),
        programmatic_access_type: 'GitHub App server-to-server token',
        oauth_application_id: 2740,
        integration: 'renovate',
        operation_type: 'access',
        org: 'northwind',
        repo: `northwind/${repo}`,
        repository: `northwind/${repo}`,
        transport_protocol_name: 'http',
        user_agent: 'git/2.45.2',
      });
    }
  }
}

describe('GitHub App installation tokens rotating every hour', () => {
  it('are one entity per app installation and raise nothing over two weeks', () => {
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    const pipeline = new Pipeline({ config: config.pipeline, logger: createLogger('silent') });
    const ids = new Set<string>();
    const hashes = new Set<string>();
    const alerts: Alert[] = [];
    let activities = 0;
    for (const n of pipeline.normalize([...renovate(14)].join('\n'), {
      source: 'github',
      location: 'renovate.ndjson',
    })) {
      if (n.kind !== 'activity') throw new Error(`not normalized: ${JSON.stringify(n).slice(0, 300)}`);
      activities++;
      const out = pipeline.detect(n.activity);
      ids.add(out.activity.token.id);
      expect(out.activity.token.key_kind).toBe('app_installation');
      expect(out.activity.token.principal).toBe('machine');
      for (const h of out.activity.related.hash) hashes.add(h);
      alerts.push(...out.alerts);
    }
    alerts.push(...pipeline.flush());
    expect(activities).toBe(14 * 24 * 4);
    // 336 hourly tokens, one entity
    expect(hashes.size).toBeGreaterThanOrEqual(14 * 24);
    expect([...ids]).toEqual(['github:app_installation:2740:northwind']);
    expect(alerts.map((a) => `${a.rule.id}: ${a.message}`)).toEqual([]);
  });
});
