import { describe, expect, it } from 'vitest';
import { activityFixture } from '../baselines/testing.js';
import { isDeclared, recordFieldAccess } from './field-access.js';

describe('recordFieldAccess', () => {
  it('records the dotted path of every leaf read, missing values included', () => {
    const reads = new Set<string>();
    const a = recordFieldAccess(activityFixture({ token: { scopes: ['repo'] } }), reads);
    void a.token.id;
    void a.token.scopes.length;
    void a.source?.geo?.country_iso_code;
    void a.tokenwatch.volume?.rows;
    expect(reads.has('source.geo.country_iso_code')).toBe(true);
    expect(reads.has('token.id')).toBe(true);
    expect(reads.has('token.scopes')).toBe(true);
    expect(reads.has('event.action')).toBe(false);
  });

  it('refuses writes (detectors are pure)', () => {
    const a = recordFieldAccess(activityFixture(), new Set());
    expect(() => {
      (a.token as { id: string }).id = 'x';
    }).toThrow(/must not modify/);
  });
});

describe('isDeclared', () => {
  it('accepts the path, a declared parent or a declared child; rejects the rest', () => {
    expect(isDeclared('source.geo.country_iso_code', ['source.geo'])).toBe(true);
    expect(isDeclared('tokenwatch.volume', ['tokenwatch.volume.rows'])).toBe(true);
    expect(isDeclared('token.scopes', ['token.scope'])).toBe(false);
    expect(isDeclared('user_agent.name', ['user.name'])).toBe(false);
  });
});
