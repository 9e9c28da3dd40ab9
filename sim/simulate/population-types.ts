/**
 * Types of the synthetic population: tenants (organizations), people, service accounts and
 * every credential (tokens, OAuth grants, sessions) they use.
 */
import type { ConnectedAppDef, GithubAppDef, GithubOAuthApp, GoogleClientDef } from './catalog.js';
import type { CloudProvider } from './cloud-ranges.js';
import type { GeoCity } from './geo-table.js';
import type { NetAddress } from './geography.js';
import type { Device } from './user-agents.js';

/** A GitHub repository of a tenant's org. */
export interface Repo {
  name: string;
  /** `org/name` */
  full: string;
  id: number;
  isPublic: boolean;
  /** Infrastructure repos (terraform, helm...): targets of S5. */
  infra: boolean;
}

/** A Salesforce user. */
export interface SfUser {
  id15: string;
  id18: string;
  username: string;
  kind: 'human' | 'integration';
}

/** A trip abroad (N2): away from `depart` (day index) until `ret` (day index, home again). */
export interface Trip {
  depart: number;
  ret: number;
  dest: GeoCity;
}

export type PersonRole = 'dev' | 'sales' | 'ops';

/** A person (or the S7 test account) of a tenant. */
export interface Person {
  idx: number;
  tenant: number;
  name: string;
  login: string;
  email: string;
  githubId: number;
  profileId: string;
  role: PersonRole;
  gwsAdmin: boolean;
  sfAdmin: boolean;
  sfUser: SfUser | null;
  home: GeoCity;
  /** Address key of the home connection; `homeKey2` from `homeChangeDay` (ISP re-assignment). */
  homeKey: number;
  homeKey2: number;
  homeChangeDay: number | null;
  officeGoer: boolean;
  /** Local working day start (hours) and length. */
  workStart: number;
  workLen: number;
  devices: Device[];
  /** Day index of joining (0 = already there when the span starts). */
  hireDay: number;
  /** Day index of leaving (S12's leaver: no benign work from that day on); absent = stays. */
  leaveDay?: number;
  trips: Trip[];
  /** Indices into the tenant's repos this person works on. */
  repos: number[];
  /** Credential indices owned by this person. */
  creds: number[];
  /** The dormant non-MFA test account of S7 (no benign activity). */
  testAccount: boolean;
}

export type CredKind =
  | 'gh_session'
  | 'gh_pat_classic'
  | 'gh_pat_fine'
  | 'gh_oauth'
  | 'gh_app'
  | 'gh_bot_pat'
  | 'gh_service_pat'
  | 'gws_session'
  | 'gws_grant'
  | 'gws_dwd'
  | 'sf_session'
  | 'sf_grant';

/** One credential: a token, an OAuth grant, a DWD client or a session identity. */
export interface Credential {
  idx: number;
  kind: CredKind;
  source: 'github' | 'google_workspace' | 'salesforce';
  tenant: number;
  /** Owning person, or null for service accounts and apps. */
  owner: number | null;
  /** Human-readable description (`PAT of avanguyen`). */
  label: string;
  /** `token.id` per ingestors/IDS.md. */
  tokenId: string;
  /** epoch ms from which the credential exists. */
  validFrom: number;
  /** epoch ms at which it was revoked/destroyed (null: still valid at the end). */
  validTo: number | null;
  createdBy: 'before' | 'rotation' | 'hire' | 'attack' | 'service';
  /** Rotation chain: credentials of one workload share it. */
  chain?: number;
  // GitHub
  raw?: string;
  hashed?: string;
  ghTokenId?: number;
  accessType?: string;
  scopes?: string[];
  oauthApp?: GithubOAuthApp;
  fgName?: string;
  fgId?: number;
  app?: GithubAppDef;
  /** Actor login/id for service credentials (bot users). */
  actorLogin?: string;
  actorId?: number;
  // Google
  client?: GoogleClientDef;
  email?: string;
  // Salesforce
  sfUser?: SfUser;
  connectedApp?: ConnectedAppDef;
  connectedAppId?: string;
}

/** A CI bot user with a classic PAT running on a schedule from cloud runners (N1 migrates it). */
export interface CiBot {
  login: string;
  userId: number;
  cred: number;
  repos: number[];
  provider: CloudProvider;
  region: string;
  /** Day the runners move to `newRegion` (N1), or null. */
  migrateDay: number | null;
  newRegion: string;
  /** Minutes between runs. */
  periodMin: number;
  phase: number;
}

/** Service accounts, apps and integrations of a tenant. */
export interface TenantServices {
  ciBots: CiBot[];
  renovate: number;
  jira: number;
  deploy: { login: string; userId: number; cred: number; dormantFrom: number | null };
  drift: { user: SfUser; cred: number; session: number };
  etl: { user: SfUser; cred: number; ips: NetAddress[] };
  fivetran: { user: SfUser; cred: number; session: number };
  sigsync: number;
  legacyApp: number;
  serviceMailboxes: string[];
  connectedAppIds: Record<string, string>;
}

/** An organization (tenant). */
export interface Tenant {
  idx: number;
  slug: string;
  name: string;
  domain: string;
  hq: GeoCity;
  office: NetAddress[];
  github: { org: string; orgId: number; business: string; businessId: number; repos: Repo[] };
  gws: { customerId: string };
  sf: { orgId15: string; monitoring: 'elf' | 'rtem'; apiVersion: string };
  /** N3: day the corporate SDP goes live for everyone (null: never). */
  vpnRolloutDay: number | null;
  people: number[];
  svc: TenantServices;
}

/** The whole simulated world. */
export interface Population {
  seed: number;
  start: number;
  end: number;
  days: number;
  volume: number;
  tenants: Tenant[];
  people: Person[];
  creds: Credential[];
  notes: string[];
  /** People an incident already uses as victim or actor (set by planIncidents; scenarios leave them be). */
  incidentPeople?: Set<number>;
  /** Simulate the world's noise (noise.ts; the `realistic` preset). */
  noise?: boolean;
}
