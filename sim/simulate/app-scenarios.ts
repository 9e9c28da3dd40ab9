/**
 * App vetting and offboarding scenarios (issue 10): S11 a consent-phishing wave (many people of
 * one organization authorize a never-seen app with mail and Drive scopes within minutes, then the
 * attacker's server reads their mail), S12 a leaver whose token keeps working (a Workspace admin
 * suspends a person; the OAuth grant of an app they used keeps being used by the app for days),
 * and the look-alike N13, an approved company-wide rollout (an admin approves an app in the app
 * registry, then everyone authorizes it within the hour and the app's servers use the grants).
 *
 * Shapes follow the Admin SDK Reports API: token events `authorize` / `activity`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token) and the admin
 * user-settings event `SUSPEND_USER` with `USER_EMAIL`
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-user-settings).
 */

import { type AttackInput, type AttackOutput, dayIndex, scaled } from './attack-types.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './calendar.js';
import type { Emitted } from './emitted.js';
import { cloudAddress, hostileAddress, type NetAddress } from './geography.js';
import { ids } from './ids-helpers.js';
import type { LookalikeLabel } from './labels.js';
import { personDay } from './person-day.js';
import type { Credential, Person, Population, Tenant } from './population-types.js';
import type { Rng } from './prng.js';
import { rngFor } from './prng.js';
import { googleEmit, pInt, pMulti, pValue } from './records-google.js';

const G = 'https://www.googleapis.com/auth/';

/** One entry of the app vetting registry (`apps.json`, src/inventory/apps-registry.ts). */
export interface SimAppEntry {
  source: 'google_workspace';
  client_id: string;
  name: string;
  status: 'approved';
  approved_by: string;
  approved_at: string;
  scopes: string[];
  note: string;
}

interface GrantCall {
  t: number;
  tenant: Tenant;
  person: Person;
  clientId: string;
  appName: string;
  addr: NetAddress;
  rng: Rng;
}

function authorize(c: GrantCall & { scopes: readonly string[] }): Emitted {
  return googleEmit({
    t: c.t,
    tenant: c.tenant,
    app: 'token',
    actor: { email: c.person.email, profileId: c.person.profileId },
    addr: c.addr,
    events: [
      {
        type: 'auth',
        name: 'authorize',
        parameters: [
          pValue('client_id', c.clientId),
          pValue('app_name', c.appName),
          pValue('client_type', 'WEB'),
          pMulti('scope', [...c.scopes]),
        ],
      },
    ],
    rng: c.rng,
    lag: c.rng.int(20, 600) * 1000,
  });
}

function tokenActivity(c: GrantCall & { api: { api: string; method: string; bucket: string } }): Emitted {
  return googleEmit({
    t: c.t,
    tenant: c.tenant,
    app: 'token',
    actor: { email: c.person.email, profileId: c.person.profileId },
    addr: c.addr,
    events: [
      {
        type: 'auth',
        name: 'activity',
        parameters: [
          pValue('api_name', c.api.api),
          pValue('method_name', c.api.method),
          pValue('client_id', c.clientId),
          pInt('num_response_bytes', Math.round(c.rng.logNormal(40_000, 1))),
          pMulti('product_bucket', [c.api.bucket]),
          pValue('app_name', c.appName),
          pValue('client_type', 'WEB'),
        ],
      },
    ],
    rng: c.rng,
    lag: c.rng.int(20, 600) * 1000,
  });
}

/** People of a tenant working for it at time `t` (hired, not the S7 test account, not a leaver). */
function staffAt(pop: Population, tenant: Tenant, t: number): Person[] {
  const day = dayIndex(pop, t);
  return tenant.people
    .map((k) => pop.people[k] as Person)
    .filter((p) => !p.testAccount && p.hireDay <= day && (p.leaveDay === undefined || p.leaveDay > day));
}

const MAIL_READS = [
  { api: 'gmail', method: 'gmail.users.messages.list', bucket: 'GMAIL' },
  { api: 'gmail', method: 'gmail.users.messages.get', bucket: 'GMAIL' },
  { api: 'drive', method: 'drive.files.list', bucket: 'DRIVE' },
];

/**
 * S11: a consent-phishing wave. A lure reaches the organization; within minutes many people
 * authorize "PDF Magic Converter" (a never-seen, unvetted web client) with full mail and Drive
 * access from their own networks; the attacker's VPS then reads each victim's mail through the
 * grants. Entity: the first victim's grant.
 */
export function attackS11(inp: AttackInput): AttackOutput {
  const { rng, tenant, pop } = inp;
  const staff = rng.shuffle(staffAt(pop, tenant, inp.start));
  const victims = staff.slice(0, Math.max(3, Math.min(staff.length, scaled(14, inp.scale, 3))));
  const clientId = ids.webClientId(rng);
  const appName = 'PDF Magic Converter';
  const scopes = ['https://mail.google.com/', `${G}drive`, `${G}userinfo.email`];
  const vps = hostileAddress('vps', rng.int(0, 1000), [tenant.hq.country]);
  const events: Emitted[] = [];
  let t = inp.start;
  const day = dayIndex(pop, inp.start);
  for (const p of victims) {
    const addr = personDay(pop, p, day).addr;
    events.push(authorize({ t, tenant, person: p, clientId, appName, addr, rng, scopes }));
    for (let k = 0; k < 2; k++) {
      const at = t + rng.int(5, 90) * MINUTE_MS * inp.scale.spread;
      events.push(
        tokenActivity({
          t: at,
          tenant,
          person: p,
          clientId,
          appName,
          addr: vps,
          rng,
          api: rng.pick(MAIL_READS),
        }),
      );
    }
    t += rng.int(20, 120) * 1000 * inp.scale.spread;
  }
  const first = victims[0] as Person;
  return {
    source: 'google_workspace',
    title: `consent phishing: ${victims.length} people of ${tenant.name} authorize unvetted "${appName}" with mail and Drive scopes within ${Math.round((t - inp.start) / MINUTE_MS)} min`,
    entity: `google_workspace:grant:${first.email}:${clientId}`,
    events,
  };
}

/**
 * Plans S12: the leaver (a person with a Workspace grant of an app that works for them around the
 * clock) and the admin who suspends them. From the suspension day the leaver does no benign work
 * and their credentials end, so every later use is the scenario's.
 * @returns undefined when the tenant has no such person or no admin.
 */
export function planLeaver(
  pop: Population,
  tenant: Tenant,
  start: number,
  rng: Rng,
  taken: ReadonlySet<number>,
): { leaver: Person; admin: Person; grant: Credential } | undefined {
  const staff = staffAt(pop, tenant, start);
  const admin = staff.find((p) => p.gwsAdmin);
  if (!admin) return undefined;
  for (const p of rng.shuffle(staff.filter((q) => q !== admin && !q.gwsAdmin && !taken.has(q.idx)))) {
    const grant = p.creds
      .map((c) => pop.creds[c] as Credential)
      .find(
        (c) =>
          c.kind === 'gws_grant' && c.client?.pattern === 'always' && typeof c.client.egress === 'object',
      );
    if (!grant) continue;
    p.leaveDay = dayIndex(pop, start);
    for (const c of p.creds) {
      const cred = pop.creds[c] as Credential;
      if (cred.validTo === null || cred.validTo > start) cred.validTo = start;
    }
    return { leaver: p, admin, grant };
  }
  return undefined;
}

/**
 * S12: a leaver whose token keeps working. A Workspace admin suspends the person (`SUSPEND_USER`);
 * the app of one of their grants (e.g. a calendar or chat integration) keeps calling Google APIs
 * with the leaver's grant every few hours for two days. Entity: that grant.
 */
export function attackS12(inp: AttackInput, leaver: Person, admin: Person, grant: Credential): AttackOutput {
  const { rng, tenant, pop } = inp;
  const client = grant.client;
  if (!client || typeof client.egress !== 'object') throw new Error('S12 needs a cloud-egress grant');
  const adminAddr = personDay(pop, admin, dayIndex(pop, inp.start)).addr;
  const events: Emitted[] = [
    googleEmit({
      t: inp.start,
      tenant,
      app: 'admin',
      actor: { email: admin.email, profileId: admin.profileId },
      addr: adminAddr,
      events: [
        { type: 'USER_SETTINGS', name: 'SUSPEND_USER', parameters: [pValue('USER_EMAIL', leaver.email)] },
      ],
      rng,
      lag: rng.int(20, 600) * 1000,
    }),
  ];
  const { provider, region } = client.egress;
  for (
    let t = inp.start + rng.int(1, 3) * HOUR_MS;
    t < inp.start + 2 * DAY_MS;
    t += rng.int(2, 5) * HOUR_MS * inp.scale.spread
  ) {
    events.push(
      tokenActivity({
        t,
        tenant,
        person: leaver,
        clientId: client.clientId,
        appName: client.name,
        addr: cloudAddress(provider, region, rng.int(0, 3)),
        rng,
        api: rng.pick(client.apis),
      }),
    );
  }
  return {
    source: 'google_workspace',
    title: `${leaver.email} suspended by ${admin.email}; their ${client.name} grant keeps working for two days`,
    entity: grant.tokenId,
    events,
  };
}

/** The N13 look-alike: its events, its label and the registry entry approving the app. */
export interface ApprovedRollout {
  events: Emitted[];
  label: Omit<LookalikeLabel, 'id'>;
  app: SimAppEntry;
}

/**
 * N13: an approved company-wide rollout. An admin approves "Acme Expense" (a web client with
 * Drive file and Calendar read access) in the app registry a week before the rollout day; on that
 * day everyone in the first organization authorizes it within the hour (the admin's announcement),
 * and the vendor's servers (AWS) sync each grant a few times. Only with look-alikes on, spans of
 * 30+ days and organizations of 4+ people.
 */
export function approvedRollout(pop: Population, seed: number): ApprovedRollout | undefined {
  const tenant = pop.tenants[0];
  if (!tenant || pop.days < 30) return undefined;
  const rng = rngFor(seed, 'lookalike-n13');
  const day = Math.floor(pop.days * 0.45);
  const start = pop.start + day * DAY_MS + (14 + rng.int(0, 2)) * HOUR_MS;
  const staff = staffAt(pop, tenant, start);
  const admin = staff.find((p) => p.gwsAdmin);
  if (!admin || staff.length < 4) return undefined;
  const clientId = ids.webClientId(rng);
  const appName = 'Acme Expense';
  const scopes = [`${G}drive.file`, `${G}calendar.readonly`, `${G}userinfo.email`];
  const events: Emitted[] = [];
  const entities: string[] = [];
  let t = start;
  for (const p of rng.shuffle(staff)) {
    const addr = personDay(pop, p, day).addr;
    events.push(authorize({ t, tenant, person: p, clientId, appName, addr, rng, scopes }));
    const server = cloudAddress('aws', 'us-east-1', rng.int(0, 3));
    for (let k = 0; k < 2; k++) {
      events.push(
        tokenActivity({
          t: t + rng.int(2, 180) * MINUTE_MS,
          tenant,
          person: p,
          clientId,
          appName,
          addr: server,
          rng,
          api: { api: 'drive', method: 'drive.files.create', bucket: 'DRIVE' },
        }),
      );
    }
    entities.push(`google_workspace:grant:${p.email}:${clientId}`);
    t += rng.int(30, 240) * 1000;
  }
  return {
    events,
    label: {
      kind: 'N13',
      source: 'google_workspace',
      title: `${tenant.name}: approved company-wide rollout of "${appName}" (${entities.length} consents in an hour)`,
      entities,
      start: new Date(start).toISOString(),
      end: new Date(start + DAY_MS).toISOString(),
    },
    app: {
      source: 'google_workspace',
      client_id: clientId,
      name: appName,
      status: 'approved',
      approved_by: admin.email,
      approved_at: new Date(start - 7 * DAY_MS).toISOString(),
      scopes,
      note: 'simulated N13: vetted by IT before the company-wide rollout',
    },
  };
}
