import { describe, expect, it } from 'vitest';
import { activityFixture, FIXTURE_TIME_MS } from './fixture.js';

describe('activityFixture', () => {
  it('returns a valid default GitHub clone', () => {
    const a = activityFixture();
    expect(a['@timestamp']).toBe('2025-08-04T10:00:00.000Z');
    expect(a.token.id).toBe('github:hash:fixturetoken');
    expect(a.tokenwatch.network?.ip_prefix).toBe('203.0.113.0/24');
  });

  it('deep-merges overrides and keeps sibling defaults', () => {
    const a = activityFixture({
      source: { geo: { country_iso_code: 'BR' } },
      token: { scopes: ['admin:org'] },
    });
    expect(a.source?.geo?.country_iso_code).toBe('BR');
    expect(a.source?.geo?.city_name).toBe('Berlin');
    expect(a.source?.ip).toBe('203.0.113.10');
    expect(a.token.scopes).toEqual(['admin:org']);
    expect(a.token.lifecycle).toBe('used');
  });

  it('removes fields overridden with undefined and accepts `at`', () => {
    const a = activityFixture({
      source: undefined,
      token: { client: undefined },
      at: FIXTURE_TIME_MS + 1500,
    });
    expect(a.source).toBeUndefined();
    expect(a.token.client).toBeUndefined();
    expect(a['@timestamp']).toBe('2025-08-04T10:00:01.500Z');
  });

  it('does not share state between calls', () => {
    const a = activityFixture();
    a.token.scopes.push('x');
    expect(activityFixture().token.scopes).toEqual(['repo']);
  });

  it('rejects invalid overrides', () => {
    expect(() => activityFixture({ event: { module: 'nope' as 'github' } })).toThrow();
  });
});
