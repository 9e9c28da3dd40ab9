import type { Geo, SecretExposure } from '../../schemas/token-activity.js';
import type { EventClass, Outcome } from './mapping.js';

/**
 * What the ELF and RTEM normalizers extract from one Salesforce record, in tokenwatch terms,
 * before the shared rules (token id, token type, lifecycle, principal, ECS categories) turn it
 * into a TokenActivity. All ids are canonical 18-character ids; all optional strings are non-empty.
 */
export interface SalesforceFacts {
  /** ELF event type (`Login`, `RestApi`) or RTEM object type (`ApiEvent`). */
  eventType: string;
  /** `EventLogFile:<type>` or the RTEM object type. */
  provider: string;
  eventClass: EventClass;
  /** Deterministic event id per ingestors/IDS.md. */
  eventId: string;
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string;
  userId?: string;
  userName?: string;
  orgId?: string;
  loginKey?: string;
  sessionKey?: string;
  /** The client IP (SOURCE_IP, else CLIENT_IP, else SourceIp), canonical form. */
  sourceIp?: string;
  /** Every valid IP on the record. */
  ips: string[];
  userAgent?: string;
  connectedAppId?: string;
  /** Connected app / client name (`Application`, `CONNECTED_APP_NAME`, `CLIENT_NAME`). */
  clientName?: string;
  loginType?: string;
  /** True when the record is an OAuth token-endpoint login (`URI=/services/oauth2/token`). */
  oauthTokenEndpoint: boolean;
  /** True when the record is an API-credential login (SOAP login, API version not 9998.0). */
  apiLogin: boolean;
  apiType?: string;
  resource?: { type: string; name: string };
  rows?: number;
  bytes?: number;
  outcome: Outcome;
  /** HTTP status of the request, when logged (RestApi `STATUS_CODE`). */
  httpStatus?: number;
  /** DELEGATED_USER_* / DelegatedUsername: per Salesforce, the admin doing the Login-As. */
  delegatedUserId?: string;
  delegatedUserName?: string;
  secretExposures: SecretExposure[];
  /** The vendor operation (`METHOD_NAME`, `Operation`, `METHOD`, `OPERATION_TYPE`), for `event.action`. */
  operation?: string;
  /** `USER_TYPE` / `UserType` (ECS `user.roles`). */
  userType?: string;
  /** `TLS_PROTOCOL` / `TlsProtocol` (`TLSv1.2`, `TLS 1.3`) and `CIPHER_SUITE` / `CipherSuite`. */
  tlsProtocol?: string;
  cipherSuite?: string;
  /** ECS `event.url`: the URI path (ELF `URI`, query string dropped) or LoginEvent `LoginUrl`. */
  url?: string;
  /** HTTP method (`HttpMethod`, `METHOD`, `HTTP_METHOD`, `REQUEST_METHOD`). */
  httpMethod?: string;
  /** RTEM `CreatedDate` (ECS `event.created`), ISO 8601. */
  created?: string;
  /** Geo the vendor sent (LoginEvent `City`, `Country`, `CountryIso`, `LoginLatitude`, ...). */
  vendorGeo?: Geo;
  /** RTEM `Platform` (ECS `user_agent.os.name`). */
  platform?: string;
}
