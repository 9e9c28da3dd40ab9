import { describe, expect, it } from 'vitest';
import type { TokenActivity } from '../../schemas/token-activity.js';
import { configSchema } from '../config.js';
import { parseRoles } from './index.js';
import { entityKey, topologyNames } from './names.js';

const activity = (over: { user?: Record<string, string>; client?: string }): TokenActivity =>
  ({
    event: { module: 'github' },
    user: over.user ?? {},
    token: { id: 'github:pat:1', ...(over.client ? { client: { id: over.client } } : {}) },
  }) as unknown as TokenActivity;

describe('topology names', () => {
  it('keys an activity by its person (user id first), else its app, else its token', () => {
    expect(entityKey(activity({ user: { name: 'octocat' }, client: 'Iv1' }))).toBe('person:github:octocat');
    // one person named by id only or by id and name: one key (the owner entity ids differ)
    expect(entityKey(activity({ user: { id: '005A', name: 'ana@x.example' } }))).toBe('person:github:005A');
    expect(entityKey(activity({ user: { id: '005A' } }))).toBe('person:github:005A');
    expect(entityKey(activity({ user: { email: 'ana@x.example', name: 'ana' } }))).toBe(
      'person:github:ana@x.example',
    );
    expect(entityKey(activity({ client: 'Iv1' }))).toBe('app:github:Iv1');
    expect(entityKey(activity({}))).toBe('token:github:pat:1');
  });

  it('derives every internal topic and group from the consumer group id', () => {
    const config = configSchema.parse({ kafka: { groupId: 'tw', topics: { activity: 'act' } } });
    const n = topologyNames(config.kafka);
    expect(n).toMatchObject({
      activity: 'act',
      byOrg: 'tw-by-org-repartition',
      alerts: 'tw-alerts',
      changelog: { detect: 'tw-detect-changelog', org: 'tw-org-changelog' },
      group: { normalize: 'tw-normalize', detect: 'tw-detect', org: 'tw-org', sink: 'tw-sink' },
    });
    expect(n.transactionalId('detect', 'act', 3)).toBe('tw-detect-act-3');
  });

  it('parses --role', () => {
    expect(parseRoles('all')).toEqual(['normalize', 'detect', 'org', 'sink']);
    expect(parseRoles('detect, org,detect')).toEqual(['detect', 'org']);
    expect(() => parseRoles('detect,ingest')).toThrow(/unknown --role "ingest"/);
    expect(() => parseRoles(' , ')).toThrow(/needs a stage/);
  });
});
