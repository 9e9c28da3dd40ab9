/**
 * The Kibana assets in kibana/ checked against the shapes Kibana 8.x / 9.x require, written from
 * Kibana's documentation (no Kibana runs on the build machines):
 *
 * - Saved objects import (NDJSON, one object per line: `type`, `id`, `attributes`, `references`
 *   of `{name, type, id}`):
 *   https://www.elastic.co/docs/api/doc/kibana/operation/operation-importsavedobjectsdefault
 *   and https://www.elastic.co/guide/en/kibana/8.15/saved-objects-api-import.html
 * - Data views (`index-pattern` objects: `title` = index pattern, `timeFieldName`):
 *   https://www.elastic.co/guide/en/kibana/8.15/data-views-api-create.html
 * - Legacy (aggregation-based) visualizations and dashboards as exported by Kibana: `visState`,
 *   `panelsJSON`, `optionsJSON`, `kibanaSavedObjectMeta.searchSourceJSON` are JSON *strings*;
 *   panels and search sources point at their objects through `panelRefName` / `indexRefName`
 *   naming an entry of `references` (Kibana 7.0+ reference extraction).
 * - Detection rules (query type; the import API takes the create-rule body):
 *   https://www.elastic.co/guide/en/security/8.15/rules-api-create.html,
 *   https://www.elastic.co/guide/en/security/8.15/rules-api-update.html (name, description,
 *   risk_score integer 0-100, severity low|medium|high|critical required; interval/from date math;
 *   risk_score_mapping / severity_mapping entries `{field, operator: "equals", value, ...}`).
 *
 * Beyond the shapes: every field a visualization, saved search or the rule reads exists in the
 * mappings tokenwatch installs for that data view's indices, with a type Kibana can aggregate on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activityMappings, alertMappings, identitiesMappings, tokenInventoryMappings } from './mappings.js';
import { activityDataStream, alertDataStream, identitiesIndex, tokenInventoryIndex } from './names.js';

const ndjson = (file: string): unknown[] =>
  readFileSync(new URL(`../../kibana/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);

/** A string holding JSON that parses to `schema`. */
const jsonString = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s, ctx) => {
    try {
      return schema.parse(JSON.parse(s)) as z.infer<T>;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not the expected JSON: ${(err as Error).message}` });
      return z.NEVER;
    }
  });

const reference = z
  .object({ name: z.string().min(1), type: z.string().min(1), id: z.string().min(1) })
  .strict();
const kuery = z.object({ query: z.string(), language: z.enum(['kuery', 'lucene']) });
const searchSource = z.object({
  query: kuery,
  filter: z.array(z.unknown()),
  indexRefName: z.string().optional(),
});
const savedObjectMeta = z.object({ searchSourceJSON: jsonString(searchSource) }).strict();
const agg = z
  .object({
    id: z.string().min(1),
    enabled: z.boolean(),
    type: z.enum(['count', 'date_histogram', 'terms', 'filters', 'sum', 'avg', 'max', 'cardinality']),
    schema: z.enum(['metric', 'segment', 'group', 'bucket', 'split']),
    params: z.record(z.string(), z.unknown()),
  })
  .strict();
const visState = z
  .object({
    title: z.string().min(1),
    type: z.enum(['histogram', 'line', 'area', 'table', 'metric', 'pie']),
    params: z.record(z.string(), z.unknown()),
    aggs: z.array(agg).min(1),
  })
  .strict();
const panel = z
  .object({
    type: z.literal('visualization'),
    gridData: z.object({
      x: z.number().int().min(0).max(47),
      y: z.number().int().min(0),
      w: z.number().int().min(1).max(48),
      h: z.number().int().min(1),
      i: z.string(),
    }),
    panelIndex: z.string(),
    embeddableConfig: z.record(z.string(), z.unknown()),
    panelRefName: z.string(),
  })
  .strict();

const savedObject = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('index-pattern'),
      id: z.string().min(1),
      attributes: z
        .object({
          title: z.string().min(1),
          name: z.string().optional(),
          timeFieldName: z.string().optional(),
          allowNoIndex: z.boolean().optional(),
        })
        .strict(),
      references: z.array(reference),
    })
    .strict(),
  z
    .object({
      type: z.literal('search'),
      id: z.string().min(1),
      attributes: z
        .object({
          title: z.string().min(1),
          description: z.string(),
          columns: z.array(z.string()),
          sort: z.array(z.tuple([z.string(), z.enum(['asc', 'desc'])])),
          kibanaSavedObjectMeta: savedObjectMeta,
        })
        .strict(),
      references: z.array(reference).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('visualization'),
      id: z.string().min(1),
      attributes: z
        .object({
          title: z.string().min(1),
          description: z.string(),
          version: z.literal(1),
          uiStateJSON: jsonString(z.record(z.string(), z.unknown())),
          visState: jsonString(visState),
          kibanaSavedObjectMeta: savedObjectMeta,
        })
        .strict(),
      references: z.array(reference).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('dashboard'),
      id: z.string().min(1),
      attributes: z
        .object({
          title: z.string().min(1),
          description: z.string(),
          version: z.literal(1),
          timeRestore: z.boolean(),
          timeFrom: z.string().optional(),
          timeTo: z.string().optional(),
          refreshInterval: z.object({ pause: z.boolean(), value: z.number().int().min(0) }).optional(),
          panelsJSON: jsonString(z.array(panel).min(1)),
          optionsJSON: jsonString(z.record(z.string(), z.unknown())),
          kibanaSavedObjectMeta: savedObjectMeta,
        })
        .strict(),
      references: z.array(reference).min(1),
    })
    .strict(),
]);
type SavedObject = z.infer<typeof savedObject>;

const dateMath = /^\d+[smhd]$/;
const mappingValue = z.string();
const queryRule = z
  .object({
    rule_id: z.string().uuid(),
    name: z.string().min(1),
    description: z.string().min(1),
    type: z.literal('query'),
    language: z.enum(['kuery', 'lucene']),
    query: z.string().min(1),
    index: z.array(z.string().min(1)).min(1),
    enabled: z.boolean(),
    interval: z.string().regex(dateMath),
    from: z.string().regex(/^now-\d+[smhd]$/),
    max_signals: z.number().int().positive(),
    risk_score: z.number().int().min(0).max(100),
    risk_score_mapping: z.array(
      z
        .object({
          field: z.string(),
          operator: z.literal('equals'),
          value: mappingValue,
          risk_score: z.number().optional(),
        })
        .strict(),
    ),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    severity_mapping: z.array(
      z
        .object({
          field: z.string(),
          operator: z.literal('equals'),
          severity: z.enum(['low', 'medium', 'high', 'critical']),
          value: mappingValue,
        })
        .strict(),
    ),
    rule_name_override: z.string(),
    timestamp_override: z.string(),
    timestamp_override_fallback_disabled: z.boolean(),
    author: z.array(z.string()),
    license: z.string(),
    tags: z.array(z.string()),
    references: z.array(z.string().url()),
    false_positives: z.array(z.string()),
    threat: z.array(z.unknown()),
    note: z.string(),
    version: z.number().int().min(1),
    exceptions_list: z.array(z.unknown()),
    actions: z.array(z.unknown()),
    // Kibana's rule export adds `ecs` (is the field in ECS); the create API computes it.
    required_fields: z.array(
      z.object({ name: z.string(), type: z.string(), ecs: z.boolean().optional() }).strict(),
    ),
  })
  .strict();

/** Field path -> Elasticsearch type, from a mapping's nested `properties`. */
function flatten(mapping: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const props = (mapping['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, m] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (typeof m['type'] === 'string') out.set(path, m['type']);
    for (const [k, v] of flatten(m, path)) out.set(k, v);
  }
  return out;
}

/** The installed field types of each data view title. */
const fieldsByPattern = new Map<string, Map<string, string>>([
  [alertDataStream('*'), flatten(alertMappings('constant_keyword'))],
  [activityDataStream('*'), flatten(activityMappings('constant_keyword'))],
  [tokenInventoryIndex('*'), flatten(tokenInventoryMappings())],
  [identitiesIndex('*'), flatten(identitiesMappings())],
]);
const AGGREGATABLE = new Set([
  'keyword',
  'constant_keyword',
  'long',
  'double',
  'float',
  'date',
  'ip',
  'boolean',
]);

const objects = ndjson('tokenwatch-saved-objects.ndjson').map((o) => savedObject.parse(o));
const byId = new Map(objects.map((o) => [o.id, o]));

function dataViewOf(o: SavedObject): string {
  const ref = o.references.find((r) => r.name === 'kibanaSavedObjectMeta.searchSourceJSON.index');
  const view = ref && byId.get(ref.id);
  if (view?.type !== 'index-pattern') throw new Error(`${o.id}: no data view reference`);
  return view.attributes.title;
}

/** Fields an aggregation reads: `params.field`, and the fields named in `filters` KQL inputs. */
function aggFields(a: z.infer<typeof agg>): string[] {
  const fields: string[] = [];
  if (typeof a.params['field'] === 'string') fields.push(a.params['field']);
  for (const f of (a.params['filters'] as { input: { query: string } }[] | undefined) ?? [])
    fields.push(
      ...[...f.input.query.matchAll(/([a-z_@][\w.]*)\s*(?::|>=|<=|>|<)/g)].map((m) => m[1] as string),
    );
  return fields;
}

describe('kibana saved objects (Kibana 8.x/9.x import format)', () => {
  it('every line is a saved object of a known type with its required attributes', () => {
    expect(objects.map((o) => o.type).sort()).toEqual([
      'dashboard',
      'index-pattern',
      'index-pattern',
      'index-pattern',
      'index-pattern',
      'index-pattern',
      'search',
      'search',
      'search',
      'visualization',
      'visualization',
      'visualization',
      'visualization',
      'visualization',
    ]);
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  });

  it('every reference resolves to an object of the file, and every ref name is referenced', () => {
    for (const o of objects) {
      for (const r of o.references) expect(byId.get(r.id)?.type, `${o.id} -> ${r.id}`).toBe(r.type);
      const names = new Set(o.references.map((r) => r.name));
      if (o.type === 'dashboard')
        for (const p of o.attributes.panelsJSON)
          expect(names, `${o.id} ${p.panelRefName}`).toContain(p.panelRefName);
      if (o.type === 'search' || o.type === 'visualization') {
        const ref = o.attributes.kibanaSavedObjectMeta.searchSourceJSON.indexRefName;
        expect(ref && names.has(ref), o.id).toBe(true);
      }
    }
  });

  it('every index tokenwatch writes has a data view (alerts, activity, token inventory, identities)', () => {
    const titles = objects.flatMap((o) => (o.type === 'index-pattern' ? [o.attributes.title] : []));
    expect(new Set(titles)).toEqual(new Set(fieldsByPattern.keys()));
    const offboardings = byId.get('tokenwatch-offboardings-search');
    if (offboardings?.type !== 'search') throw new Error('no saved search of offboardings');
    expect(dataViewOf(offboardings)).toBe(identitiesIndex('*'));
    expect(offboardings.attributes.kibanaSavedObjectMeta.searchSourceJSON.query.query).toBe(
      'identity.kind : "offboarding"',
    );
  });

  it('data views match the indices tokenwatch writes; their time fields are mapped dates', () => {
    for (const o of objects) {
      if (o.type !== 'index-pattern') continue;
      const fields = fieldsByPattern.get(o.attributes.title);
      expect(fields, o.attributes.title).toBeDefined();
      if (o.attributes.timeFieldName) expect(fields?.get(o.attributes.timeFieldName), o.id).toBe('date');
    }
  });

  it('every field a visualization aggregates on or a saved search shows is mapped (aggregatable for aggs)', () => {
    for (const o of objects) {
      if (o.type === 'visualization') {
        const fields = fieldsByPattern.get(dataViewOf(o)) as Map<string, string>;
        for (const a of o.attributes.visState.aggs)
          for (const f of aggFields(a))
            expect(AGGREGATABLE.has(fields.get(f) ?? 'unmapped'), `${o.id}: ${f}`).toBe(true);
      }
      if (o.type === 'search') {
        const fields = fieldsByPattern.get(dataViewOf(o)) as Map<string, string>;
        for (const c of o.attributes.columns) expect(fields.has(c), `${o.id}: ${c}`).toBe(true);
      }
    }
  });

  it('the dashboard shows alerts over time by detector and by severity, top tokens, top networks, inventory hygiene', () => {
    const dash = objects.find((o) => o.type === 'dashboard');
    if (dash?.type !== 'dashboard') throw new Error('no dashboard');
    const panels = dash.references.map((r) => byId.get(r.id)).filter((o) => o?.type === 'visualization');
    const reads = panels.map((p) =>
      p?.type === 'visualization' ? p.attributes.visState.aggs.flatMap(aggFields).join(',') : '',
    );
    expect(reads).toEqual([
      'event.ingested,event.action',
      'event.ingested,event.severity',
      'tokenwatch.token.id,tokenwatch.token.type',
      'source.as.organization.name,source.geo.country_iso_code',
      expect.stringContaining('tokenwatch.inventory.days_idle'),
    ]);
    expect(dash.attributes.timeRestore).toBe(true);
  });
});

describe('kibana detection rule (create-rule body, query type)', () => {
  const rules = ndjson('tokenwatch-detection-rules.ndjson').map((r) => queryRule.parse(r));

  it('parses with the documented fields and types only', () => {
    expect(rules).toHaveLength(1);
  });

  it('reads fields that the alert mapping has: the override and mapping fields, the timestamp', () => {
    const fields = fieldsByPattern.get(alertDataStream('*')) as Map<string, string>;
    const rule = rules[0] as z.infer<typeof queryRule>;
    expect(rule.index).toEqual([alertDataStream('*')]);
    expect(fields.get(rule.timestamp_override)).toBe('date');
    expect(rule.timestamp_override).toBe('event.ingested');
    expect(fields.get('event.severity')).toBe('long');
    for (const m of [...rule.severity_mapping, ...rule.risk_score_mapping])
      expect(AGGREGATABLE.has(fields.get(m.field) ?? ''), m.field).toBe(true);
    expect(fields.has(rule.rule_name_override)).toBe(true);
    for (const q of rule.query.matchAll(/([a-z_.]+):/g))
      expect(fields.get(q[1] as string), q[1]).toBe('keyword');
  });
});
