import { z } from 'zod';

/**
 * The common token-activity record: one record per use or lifecycle change of a credential,
 * produced by every ingestor from GitHub audit log events, Google Workspace Reports API
 * activities and Salesforce Event Monitoring rows.
 *
 * Field names follow ECS 9.x (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html)
 * wherever ECS has a field (`@timestamp`, `event.*`, `user.*`, `source.*`, `user_agent.*`,
 * `organization.*`, `related.*`). ECS has no token or OAuth-app fields, so the credential lives in
 * the `token` object and the rest of what tokenwatch needs (resource touched, data volume) in
 * `tokenwatch.*`.
 */

/** The three supported audit-log sources (`event.module`). */
export const SOURCES = ['github', 'google_workspace', 'salesforce'] as const;
export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

/**
 * What kind of key `token.id` is built from:
 * - `token_hash`: an exact per-token hash (GitHub `hashed_token`),
 * - `token_id`: the vendor's numeric token id when no hash is logged (GitHub `token_id`),
 * - `oauth_grant`: user x OAuth client (Google Workspace has no per-token id),
 * - `session`: a session key (Salesforce `SESSION_KEY`/`LOGIN_KEY`),
 * - `app_installation`: a GitHub App installation (its tokens rotate hourly; the installation is stable),
 * - `principal`: no credential id at all; the principal plus client stands in (web session, API key user).
 */
export const TOKEN_KEY_KINDS = [
  'token_hash',
  'token_id',
  'oauth_grant',
  'session',
  'app_installation',
  'principal',
] as const;
export const tokenKeyKindSchema = z.enum(TOKEN_KEY_KINDS);
export type TokenKeyKind = z.infer<typeof tokenKeyKindSchema>;

/** Credential type, normalized across vendors. */
export const TOKEN_TYPES = [
  'oauth_access_token',
  'pat_classic',
  'pat_fine_grained',
  'github_app_installation',
  'github_app_user',
  'api_key',
  'session',
  'ssh_key',
  'deploy_key',
  'service_account',
  'unknown',
] as const;
export const tokenTypeSchema = z.enum(TOKEN_TYPES);
export type TokenType = z.infer<typeof tokenTypeSchema>;

/** Vendor-neutral admin actions on an account (`tokenwatch.admin_action`); all of these offboard it. */
export const ADMIN_ACTIONS = [
  'user_suspended',
  'user_deleted',
  'user_archived',
  'member_removed',
  'user_deactivated',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** What happened to the credential in this record (semantics per source: ingestors/IDS.md, "Lifecycle semantics"). */
export const TOKEN_LIFECYCLE = [
  'created',
  'authorized',
  'used',
  'refreshed',
  'scope_changed',
  'revoked',
  'expired',
] as const;
export const tokenLifecycleSchema = z.enum(TOKEN_LIFECYCLE);
export type TokenLifecycle = z.infer<typeof tokenLifecycleSchema>;

/** Network classes of {@link tokenActivitySchema} `tokenwatch.network.class`. */
export const NETWORK_CLASSES = [
  'corporate',
  'cloud',
  'hosting',
  'vpn',
  'tor',
  'mobile',
  'private',
  'residential',
] as const;
export type NetworkClass = (typeof NETWORK_CLASSES)[number];
/**
 * Kinds of `vpn` egress ({@link tokenActivitySchema} `tokenwatch.network.vpn_kind`):
 * `enterprise_gateway` (a secure web gateway, SDP or SASE egress an organization routes its
 * managed devices through: Zscaler, Netskope, Cisco Umbrella, Cloudflare Zero Trust, Prisma
 * Access...), `consumer` (a VPN service anyone can buy: NordVPN, Mullvad, Proton VPN...), `relay`
 * (a privacy relay built into an OS or browser: iCloud Private Relay).
 */
export const VPN_KINDS = ['enterprise_gateway', 'consumer', 'relay'] as const;
export type VpnKind = (typeof VPN_KINDS)[number];
/** Precision of a geolocation: see `tokenwatch.network.geo_precision`. */
export const GEO_PRECISIONS = ['city', 'region', 'country', 'none'] as const;
export type GeoPrecision = (typeof GEO_PRECISIONS)[number];

const geoSchema = z.object({
  country_iso_code: z.string().length(2).optional(),
  country_name: z.string().optional(),
  city_name: z.string().optional(),
  region_iso_code: z.string().optional(),
  region_name: z.string().optional(),
  postal_code: z.string().optional(),
  timezone: z.string().optional(),
  /** ECS geo_point as `{lat, lon}` in degrees. */
  location: z.object({ lat: z.number(), lon: z.number() }).optional(),
});
export type Geo = z.infer<typeof geoSchema>;

/**
 * A secret found inside a raw record and redacted before anything was stored: a leaked
 * credential in a log is an incident of its own. `fingerprint` is a SHA-256 prefix of the secret,
 * never the secret.
 */
export const secretExposureSchema = z.object({
  kind: z.string(),
  field: z.string(),
  fingerprint: z.string(),
});
export type SecretExposure = z.infer<typeof secretExposureSchema>;

export const tokenActivitySchema = z.object({
  /** Event time, ISO 8601 UTC with milliseconds (`2025-08-08T14:03:11.120Z`). */
  '@timestamp': z.string().datetime({ offset: false }),
  event: z.object({
    /** Deterministic id: the vendor id where one exists, else a hash of the identifying fields. */
    id: z.string().min(1),
    kind: z.literal('event'),
    /** ECS categories: `api`, `authentication`, `iam`, `session`, `configuration`, `file`, `web`. */
    category: z.array(z.string()),
    /** ECS types: `access`, `creation`, `deletion`, `change`, `info`, `start`, `end`, `denied`. */
    type: z.array(z.string()),
    /** The vendor's own event name (`git.clone`, `authorize`, `ApiEvent`, `Login`...). */
    action: z.string().min(1),
    outcome: z.enum(['success', 'failure', 'unknown']),
    module: sourceSchema,
    /** `github.audit`, `google_workspace.token`, `salesforce.apievent`, ... */
    dataset: z.string(),
    /** The vendor log family the record came from (`EventLogFile:BulkApi`, `reports:drive`). */
    provider: z.string().optional(),
    /** ECS `event.url`: the URL or URI the event is about (Salesforce `URI`, `LoginUrl`). */
    url: z.string().optional(),
    /** ECS `event.created`: when the vendor created the record (Salesforce `CreatedDate`), ISO 8601. */
    created: z.string().optional(),
    /** When tokenwatch normalized the record (ISO 8601). Not part of golden files. */
    ingested: z.string().optional(),
  }),
  /** The acting principal (for token use: the token owner). */
  user: z.object({
    id: z.string().optional(),
    name: z.string().optional(),
    email: z.string().optional(),
    domain: z.string().optional(),
    /** ECS `user.roles` (Salesforce `USER_TYPE` / `UserType`). */
    roles: z.array(z.string()).optional(),
    /**
     * ECS `user.target.*`: the user an admin action is about (Workspace admin `USER_EMAIL`, GitHub
     * `user` on `org.add_member` / `remove_member`..., Salesforce Login-As target).
     */
    target: z
      .object({
        id: z.string().optional(),
        name: z.string().optional(),
        email: z.string().optional(),
        domain: z.string().optional(),
        group: z.object({ name: z.string().optional() }).optional(),
      })
      .optional(),
  }),
  /** ECS `group.name`: the group (GitHub organization / team) an `org.*` / `team.*` action changes. */
  group: z.object({ name: z.string().optional() }).optional(),
  /**
   * ECS `client.*`: the vendor's own view of the client side, as Elastic's GitHub integration
   * maps `actor_location.country_code` to `client.geo.country_iso_code`.
   */
  client: z.object({ geo: geoSchema.optional() }).optional(),
  /** ECS `http.*` (GitHub `request_method` / `status_code`, Salesforce `HttpMethod`). */
  http: z
    .object({
      request: z.object({ method: z.string().optional() }).optional(),
      response: z.object({ status_code: z.number().int().optional() }).optional(),
    })
    .optional(),
  /** ECS `tls.*` (Salesforce `TLS_PROTOCOL` / `TlsProtocol`, `CIPHER_SUITE` / `CipherSuite`). */
  tls: z
    .object({
      /** `1.2`, `1.3`. */
      version: z.string().optional(),
      /** `tls`, `ssl`. */
      version_protocol: z.string().optional(),
      cipher: z.string().optional(),
    })
    .optional(),
  source: z
    .object({
      ip: z.string().optional(),
      geo: geoSchema.optional(),
      /** ECS `source.user.*` (Google Workspace: the actor, as Elastic's integration sets it). */
      user: z
        .object({
          id: z.string().optional(),
          name: z.string().optional(),
          email: z.string().optional(),
          domain: z.string().optional(),
        })
        .optional(),
      /** ECS `source.as.*`: autonomous system of `source.ip` (vendor-provided when sent, else the bundled ASN database). */
      as: z
        .object({
          number: z.number().int().nonnegative().optional(),
          organization: z.object({ name: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  user_agent: z
    .object({
      original: z.string(),
      /** Family without version, e.g. `git`, `Chrome`, `python-requests`. */
      name: z.string().optional(),
      version: z.string().optional(),
      /** ECS `user_agent.os.*`: `Mac OS X`, `10.15.7`, `Mac OS X 10.15.7` (or the vendor's `Platform`). */
      os: z
        .object({ name: z.string().optional(), version: z.string().optional(), full: z.string().optional() })
        .optional(),
      /** ECS `user_agent.device.name` (`Mac`, `iPhone`, `Other`). */
      device: z.object({ name: z.string().optional() }).optional(),
    })
    .optional(),
  organization: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  related: z.object({
    ip: z.array(z.string()),
    user: z.array(z.string()),
    hash: z.array(z.string()),
    /** ECS `related.hosts` (the user's email domain for Google Workspace, as Elastic sets it). */
    hosts: z.array(z.string()).optional(),
  }),
  token: z.object({
    /** Stable entity id, never a raw secret: `github:hash:<hashed_token>`, `google_workspace:grant:<user>:<client>`. */
    id: z.string().min(1),
    key_kind: tokenKeyKindSchema,
    type: tokenTypeSchema,
    /** Scopes as an array (GitHub `token_scopes` split on commas; Google `scope` multiValue). */
    scopes: z.array(z.string()),
    client: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
    lifecycle: tokenLifecycleSchema,
    owner: z.object({ id: z.string().optional(), name: z.string().optional(), email: z.string().optional() }),
    principal: z.enum(['human', 'machine']),
    /** The vendor's own id of the credential (GitHub `token_id`). */
    vendor_id: z.string().optional(),
    /** The credential's name (GitHub `user_programmatic_access_name`: a fine-grained PAT's name). */
    name: z.string().optional(),
    /** The vendor's wording of the credential type (GitHub `programmatic_access_type`). */
    access_type: z.string().optional(),
  }),
  tokenwatch: z.object({
    /** The object acted on: a repository, Salesforce sObject, Drive file, mailbox, app. */
    resource: z.object({ type: z.string(), name: z.string() }).optional(),
    /** Data volume of this record; `rows` (Salesforce), `bytes`, `items` (files, repos). */
    volume: z
      .object({
        rows: z.number().nonnegative().optional(),
        bytes: z.number().nonnegative().optional(),
        items: z.number().nonnegative().optional(),
      })
      .optional(),
    /** Salesforce API family (`REST`, `SOAP`, `Bulk`, `Bulk2`), GitHub `request_category`. */
    api_type: z.string().optional(),
    /** Templated API route of the request (GitHub `route`: `/repos/{owner}/{repo}/pulls`). */
    route: z.string().optional(),
    /** Session identifier, for session-continuity checks (Salesforce `LOGIN_KEY`), hashed. */
    session_id: z.string().optional(),
    /** Set when the record is an impersonated (domain-wide delegation) access. */
    impersonated_user: z.string().optional(),
    /**
     * What an admin event did to the account in `user.target`, vendor-neutral (admin-facts.ts):
     * `user_suspended`, `user_deleted`, `user_archived` (Workspace), `member_removed` (GitHub org or
     * enterprise), `user_deactivated` (Salesforce).
     */
    admin_action: z.enum(ADMIN_ACTIONS).optional(),
    /** Network context added by enrichment: the /24 (IPv4) or /64 (IPv6) prefix and cloud egress. */
    network: z
      .object({
        ip_prefix: z.string().optional(),
        /** Set when `source.ip` is in a known cloud provider range (`aws`, `gcp`, `azure`...). */
        cloud_provider: z.string().optional(),
        /**
         * Class of network `source.ip` belongs to, each with its own treatment in the network
         * detectors (detectors/network-stance.ts): `corporate` (config `corporateCidrs`), `cloud`
         * (hyperscalers' published ranges, config `extraCloudCidrs`), `hosting` (rented VPS /
         * dedicated-server providers' ranges and hosting ASNs), `vpn` (VPN / SDP egress), `tor` (exit node), `mobile` (carrier /
         * CGNAT pool), `private` (RFC 1918 / ULA / loopback), `residential` (anything else known).
         */
        class: z.enum(NETWORK_CLASSES).optional(),
        /**
         * For class `vpn`: which kind of VPN egress (`enterprise_gateway`, `consumer`, `relay`, see
         * {@link VPN_KINDS}), from the provider range file or the AS entry that classified it.
         */
        vpn_kind: z.enum(VPN_KINDS).optional(),
        /**
         * For class `vpn`: the operator (`zscaler`, `netskope`, `mullvad`...), the provider id of
         * the range file or AS entry that classified it; one operator may announce several ASNs.
         */
        vpn_provider: z.string().optional(),
        /**
         * How precise `source.geo` is: `city` (a city with `geo_accuracy_km`), `region`, `country`
         * (country only: never use its centroid as a point), `none` (no geo).
         */
        geo_precision: z.enum(GEO_PRECISIONS).optional(),
        /** Radius of the GeoIP uncertainty circle around `source.geo.location`, km. */
        geo_accuracy_km: z.number().nonnegative().optional(),
        /**
         * `vendor` when `source.geo` came with the record (Salesforce LoginEvent `City` / `Country`
         * / `LoginLatitude`): enrichment keeps it instead of replacing it by a GeoIP lookup.
         */
        geo_source: z.enum(['vendor', 'geoip']).optional(),
      })
      .optional(),
    /** Secrets that were found in the raw record and redacted. */
    secret_exposures: z.array(secretExposureSchema).optional(),
  }),
});

/** One normalized token-activity record; see {@link tokenActivitySchema}. */
export type TokenActivity = z.infer<typeof tokenActivitySchema>;
