/**
 * Benign credential lifecycle events inside the span: PAT creation and destruction on rotation
 * (the new token takes over the old one's workload), tokens and OAuth grants of new hires.
 * Attack-created credentials are left to their incident generators.
 */
import { DAY_MS } from './calendar.js';
import type { GenContext } from './context.js';
import type { Emitted } from './emitted.js';
import { personDay } from './person-day.js';
import type { Credential, Person, Tenant } from './population-types.js';
import { rngFor } from './prng.js';
import { githubEmit } from './records-github.js';
import { googleEmit, pMulti, pValue } from './records-google.js';
import { browserUa } from './user-agents.js';

/** All benign lifecycle records of the span, sorted by time (small: a few per person). */
export function lifecycleEvents(ctx: GenContext): Emitted[] {
  const { pop } = ctx;
  const out: Emitted[] = [];
  for (const cred of pop.creds) {
    if (cred.owner === null || cred.createdBy === 'attack') continue;
    const p = pop.people[cred.owner] as Person;
    const tenant = pop.tenants[p.tenant] as Tenant;
    if (cred.validFrom >= pop.start && cred.validFrom < pop.end) created(ctx, tenant, p, cred, out);
    if (cred.validTo !== null && cred.validTo >= pop.start && cred.validTo < pop.end)
      destroyed(ctx, tenant, p, cred, out);
  }
  return out.sort((a, b) => a.arrival - b.arrival);
}

function ghEvent(
  ctx: GenContext,
  tenant: Tenant,
  p: Person,
  cred: Credential,
  t: number,
  action: string,
  op: 'create' | 'remove',
  extra?: Record<string, unknown>,
): Emitted {
  const rng = rngFor(ctx.seed, 'lifecycle', cred.idx, action);
  const pd = personDay(ctx.pop, p, Math.floor((t - ctx.pop.start) / DAY_MS));
  return githubEmit(
    {
      t,
      tenant,
      action,
      actor: { login: p.login, id: p.githubId },
      subject: cred,
      addr: pd.addr,
      ua: browserUa(pd.device, pd.day),
      operationType: op,
      ...(extra ? { extra } : {}),
      rng,
    },
    ctx.seed,
  );
}

function created(ctx: GenContext, tenant: Tenant, p: Person, cred: Credential, out: Emitted[]): void {
  const t = cred.validFrom;
  switch (cred.kind) {
    case 'gh_pat_classic':
      out.push(ghEvent(ctx, tenant, p, cred, t, 'oauth_access.create', 'create'));
      return;
    case 'gh_pat_fine':
      out.push(ghEvent(ctx, tenant, p, cred, t, 'personal_access_token.create', 'create'));
      return;
    case 'gh_oauth':
      out.push(ghEvent(ctx, tenant, p, cred, t, 'oauth_authorization.create', 'create'));
      return;
    case 'gws_grant': {
      const client = cred.client;
      if (!client) return;
      const rng = rngFor(ctx.seed, 'lifecycle', cred.idx, 'authorize');
      const pd = personDay(ctx.pop, p, Math.floor((t - ctx.pop.start) / DAY_MS));
      out.push(
        googleEmit({
          t,
          tenant,
          app: 'token',
          actor: { email: p.email, profileId: p.profileId },
          addr: pd.addr,
          events: [
            {
              type: 'auth',
              name: 'authorize',
              parameters: [
                pValue('client_id', client.clientId),
                pValue('app_name', client.name),
                pValue('client_type', client.clientType),
                pMulti('scope', client.scopes),
              ],
            },
          ],
          rng,
          lag: rng.int(30, 900) * 1000,
        }),
      );
      return;
    }
    default:
      return;
  }
}

function destroyed(ctx: GenContext, tenant: Tenant, p: Person, cred: Credential, out: Emitted[]): void {
  const t = cred.validTo as number;
  if (cred.kind === 'gh_pat_classic')
    out.push(ghEvent(ctx, tenant, p, cred, t, 'oauth_access.destroy', 'remove', { explanation: 'web_user' }));
  if (cred.kind === 'gh_pat_fine')
    out.push(
      ghEvent(ctx, tenant, p, cred, t, 'personal_access_token.destroy', 'remove', {
        explanation: 'web_user',
      }),
    );
}
