import { describe, expect, it } from 'vitest';
import type { FramedItem } from '../types.js';
import { frameGoogleWorkspace } from './frame.js';

const frame = (text: string): FramedItem[] => [...frameGoogleWorkspace(text, 'p.json')];
const records = (items: FramedItem[]) => items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
const deads = (items: FramedItem[]) => items.flatMap((i) => (i.kind === 'dead' ? [i.dead] : []));

const activity = (q: number, name = 'login_success'): string =>
  `{"kind":"admin#reports#activity","id":{"time":"2025-07-02T09:15:27.000Z","uniqueQualifier":"${q}","applicationName":"login"},"actor":{"email":"a${q}@acme.example"},"events":[{"type":"login","name":"${name}"}]}`;

describe('frameGoogleWorkspace: pages whose envelope is not recognized (issue 12 item 3)', () => {
  it('reads items, escaped key included, and frames an empty page as nothing', () => {
    expect(
      records(frame(`{"kind":"admin#reports#activities","items":[${activity(1)},${activity(2)}]}`)),
    ).toHaveLength(2);
    expect(records(frame(`{"kind":"admin#reports#activities","\\u0069tems":[${activity(1)}]}`))).toHaveLength(
      1,
    );
    expect(frame('{"kind":"admin#reports#activities","etag":"\\"e\\"","nextPageToken":"t"}')).toEqual([]);
  });

  it('dead-letters each element of a misspelled "Items" with its reason and position', () => {
    const items = frame(
      `{"kind":"admin#reports#activities","etag":"\\"e\\"","Items":[${activity(1)},${activity(2)},${activity(3)}]}`,
    );
    expect(records(items)).toEqual([]);
    const dead = deads(items);
    expect(dead.map((d) => d.code)).toEqual(Array(3).fill('unrecognized_envelope'));
    expect(dead.map((d) => d.location)).toEqual([
      'p.json:1#Items[0]',
      'p.json:1#Items[1]',
      'p.json:1#Items[2]',
    ]);
    expect(dead[1]?.reason).toBe(
      'Reports API page (kind admin#reports#activities) without "items": unrecognized envelope member(s) "Items": element 2 of 3 under "Items" not read',
    );
    expect(JSON.parse(dead[2]?.raw ?? '')).toEqual(JSON.parse(activity(3)));
  });

  it('dead-letters every element of an unknown wrapper without kind, one page per NDJSON line', () => {
    const text = `{"activities":[${activity(1)},${activity(2)}]}\n{"kind":"admin#reports#activities","items":[${activity(3)}]}\n`;
    const items = frame(text);
    expect(records(items).map((r) => r.location)).toEqual(['p.json:2']);
    expect(deads(items).map((d) => [d.code, d.location])).toEqual([
      ['unrecognized_envelope', 'p.json:1#activities[0]'],
      ['unrecognized_envelope', 'p.json:1#activities[1]'],
    ]);
  });

  it('dead-letters a page once when its unknown member holds no array', () => {
    const dead = deads(frame(`{"kind":"admin#reports#activities","Items":{"x":${activity(1)}}}`));
    expect(dead).toHaveLength(1);
    expect(dead[0]?.code).toBe('unrecognized_envelope');
    expect(dead[0]?.reason).toContain('"Items": no records read');
  });

  it('leaves activities, already-split and flattened forms to the normalizer', () => {
    const split =
      '{"id":{"time":"2025-07-02T09:15:27Z","uniqueQualifier":"1","applicationName":"token"},"events":{"name":"authorize"}}';
    const panther =
      '{"id":{"time":"2025-07-02T09:15:27Z","uniqueQualifier":"2","applicationName":"token"},"name":"authorize","parameters":{}}';
    const items = frame(`${activity(1)}\n${split}\n${panther}\n`);
    expect(records(items)).toHaveLength(3);
    expect(deads(items)).toEqual([]);
  });

  it('redacts a secret used as a member name in the reason', () => {
    const key = `ghp_${'A1b2C3d4E5'.repeat(4)}`.slice(0, 40);
    const dead = deads(frame(`{"kind":"admin#reports#activities","${key}":[${activity(1)}]}`));
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).not.toContain(key);
    expect(dead[0]?.location).not.toContain(key);
    expect(dead[0]?.location).toMatch(/^p\.json:1#.+\[0\]$/);
  });
});
