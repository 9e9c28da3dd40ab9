import { SOURCES } from '../../schemas/token-activity.js';
import { HYGIENE_FLAGS } from '../inventory/hygiene.js';
import { ALERT_STATUSES, TRIAGE_STATUSES } from './types.js';

/**
 * JSON schemas of the API routes: fastify validates requests with them and `@fastify/swagger`
 * builds the OpenAPI document from them. Response objects allow additional properties (the
 * documented ones are the contract; more may be added).
 */
const str = { type: 'string' } as const;
const strArray = { type: 'array', items: str } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

export const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: str, message: str },
  additionalProperties: true,
} as const;

export const triageSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: [...TRIAGE_STATUSES] }, note: str, by: str, at: dateTime },
  additionalProperties: true,
} as const;

export const alertViewSchema = {
  type: 'object',
  required: ['id', 'timestamp', 'severity', 'detector', 'message', 'token_id', 'status'],
  properties: {
    id: str,
    timestamp: dateTime,
    recorded_at: dateTime,
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    severity_score: { type: 'integer' },
    detector: str,
    message: str,
    token_id: str,
    owner: str,
    source_ip: str,
    country: str,
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    triage: triageSchema,
    suppressed_by: str,
  },
  additionalProperties: true,
} as const;

export const inventoryRowSchema = {
  type: 'object',
  required: ['id', 'source', 'type', 'owner', 'state', 'flags'],
  properties: {
    id: str,
    source: str,
    type: str,
    key_kind: str,
    owner: str,
    owner_email: str,
    principal: { type: 'string', enum: ['human', 'machine'] },
    app: str,
    app_id: str,
    org: str,
    created: dateTime,
    first_seen: dateTime,
    last_seen: dateTime,
    last_used: dateTime,
    idle_days: { type: 'integer' },
    age_days: { type: 'integer' },
    last_ip: str,
    last_country: str,
    last_city: str,
    last_network: str,
    last_user_agent: str,
    scopes_granted: strArray,
    scopes_used_30d: strArray,
    scopes_used_90d: strArray,
    scopes_unused: strArray,
    state: { type: 'string', enum: ['live', 'revoked', 'expired', 'owner_offboarded'] },
    offboarding: { type: 'object', additionalProperties: true },
    app_vetting: { type: 'string', enum: ['approved', 'unvetted', 'revoked', 'expired'] },
    flags: { type: 'array', items: { type: 'string', enum: [...HYGIENE_FLAGS] } },
    reasons: { type: 'object', additionalProperties: str },
    events: { type: 'integer' },
    alert_count: { type: 'integer' },
    max_severity: { type: 'integer' },
    as_of: dateTime,
  },
  additionalProperties: true,
} as const;

export const suppressionSchema = {
  type: 'object',
  required: ['id', 'created_at', 'expires_at', 'reason'],
  properties: {
    id: str,
    created_at: dateTime,
    created_by: str,
    expires_at: dateTime,
    reason: str,
    detector: str,
    token: str,
    owner: str,
    source_ip: str,
  },
  additionalProperties: true,
} as const;

export const appEntrySchema = {
  type: 'object',
  required: ['source', 'client_id', 'status', 'approved_by', 'approved_at', 'scopes'],
  properties: {
    source: { type: 'string', enum: [...SOURCES] },
    client_id: str,
    name: str,
    status: { type: 'string', enum: ['approved', 'revoked'] },
    approved_by: str,
    approved_at: dateTime,
    scopes: strArray,
    expires_at: dateTime,
    note: str,
    revoked_by: str,
    revoked_at: dateTime,
  },
  additionalProperties: true,
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export const alertsQuery = {
  type: 'object',
  properties: {
    severity: { type: 'string', description: 'comma-separated: low, medium, high, critical', maxLength: 64 },
    detector: { type: 'string', maxLength: 256 },
    token: { type: 'string', maxLength: 1024 },
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    from: { ...dateTime, description: 'alerts at or after (@timestamp)' },
    to: { ...dateTime, description: 'alerts before (@timestamp)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 2048, description: 'next_cursor of the previous page' },
  },
  additionalProperties: false,
} as const;

export const tokensQuery = {
  type: 'object',
  properties: {
    flag: { type: 'string', enum: [...HYGIENE_FLAGS] },
    source: { type: 'string', enum: [...SOURCES] },
    owner: { type: 'string', maxLength: 512 },
    app: { type: 'string', maxLength: 512 },
    state: { type: 'string', enum: ['live', 'revoked', 'expired', 'owner_offboarded'] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;

export const statusBody = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: [...TRIAGE_STATUSES] },
    note: { type: 'string', maxLength: 4000, default: '' },
  },
  additionalProperties: false,
} as const;

export const suppressionBody = {
  type: 'object',
  required: ['reason', 'expires_at'],
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    expires_at: dateTime,
    detector: { type: 'string', maxLength: 256 },
    token: { type: 'string', maxLength: 1024 },
    owner: { type: 'string', maxLength: 512 },
    source_ip: { type: 'string', maxLength: 64 },
  },
  additionalProperties: false,
} as const;

export const approveBody = {
  type: 'object',
  required: ['source', 'client_id'],
  properties: {
    source: { type: 'string', enum: [...SOURCES] },
    client_id: { type: 'string', minLength: 1, maxLength: 512 },
    name: { type: 'string', maxLength: 512 },
    scopes: { type: 'array', items: { type: 'string', maxLength: 512 }, maxItems: 200 },
    expires_at: dateTime,
    note: { type: 'string', maxLength: 2000 },
  },
  additionalProperties: false,
} as const;

export const revokeBody = {
  type: 'object',
  required: ['source', 'client_id'],
  properties: {
    source: { type: 'string', enum: [...SOURCES] },
    client_id: { type: 'string', minLength: 1, maxLength: 512 },
  },
  additionalProperties: false,
} as const;
