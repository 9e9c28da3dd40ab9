/**
 * The unit the generator produces: one raw vendor record, with its event time, its arrival time
 * (ingestion lag: files are written in arrival order) and where it goes. The `event.id`s and
 * `token.id`s of a record are computed from the raw fields with ids.ts, exactly as the ingestors do.
 */
import {
  type GwsActivityLike,
  githubEventId,
  githubTokenId,
  googleEventId,
  googleTokenId,
  salesforceElfEventId,
  salesforceElfTokenId,
  salesforceRtemEventId,
  salesforceRtemTokenId,
} from './ids.js';

export const ELF_EVENT_TYPES = ['Login', 'Logout', 'API', 'RestApi', 'BulkApi', 'ReportExport'] as const;
export type ElfEventType = (typeof ELF_EVENT_TYPES)[number];

export const RTEM_OBJECTS = [
  'LoginEvent',
  'LogoutEvent',
  'ApiEvent',
  'BulkApiResultEvent',
  'ReportEvent',
] as const;
export type RtemObject = (typeof RTEM_OBJECTS)[number];

export const GWS_APPS = ['login', 'token', 'admin', 'drive'] as const;
export type GwsApp = (typeof GWS_APPS)[number];

/** A Google Workspace activity (Reports API `items[]` element). */
export interface GwsActivity extends GwsActivityLike {
  kind: 'admin#reports#activity';
  id: { time: string; uniqueQualifier: string; applicationName: string; customerId: string };
  etag: string;
  actor: {
    email?: string;
    profileId?: string;
    callerType?: string;
    key?: string;
    applicationInfo?: { oauthClientId?: string; applicationName?: string; impersonation?: boolean };
  };
  ipAddress?: string;
  networkInfo?: { ipAsn: number[]; regionCode: string };
  events: Array<{ type: string; name: string; parameters?: GwsParameter[] }>;
}

/** One typed Reports API parameter. */
export interface GwsParameter {
  name: string;
  value?: string;
  intValue?: string;
  boolValue?: boolean;
  multiValue?: string[];
}

interface Base {
  /** Event time, epoch ms. */
  t: number;
  /** When the record reaches the output (>= t). */
  arrival: number;
  tenant: number;
}

export type Emitted =
  | (Base & { source: 'github'; rec: Record<string, unknown> })
  | (Base & { source: 'google_workspace'; app: GwsApp; rec: GwsActivity })
  | (Base & { source: 'salesforce'; channel: 'elf'; eventType: ElfEventType; row: Record<string, string> })
  | (Base & { source: 'salesforce'; channel: 'rtem'; object: RtemObject; rec: Record<string, unknown> });

/** `event.id`s of a record (a Workspace activity can hold several events). */
export function eventIdsOf(e: Emitted): string[] {
  switch (e.source) {
    case 'github':
      return [githubEventId(e.rec)];
    case 'google_workspace':
      return e.rec.events.map((_, i) => googleEventId(e.rec, i));
    default:
      return e.channel === 'elf' ? [salesforceElfEventId(e.row)] : [salesforceRtemEventId(e.object, e.rec)];
  }
}

/** `token.id`s of a record (one per event). */
export function tokenIdsOf(e: Emitted): string[] {
  switch (e.source) {
    case 'github':
      return [githubTokenId(e.rec)];
    case 'google_workspace':
      return e.rec.events.map((_, i) => googleTokenId(e.rec, i));
    default:
      return e.channel === 'elf' ? [salesforceElfTokenId(e.row)] : [salesforceRtemTokenId(e.rec)];
  }
}

/** Where generated records go. */
export interface EmitSink {
  push(e: Emitted): void;
}
