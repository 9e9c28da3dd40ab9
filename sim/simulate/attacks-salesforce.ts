/**
 * Salesforce incidents: S1 (Drift-like integration token replayed from a VPS: COUNT() enumeration
 * then bulk export of User/Case/Account/Opportunity), S2 (vishing: a malicious connected app
 * authorized by an employee, then Bulk API export; continues after the password reset) and S8
 * (integration user used from a new client library and a VPS at an odd hour: object breadth,
 * then extraction 50-500x the nightly rows).
 */

import { type AttackInput, type AttackOutput, scaled } from './attack-types.js';
import { DAY_MS, HOUR_MS, localMidnight, MINUTE_MS } from './calendar.js';
import { SF_ALL_OBJECTS, SF_ETL_OBJECTS } from './catalog.js';
import type { Emitted } from './emitted.js';
import { hostileAddress } from './geography.js';
import { addSfGrant } from './population.js';
import type { Person } from './population-types.js';
import { type SfCall, salesforceEmit, sfSession } from './records-salesforce.js';
import { makeSalesforceId, toCaseSafeId } from './salesforce-ids.js';
import { ATTACK_UA } from './user-agents.js';

function sf(inp: AttackInput, c: Omit<SfCall, 'tenant' | 'rng'>): Emitted[] {
  return salesforceEmit({ ...c, tenant: inp.tenant, rng: inp.rng });
}

/** S1: the chat integration's OAuth token replayed from a VPS; enumeration, then bulk export. */
export function attackS1(inp: AttackInput): AttackOutput {
  const { rng, tenant, pop } = inp;
  const cred = pop.creds[tenant.svc.drift.cred]!;
  const user = tenant.svc.drift.user;
  const app = { id: cred.connectedAppId!, name: cred.connectedApp!.name };
  const addr = hostileAddress(rng.chance(0.3) ? 'tor' : 'vps', rng.int(0, 1000), [tenant.hq.country]);
  const ua = rng.pick([
    ATTACK_UA.pythonRequests,
    ATTACK_UA.aiohttp,
    ATTACK_UA.multiOrgFetcher,
    ATTACK_UA.sfCliFake,
  ]);
  const session = sfSession(inp.seed, cred.idx, `attack:${inp.id}`);
  const events: Emitted[] = [];
  let t = inp.start;
  events.push(...sf(inp, { t, kind: 'login', user, app, session, addr, ua, loginType: 'Remote Access 2.0' }));
  const enumObjs = ['Account', 'Opportunity', 'User', 'Case', 'Contact', 'Lead', 'Contract', 'Attachment'];
  for (const entity of enumObjs.slice(0, Math.min(enumObjs.length, scaled(6, inp.scale, 4)))) {
    t += rng.int(10, 45) * 1000;
    events.push(
      ...sf(inp, {
        t,
        kind: 'rest',
        user,
        app,
        session,
        addr,
        ua,
        entity,
        rows: 1,
        method: 'count',
        query: `SELECT COUNT() FROM ${entity}`,
      }),
    );
  }
  for (const entity of ['User', 'Case', 'Account', 'Opportunity']) {
    t += rng.int(3, 15) * MINUTE_MS * inp.scale.spread;
    const rows = Math.min(
      1_000_000,
      Math.max(10_000, Math.round(rng.logNormal(entity === 'Case' ? 300_000 : 60_000, 0.7) * inp.scale.rows)),
    );
    events.push(
      ...sf(inp, {
        t,
        kind: 'bulk',
        user,
        app,
        session,
        addr,
        ua,
        entity,
        rows,
        query: `SELECT FIELDS(ALL) FROM ${entity}`,
      }),
    );
  }
  return {
    source: 'salesforce',
    title: `${app.name} connected-app token replayed from ${addr.network} (${addr.country}): enumeration then bulk export`,
    entity: cred.tokenId,
    events,
  };
}

/** S2: an employee is talked into authorizing a malicious connected app; Bulk API export follows. */
export function attackS2(inp: AttackInput, victim: Person): AttackOutput {
  const { rng, tenant, pop } = inp;
  const user = victim.sfUser!;
  const appId = toCaseSafeId(makeSalesforceId('0H4', rng, '4R'));
  const appDef = {
    key: 'dataloader' as const,
    name: 'My Ticket Portal',
    userAgent: 'DataLoaderBulkUI/62.0.0 (My Ticket Portal)',
    egress: 'user' as const,
  };
  const credIdx = addSfGrant(pop, tenant, user, appDef, victim.idx, inp.start, 'attack', appId);
  const cred = pop.creds[credIdx]!;
  const app = { id: appId, name: appDef.name };
  const addr = hostileAddress(rng.chance(0.5) ? 'consumer_vpn' : 'tor', rng.int(0, 1000), [
    tenant.hq.country,
  ]);
  const events: Emitted[] = [];
  const burst = (start: number, scale: number, tag: string) => {
    const session = sfSession(inp.seed, credIdx, `attack:${inp.id}:${tag}`);
    let t = start;
    events.push(
      ...sf(inp, {
        t,
        kind: 'login',
        user,
        app,
        session,
        addr,
        ua: appDef.userAgent,
        loginType: 'Remote Access 2.0',
      }),
    );
    for (const entity of ['Account', 'Contact', 'Opportunity', 'Case']) {
      t += rng.int(2, 12) * MINUTE_MS * inp.scale.spread;
      const rows = Math.max(5000, Math.round(rng.logNormal(250_000, 0.6) * inp.scale.rows * scale));
      events.push(
        ...sf(inp, { t, kind: 'bulk', user, app, session, addr, ua: appDef.userAgent, entity, rows }),
      );
    }
  };
  burst(inp.start + rng.int(1, 20) * MINUTE_MS, 1, 'a');
  // the victim's password is reset the next morning; the connected-app token keeps working
  const again = inp.start + DAY_MS + rng.int(2, 8) * HOUR_MS;
  if (again < pop.end) burst(again, 0.4, 'b');
  return {
    source: 'salesforce',
    title: `Malicious connected app "${app.name}" authorized by ${user.username} via vishing; Bulk API export`,
    entity: cred.tokenId,
    events,
  };
}

/** S8: the ETL integration user's credentials used from a VPS with a new client at an odd hour. */
export function attackS8(inp: AttackInput): AttackOutput {
  const { rng, tenant, pop } = inp;
  const cred = pop.creds[tenant.svc.etl.cred]!;
  const user = tenant.svc.etl.user;
  const addr = hostileAddress('vps', rng.int(0, 1000), [tenant.hq.country]);
  const ua = rng.pick([ATTACK_UA.dbeaver, ATTACK_UA.pythonRequests]);
  const clientName = ua.startsWith('DBeaver') ? 'DBeaver' : 'python-simple-salesforce';
  const session = sfSession(inp.seed, cred.idx, `attack:${inp.id}`);
  const events: Emitted[] = [];
  let t = inp.start;
  events.push(
    ...sf(inp, {
      t,
      kind: 'login',
      user,
      app: null,
      session,
      addr,
      ua,
      loginType: 'Partner Product',
      clientName,
    }),
  );
  const fresh = SF_ALL_OBJECTS.filter((o) => !(SF_ETL_OBJECTS as readonly string[]).includes(o));
  const recon = rng.sample(fresh, Math.min(fresh.length, scaled(30, inp.scale, 8)));
  for (const entity of recon) {
    t += rng.int(15, 80) * 1000 * inp.scale.spread;
    events.push(
      ...sf(inp, {
        t,
        kind: 'soap',
        user,
        app: null,
        session,
        addr,
        ua,
        clientName,
        method: rng.chance(0.4) ? 'describeSObject' : 'query',
        entity,
        rows: rng.int(0, 10),
        query: `SELECT * FROM ${entity} LIMIT 10`,
      }),
    );
  }
  const targets = rng.sample(
    ['Account', 'Contact', 'Opportunity', 'Case', 'User', 'Contract', 'Invoice__c', 'Lead'],
    scaled(6, inp.scale, 3),
  );
  for (const entity of targets) {
    const total = Math.round(rng.int(600, 9000) * rng.int(50, 500) * inp.scale.rows);
    const pages = Math.max(1, Math.min(25, Math.ceil(total / 50_000)));
    for (let pg = 0; pg < pages; pg++) {
      t += rng.int(20, 120) * 1000;
      events.push(
        ...sf(inp, {
          t,
          kind: 'soap',
          user,
          app: null,
          session,
          addr,
          ua,
          clientName,
          method: pg === 0 ? 'query' : 'queryMore',
          entity,
          rows: Math.round(total / pages),
          query: `SELECT FIELDS(ALL) FROM ${entity}`,
        }),
      );
    }
  }
  const localStart = Math.round(
    (inp.start - localMidnight(tenant.hq.tz, Math.floor(inp.start / DAY_MS) * DAY_MS)) / HOUR_MS,
  );
  return {
    source: 'salesforce',
    title: `Integration user ${user.username} used from ${addr.network} (${addr.country}) with ${clientName} at ~${((localStart % 24) + 24) % 24}:00 local`,
    entity: cred.tokenId,
    events,
  };
}
