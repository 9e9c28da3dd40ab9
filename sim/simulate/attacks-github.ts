/**
 * GitHub incidents: S3 (OAuth-app tokens of a CI/PaaS integration replayed from a VPS, private
 * clone sweep), S5 (dormant service token reused from a new network), S9 (developer PAT used by
 * an npm worm from the victim's own machine) and S10 (PAT minted from a hijacked session and used
 * within minutes from attacker infrastructure).
 */

import { type AttackInput, type AttackOutput, dayIndex, scaled } from './attack-types.js';
import { HOUR_MS, MINUTE_MS } from './calendar.js';
import type { Emitted } from './emitted.js';
import { hostileAddress, type NetAddress } from './geography.js';
import { personDay } from './person-day.js';
import { makePat } from './population.js';
import type { Credential, Person, Repo } from './population-types.js';
import { apiExtra, type GhActor, gitExtra, githubEmit } from './records-github.js';
import { ATTACK_UA } from './user-agents.js';

interface GhAttackCall {
  t: number;
  action: string;
  actor: GhActor;
  cred?: Credential;
  subject?: Credential;
  addr: NetAddress | null;
  ua: string;
  repo?: Repo;
  op: 'create' | 'modify' | 'remove' | 'access';
  extra?: Record<string, unknown>;
}

function gh(inp: AttackInput, c: GhAttackCall): Emitted {
  return githubEmit(
    {
      t: c.t,
      tenant: inp.tenant,
      action: c.action,
      actor: c.actor,
      ...(c.cred ? { cred: c.cred } : {}),
      ...(c.subject ? { subject: c.subject } : {}),
      addr: c.addr,
      ua: c.ua,
      ...(c.repo ? { repo: c.repo } : {}),
      operationType: c.op,
      ...(c.extra ? { extra: c.extra } : {}),
      rng: inp.rng,
    },
    inp.seed,
  );
}

function personOf(inp: AttackInput, cred: Credential): Person {
  const p = cred.owner === null ? undefined : inp.pop.people[cred.owner];
  if (!p) throw new Error(`credential ${cred.idx} has no owner`);
  return p;
}

/** S3: stolen OAuth-app user tokens replayed from one VPS to sweep private repos. */
export function attackS3(inp: AttackInput, victims: Credential[]): AttackOutput {
  const { rng, tenant } = inp;
  const addr = hostileAddress('vps', rng.int(0, 1000), [tenant.hq.country]);
  const events: Emitted[] = [];
  let t = inp.start;
  const ua = rng.pick([ATTACK_UA.gitUbuntu, ATTACK_UA.gitUbuntu, ATTACK_UA.pythonRequests]);
  victims.forEach((cred, vi) => {
    const p = personOf(inp, cred);
    const actor = { login: p.login, id: p.githubId };
    const touched = new Set(p.repos);
    const targets = tenant.github.repos.filter((r, k) => !r.isPublic && !touched.has(k));
    const n = Math.min(targets.length, scaled(vi === 0 ? 60 : 25, inp.scale, 8));
    events.push(
      gh(inp, {
        t,
        action: 'api.request',
        actor,
        cred,
        addr: null,
        ua: ATTACK_UA.pythonRequests,
        op: 'access',
        extra: apiExtra(rng, 'GET', '/user/orgs'),
      }),
    );
    t += rng.int(10, 60) * 1000;
    events.push(
      gh(inp, {
        t,
        action: 'api.request',
        actor,
        cred,
        addr: null,
        ua: ATTACK_UA.pythonRequests,
        op: 'access',
        extra: apiExtra(rng, 'GET', '/orgs/{org}/repos'),
      }),
    );
    for (const repo of rng.sample(targets, n)) {
      t += rng.int(6, 60) * 1000 * inp.scale.spread;
      events.push(
        gh(inp, { t, action: 'git.clone', actor, cred, addr, ua, repo, op: 'access', extra: gitExtra() }),
      );
    }
    t += rng.int(2, 10) * MINUTE_MS;
  });
  return {
    source: 'github',
    title: `${victims[0]?.oauthApp?.name ?? 'OAuth app'} user token(s) replayed from ${addr.network} (${addr.country}) to clone private repos`,
    entity: victims[0]!.tokenId,
    events,
  };
}

/** S5: dormant deploy token reused from a new network: recon, then a return visit cloning repos. */
export function attackS5(inp: AttackInput): AttackOutput {
  const { rng, tenant } = inp;
  const d = tenant.svc.deploy;
  const cred = inp.pop.creds[d.cred]!;
  const actor = { login: d.login, id: d.userId };
  const addr = hostileAddress('vps', rng.int(0, 1000), [tenant.hq.country]);
  const addr2 = hostileAddress('vps', rng.int(1001, 2000), [tenant.hq.country]);
  const events: Emitted[] = [];
  const repos = tenant.github.repos.filter((r) => !r.isPublic);
  const infra = repos.filter((r) => r.infra);
  // day 0: reconnaissance, irregular human timing
  let t = inp.start;
  events.push(
    gh(inp, {
      t,
      action: 'api.request',
      actor,
      cred,
      addr: null,
      ua: ATTACK_UA.curl,
      op: 'access',
      extra: apiExtra(rng, 'GET', '/orgs/{org}/repos'),
    }),
  );
  for (let i = 0; i < scaled(12, inp.scale, 4); i++) {
    t += rng.int(1, 25) * MINUTE_MS * inp.scale.spread;
    const repo = rng.pick(repos);
    events.push(
      gh(inp, {
        t,
        action: 'api.request',
        actor,
        cred,
        addr,
        ua: ATTACK_UA.curl,
        repo,
        op: 'access',
        extra: apiExtra(rng, 'GET', '/repos/{owner}/{repo}/contents/{path}'),
      }),
    );
  }
  for (const repo of rng.sample(infra.length > 0 ? infra : repos, 3)) {
    t += rng.int(3, 40) * MINUTE_MS;
    events.push(
      gh(inp, {
        t,
        action: 'git.clone',
        actor,
        cred,
        addr,
        ua: ATTACK_UA.gitUbuntu,
        repo,
        op: 'access',
        extra: gitExtra(),
      }),
    );
  }
  // day +7: the return visit, clones over hours
  t = inp.start + 7 * 24 * HOUR_MS + rng.int(0, 6) * HOUR_MS;
  const n = Math.min(repos.length, scaled(76, inp.scale, 10));
  for (const repo of rng.sample(repos, n)) {
    t += rng.int(30, 400) * 1000 * inp.scale.spread;
    events.push(
      gh(inp, {
        t,
        action: 'git.clone',
        actor,
        cred,
        addr: addr2,
        ua: ATTACK_UA.gitUbuntu,
        repo,
        op: 'access',
        extra: gitExtra(),
      }),
    );
  }
  const idle = Math.round((inp.start - (d.dormantFrom ?? inp.start)) / (24 * HOUR_MS));
  return {
    source: 'github',
    title: `Dormant deploy token ${d.login} (idle ${idle} days) reused from ${addr.network} (${addr.country})`,
    entity: cred.tokenId,
    events,
  };
}

/** S9: an npm worm uses the developer's PAT on the developer's own machine. */
export function attackS9(inp: AttackInput, cred: Credential): AttackOutput {
  const { rng, tenant, pop } = inp;
  const p = personOf(inp, cred);
  const pd = personDay(pop, p, dayIndex(pop, inp.start));
  const addr = pd.addr; // the victim's usual address
  const actor = { login: p.login, id: p.githubId };
  const ua = rng.pick([ATTACK_UA.npm, ATTACK_UA.axios, ATTACK_UA.nodeFetch]);
  const events: Emitted[] = [];
  let t = inp.start;
  for (const route of ['/user', '/user/repos', '/user/orgs']) {
    events.push(
      gh(inp, {
        t,
        action: 'api.request',
        actor,
        cred,
        addr: null,
        ua,
        op: 'access',
        extra: apiExtra(rng, 'GET', route),
      }),
    );
    t += rng.int(1, 8) * 1000;
  }
  const dump: Repo = {
    name: 'Shai-Hulud',
    full: `${p.login}/Shai-Hulud`,
    id: 990_000_000 + rng.int(0, 999_999),
    isPublic: true,
    infra: false,
  };
  t += rng.int(20, 90) * 1000;
  events.push(
    gh(inp, {
      t,
      action: 'repo.create',
      actor,
      cred,
      addr,
      ua,
      repo: dump,
      op: 'create',
      extra: { visibility: 'public' },
    }),
  );
  t += rng.int(5, 30) * 1000;
  events.push(
    gh(inp, {
      t,
      action: 'git.push',
      actor,
      cred,
      addr: null,
      ua,
      repo: dump,
      op: 'modify',
      extra: gitExtra(),
    }),
  );
  const privates = tenant.github.repos.filter((r) => !r.isPublic);
  const flips = rng.sample(privates, Math.min(privates.length, scaled(25, inp.scale, 4)));
  for (const repo of flips) {
    t += rng.int(2, 20) * 1000 * inp.scale.spread;
    events.push(
      gh(inp, {
        t,
        action: 'repo.rename',
        actor,
        cred,
        addr,
        ua,
        repo,
        op: 'modify',
        extra: { old_name: repo.name, new_name: `${repo.name}-migration` },
      }),
    );
    t += rng.int(1, 5) * 1000;
    events.push(
      gh(inp, {
        t,
        action: 'repo.access',
        actor,
        cred,
        addr,
        ua,
        repo: { ...repo, isPublic: true },
        op: 'modify',
        extra: { previous_visibility: 'private', visibility: 'public' },
      }),
    );
  }
  const wf = rng.pick(p.repos.length > 0 ? p.repos.map((k) => tenant.github.repos[k]!) : privates);
  t += rng.int(10, 60) * 1000;
  events.push(
    gh(inp, {
      t,
      action: 'git.push',
      actor,
      cred,
      addr,
      ua,
      repo: wf,
      op: 'modify',
      extra: {
        ...gitExtra(),
        ref: 'refs/heads/shai-hulud',
        pushed_paths: ['.github/workflows/shai-hulud-workflow.yml'],
      },
    }),
  );
  t += rng.int(10, 60) * 1000;
  events.push(
    gh(inp, {
      t,
      action: 'repo.register_self_hosted_runner',
      actor,
      cred,
      addr,
      ua,
      repo: wf,
      op: 'create',
      extra: { runner_name: 'SHA1HULUD' },
    }),
  );
  return {
    source: 'github',
    title: `PAT of ${p.login} used by an npm worm from the victim's own address (${addr.network})`,
    entity: cred.tokenId,
    events,
  };
}

/** S10: a PAT minted from a hijacked session (Tor) and first used minutes later from a VPS. */
export function attackS10(inp: AttackInput, owner: Person): AttackOutput {
  const { rng, tenant, pop } = inp;
  const fresh = makePat(pop, tenant, owner, rng, false, inp.start, 'attack', undefined, [
    'repo',
    'admin:org',
    'workflow',
    'delete_repo',
  ]);
  const cred = pop.creds[fresh]!;
  cred.accessType = 'Personal access token (classic)';
  const actor = { login: owner.login, id: owner.githubId };
  const tor = hostileAddress('tor', rng.int(0, 1000));
  const vps = hostileAddress('vps', rng.int(0, 1000), [tenant.hq.country, tor.country]);
  const events: Emitted[] = [];
  let t = inp.start;
  events.push(
    gh(inp, {
      t,
      action: 'oauth_access.create',
      actor,
      subject: cred,
      addr: tor,
      ua: ATTACK_UA.firefoxLinux,
      op: 'create',
    }),
  );
  t += rng.int(1, 10) * MINUTE_MS;
  for (const route of ['/user', '/user/orgs', '/orgs/{org}/repos', '/orgs/{org}/members']) {
    events.push(
      gh(inp, {
        t,
        action: 'api.request',
        actor,
        cred,
        addr: null,
        ua: ATTACK_UA.pythonRequests,
        op: 'access',
        extra: apiExtra(rng, 'GET', route),
      }),
    );
    t += rng.int(2, 20) * 1000;
  }
  const privates = tenant.github.repos.filter((r) => !r.isPublic);
  const n = Math.min(privates.length, scaled(30, inp.scale, 6));
  for (const repo of rng.sample(privates, n)) {
    t += rng.int(15, 70) * 1000 * inp.scale.spread;
    events.push(
      gh(inp, {
        t,
        action: 'git.clone',
        actor,
        cred,
        addr: vps,
        ua: ATTACK_UA.gitUbuntu,
        repo,
        op: 'access',
        extra: gitExtra(),
      }),
    );
  }
  return {
    source: 'github',
    title: `PAT minted for ${owner.login} from a Tor exit, first used minutes later from ${vps.network} (${vps.country})`,
    entity: cred.tokenId,
    events,
  };
}
