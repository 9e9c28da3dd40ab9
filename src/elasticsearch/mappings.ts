/**
 * Explicit Elasticsearch mappings for the documents tokenwatch writes (schemas/alert.ts,
 * schemas/token-activity.ts, the token inventory). `dynamic: false`: a field not listed here is
 * kept in `_source` but not indexed, so a schema addition never causes a mapping explosion or a
 * type conflict. Only core field types are used (keyword, text, date, long, float, double, ip,
 * geo_point, boolean, object) plus `constant_keyword` for `data_stream.*`, which callers swap for
 * `keyword` on clusters without the x-pack mapper (see templates.ts).
 */

type Mapping = Record<string, unknown>;
type Properties = Record<string, Mapping>;

const keyword: Mapping = { type: 'keyword', ignore_above: 1024 };
const text: Mapping = { type: 'text' };
const date: Mapping = { type: 'date' };
const long: Mapping = { type: 'long' };
const float: Mapping = { type: 'float' };
const double: Mapping = { type: 'double' };
const ip: Mapping = { type: 'ip' };

const obj = (properties: Properties): Mapping => ({ properties });
const keywords = (...names: string[]): Properties => Object.fromEntries(names.map((n) => [n, keyword]));

/** The `data_stream.*` fields; `type` is `constant_keyword` or `keyword`. */
function dataStreamFields(constantType: 'constant_keyword' | 'keyword'): Mapping {
  const f: Mapping = { type: constantType };
  return obj({ type: f, dataset: f, namespace: f });
}

const geo: Mapping = obj({
  ...keywords('country_iso_code', 'city_name', 'region_iso_code', 'timezone'),
  location: { type: 'geo_point' },
});

const user: Mapping = obj(keywords('id', 'name', 'email', 'domain'));

const common: Properties = {
  '@timestamp': date,
  message: text,
  tags: keyword,
  ecs: obj(keywords('version')),
  user,
  // source.as.*: ECS autonomous system fields (schemas/token-activity.ts network contract).
  source: obj({ ip, geo, as: obj({ number: long, organization: obj(keywords('name')) }) }),
  user_agent: obj({
    original: keyword,
    name: keyword,
    version: keyword,
    os: obj(keywords('name')),
  }),
  organization: obj(keywords('id', 'name')),
  related: obj({ ip, user: keyword, hash: keyword }),
};

/** Mappings of `logs-tokenwatch.alert-*` (schemas/alert.ts). */
export function alertMappings(constantType: 'constant_keyword' | 'keyword'): Mapping {
  return {
    dynamic: false,
    properties: {
      ...common,
      data_stream: dataStreamFields(constantType),
      event: obj({
        ...keywords('id', 'kind', 'module', 'dataset', 'category', 'type', 'action', 'outcome', 'provider'),
        severity: long,
        risk_score: float,
        risk_score_norm: float,
        reason: keyword,
        start: date,
        end: date,
        created: date,
        ingested: date,
      }),
      rule: obj(
        keywords(
          'id',
          'uuid',
          'name',
          'description',
          'version',
          'category',
          'ruleset',
          'author',
          'license',
          'reference',
        ),
      ),
      threat: obj({
        framework: keyword,
        tactic: obj(keywords('id', 'name', 'reference')),
        technique: obj(keywords('id', 'name', 'reference')),
      }),
      service: obj(keywords('name')),
      observer: obj(keywords('vendor', 'product')),
      tokenwatch: obj({
        token: obj({
          ...keywords('id', 'type', 'key_kind', 'scopes', 'owner'),
          client: obj(keywords('id', 'name')),
        }),
        entity: keyword,
        explanation: obj({
          ...keywords('feature', 'observed', 'expected', 'baseline_entity', 'maturity', 'window'),
          baseline_p50: double,
          baseline_p99: double,
          zscore: double,
          history_days: double,
          history_events: long,
        }),
        evidence: obj({ event_ids: keyword, count: long }),
        dedup_key: keyword,
        suppressed_count: long,
        false_positives: keyword,
        runbook: { type: 'keyword', index: false },
      }),
    },
  };
}

/** Mappings of `logs-tokenwatch.activity-*` (schemas/token-activity.ts). */
export function activityMappings(constantType: 'constant_keyword' | 'keyword'): Mapping {
  return {
    dynamic: false,
    properties: {
      ...common,
      data_stream: dataStreamFields(constantType),
      event: obj({
        ...keywords('id', 'kind', 'category', 'type', 'action', 'outcome', 'module', 'dataset', 'provider'),
        ingested: date,
      }),
      token: obj({
        ...keywords('id', 'key_kind', 'type', 'scopes', 'lifecycle', 'principal'),
        client: obj(keywords('id', 'name')),
        owner: obj(keywords('id', 'name', 'email')),
      }),
      tokenwatch: obj({
        resource: obj(keywords('type', 'name')),
        volume: obj({ rows: double, bytes: double, items: double }),
        ...keywords('api_type', 'session_id', 'impersonated_user'),
        // tokenwatch.network.*: the enrichment's network stance (schemas/token-activity.ts), so an
        // analyst can filter activity by class (cloud, hosting, vpn, mobile...) and VPN kind.
        network: obj({
          ...keywords(
            'ip_prefix',
            'cloud_provider',
            'class',
            'vpn_kind',
            'vpn_provider',
            'geo_precision',
            'geo_source',
          ),
          geo_accuracy_km: double,
        }),
        secret_exposures: obj(keywords('kind', 'field', 'fingerprint')),
      }),
    },
  };
}

/** Mappings of the token inventory index `tokenwatch-tokens-*` (see inventory.ts). */
export function tokenInventoryMappings(): Mapping {
  return {
    dynamic: false,
    properties: {
      '@timestamp': date,
      token: obj({
        ...keywords('id', 'key_kind', 'type', 'scopes', 'principal', 'source'),
        owner: obj(keywords('id', 'name', 'email')),
        client: obj(keywords('id', 'name')),
      }),
      tokenwatch: obj({
        inventory: obj({
          first_seen: date,
          last_seen: date,
          updated_at: date,
          days_idle: double,
          max_idle_days: double,
          event_count: long,
          maturity: keyword,
          revoked_at: date,
          created_at: date,
          authorized_at: date,
          expired_at: date,
          last_used: date,
          scopes_used: obj({ scope: keyword, last_used: date }),
          ...keywords('scopes_used_30d', 'scopes_used_90d', 'org', 'last_city', 'last_network'),
          last_user_agent: { type: 'keyword', ignore_above: 1024 },
          last_ip: ip,
          last_country: keyword,
          open_alert_count: long,
          alert_ids: keyword,
          last_alert_at: date,
          alert_actions: keyword,
          max_severity: long,
        }),
      }),
    },
  };
}

/** Mappings of the identities index `tokenwatch-identities-*` (offboardings, email links; see identities.ts). */
export function identitiesMappings(): Mapping {
  return {
    dynamic: false,
    properties: {
      '@timestamp': date,
      identity: obj(keywords('doc_id', 'kind', 'key', 'email')),
      offboarding: obj(keywords('action', 'source', 'by', 'subject')),
    },
  };
}
