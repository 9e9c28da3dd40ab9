import { describe, expect, it } from 'vitest';
import type { FramedItem } from '../types.js';
import { MAX_RECORD_CHARS } from './dead-letter.js';
import { frameSalesforce } from './frame.js';

const frame = (text: string, location = 'in.json'): FramedItem[] => [...frameSalesforce(text, location)];
const summary = (items: FramedItem[]) =>
  items.map((i) =>
    i.kind === 'record'
      ? { kind: 'record', family: i.record.family, location: i.record.location }
      : { kind: 'dead', code: i.dead.code, location: i.dead.location },
  );

const apiEvent = {
  EventDate: '2024-05-03T09:15:27.431+0000',
  EventIdentifier: 'e1',
  UserId: '0055j00000AT6I1AAL',
};

describe('frameSalesforce: JSON', () => {
  it('unwraps a SOQL page, taking the family from attributes.type', () => {
    const page = {
      totalSize: 2,
      done: true,
      records: [
        { attributes: { type: 'LoginEvent', url: '/x' }, ...apiEvent },
        { attributes: { type: 'ApiEvent' }, ...apiEvent },
      ],
    };
    expect(summary(frame(JSON.stringify(page)))).toEqual([
      { kind: 'record', family: 'LoginEvent', location: 'in.json#records[0]' },
      { kind: 'record', family: 'ApiEvent', location: 'in.json#records[1]' },
    ]);
  });

  it('unwraps streaming messages and maps the channel to the object type', () => {
    const msgs = [
      { channel: '/meta/connect', successful: true },
      { channel: '/event/ApiEventStream', data: { event: { replayId: 1 }, payload: apiEvent, schema: 's' } },
      { channel: '/event/BulkApiResultEvent', data: { event: { replayId: 2 }, payload: apiEvent } },
      { channel: '/event/LoginEventStream', data: { event: { replayId: 3 } } },
    ];
    const items = frame(JSON.stringify(msgs));
    expect(summary(items)).toEqual([
      { kind: 'record', family: 'cometd:meta', location: 'in.json#[0]' },
      { kind: 'record', family: 'ApiEvent', location: 'in.json#[1]' },
      { kind: 'record', family: 'BulkApiResultEvent', location: 'in.json#[2]' },
      { kind: 'dead', code: 'schema_invalid', location: 'in.json#[3]' },
    ]);
    // The record value is the payload, not the envelope.
    expect(items[1]?.kind === 'record' && items[1].record.value).toEqual(apiEvent);
  });

  it('reads NDJSON line by line and dead-letters bad lines with their line number', () => {
    const text = [
      JSON.stringify(apiEvent),
      '{"broken',
      '',
      '42',
      JSON.stringify({ ...apiEvent, LoginType: 'Application' }),
    ].join('\n');
    expect(summary(frame(text, 'in.ndjson'))).toEqual([
      { kind: 'record', family: undefined, location: 'in.ndjson:1' },
      { kind: 'dead', code: 'parse_error', location: 'in.ndjson:2' },
      { kind: 'dead', code: 'not_an_object', location: 'in.ndjson:4' },
      { kind: 'record', family: 'LoginEvent', location: 'in.ndjson:5' },
    ]);
  });

  it('detects the family of bare objects from type-specific fields', () => {
    const families = [
      { ...apiEvent, JobId: '750' },
      { ...apiEvent, QueriedEntities: 'Account' },
      { ...apiEvent, DelegatedUsername: 'admin@example.com' },
      { EVENT_TYPE: 'Login', TIMESTAMP: '20240502170000.000' },
    ].map((v) => summary(frame(JSON.stringify(v)))[0]);
    expect(families.map((f) => (f?.kind === 'record' ? f.family : f?.kind))).toEqual([
      'BulkApiResultEvent',
      'ApiEvent',
      'LoginAsEvent',
      'EventLogFile:Login',
    ]);
  });

  it('dead-letters a text that is neither JSON nor NDJSON as one item', () => {
    const items = frame('{\n  "records": [\n    {"a": 1},\n');
    expect(summary(items)).toEqual([{ kind: 'dead', code: 'parse_error', location: 'in.json:1' }]);
  });

  it('dead-letters oversized records and lines', () => {
    const big = { ...apiEvent, Query: 'x'.repeat(MAX_RECORD_CHARS) };
    expect(summary(frame(JSON.stringify([big, apiEvent])))).toEqual([
      { kind: 'dead', code: 'oversized', location: 'in.json#[0]' },
      { kind: 'record', family: undefined, location: 'in.json#[1]' },
    ]);
    const nd = `${JSON.stringify(big)}\n${JSON.stringify(apiEvent)}\n`;
    expect(summary(frame(nd, 'x.ndjson')).map((s) => s.kind)).toEqual(['dead', 'record']);
  });

  it('redacts SessionKey in dead letters', () => {
    const items = frame(
      JSON.stringify({ channel: '/event/ApiEventStream', data: { SessionKey: 'Yz5/cD7eF9gH1iJ3' } }),
    );
    expect(items[0]?.kind === 'dead' && items[0].dead.raw).not.toContain('Yz5/cD7eF9gH1iJ3');
    const line = frame('{"SessionKey":"Yz5/cD7eF9gH1iJ3","EventIdentifier":"x\n{"a":1}', 'x.ndjson');
    expect(line[0]?.kind === 'dead' && line[0].dead.raw).toBe(
      '{"SessionKey":"[REDACTED]","EventIdentifier":"x',
    );
  });
});

describe('frameSalesforce: Pub/Sub API events and Avro JSON', () => {
  it('unwraps {replayId, payload}, the family from topicName, Avro unions unwrapped', () => {
    const event = {
      replayId: 7,
      topicName: '/event/LogoutEventStream',
      payload: { EventDate: { long: 1751360400123 }, EventIdentifier: { string: 'x1' }, UserId: null },
    };
    const items = frame(JSON.stringify(event));
    expect(summary(items)).toEqual([{ kind: 'record', family: 'LogoutEvent', location: 'in.json' }]);
    const rec = items[0];
    expect(rec?.kind === 'record' && rec.record.value).toEqual({
      EventDate: 1751360400123,
      EventIdentifier: 'x1',
      UserId: null,
    });
  });

  it('NDJSON of Pub/Sub events without a topic: family from the payload fields', () => {
    const lines = [
      { replay_id: '1', payload: { ...apiEvent, LoginType: { string: 'Application' } } },
      { replayId: 2, payload: { ...apiEvent, ListViewId: '00B000000000001' } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    expect(summary(frame(lines)).map((s) => s.kind === 'record' && s.family)).toEqual([
      'LoginEvent',
      'ListViewEvent',
    ]);
  });

  it('a Pub/Sub event whose payload is not an object is a schema_invalid dead letter', () => {
    expect(summary(frame(JSON.stringify({ replayId: 1, payload: 'AAEC' })))).toEqual([
      { kind: 'dead', code: 'schema_invalid', location: 'in.json' },
    ]);
  });

  it('a bare object with only LogoutEvent fields is a LogoutEvent; a file name can say so too', () => {
    const logout = { EventIdentifier: 'l1', EventDate: '2025-01-01T00:00:00Z', LoginKey: 'k', UserId: 'u' };
    expect(summary(frame(JSON.stringify(logout)))[0]).toMatchObject({ family: 'LogoutEvent' });
    const unknown = { EventIdentifier: 'l1', EventDate: '2025-01-01T00:00:00Z', Foo: 1 };
    expect(summary(frame(JSON.stringify(unknown)))[0]).toMatchObject({ family: undefined });
    expect(summary(frame(JSON.stringify(unknown), 'dump/LogoutEventStream-01.json'))[0]).toMatchObject({
      family: 'LogoutEvent',
    });
  });

  it('families of the page-view events by their own fields', () => {
    const fam = (extra: Record<string, unknown>) =>
      summary(frame(JSON.stringify({ ...apiEvent, ...extra })))[0]?.kind === 'record'
        ? (summary(frame(JSON.stringify({ ...apiEvent, ...extra })))[0] as { family?: string }).family
        : undefined;
    expect(fam({ Operation: 'Read', OperationStatus: 'SUCCESS', RecordId: '001' })).toBe('UriEvent');
    expect(fam({ Operation: 'Read', PageUrl: '/lightning/page/home' })).toBe('LightningUriEvent');
    expect(fam({ ListViewId: '00B', QueriedEntities: 'Account' })).toBe('ListViewEvent');
    expect(fam({ ReportId: '00O', Operation: 'ReportExported' })).toBe('ReportEvent');
    expect(fam({ Operation: 'query', ApiType: 'REST' })).toBe('ApiEvent');
  });
});
