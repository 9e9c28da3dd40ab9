import type { TokenLedger, TokenRecord } from './ledger.js';
import { identityKeys } from './ledger.js';

/** One finding of the rotation check. */
export interface RotationFinding {
  kind: 'pre_incident_still_used' | 'predecessor_still_used';
  token: string;
  source: string;
  type: string;
  owner: string;
  app?: string;
  /** creation (or first seen when creation was not seen), ISO 8601 */
  created: string;
  created_seen: boolean;
  last_used: string;
  /** the replacement credential (predecessor_still_used) */
  replacement?: { token: string; created: string };
  detail: string;
}

/** Options of {@link rotationCheck}. */
export interface RotationOptions {
  /** incident time, epoch ms */
  sinceMs: number;
  source?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const ownerOf = (r: TokenRecord): string => r.owner.email ?? r.owner.name ?? r.owner.id ?? '';
/** Credentials that can be a predecessor / replacement of each other: same source, owner, type family and app. */
const familyKey = (r: TokenRecord): string => {
  const type = r.type.startsWith('pat_') ? 'pat' : r.type;
  return [
    r.source,
    identityKeys(r.owner)[0] ?? r.owner.id ?? '',
    type,
    r.client?.id ?? r.client?.name ?? '',
  ].join('|');
};

/**
 * Rotation after an incident (revoke before replacing; the new credential must be the only live
 * one):
 * - `pre_incident_still_used`: a credential created (or, creation unseen, first seen) before
 *   `sinceMs` with a successful use after it: it was not rotated.
 * - `predecessor_still_used`: a credential created at or after `sinceMs` (a replacement) whose
 *   predecessor, an older credential of the same owner, source, type and app, was still used
 *   successfully after the replacement was created.
 * Sessions (Salesforce / Workspace web sessions) are not rotatable credentials and are skipped.
 */
export function rotationCheck(ledger: TokenLedger, options: RotationOptions): RotationFinding[] {
  const out: RotationFinding[] = [];
  const tokens = [...ledger.tokens.values()].filter(
    (r) =>
      r.keyKind !== 'session' && r.type !== 'session' && (!options.source || r.source === options.source),
  );
  const born = (r: TokenRecord): number => r.createdAt ?? r.firstSeen;
  for (const r of tokens) {
    if (born(r) < options.sinceMs && r.lastUsed !== undefined && r.lastUsed >= options.sinceMs) {
      out.push({
        kind: 'pre_incident_still_used',
        token: r.id,
        source: r.source,
        type: r.type,
        owner: ownerOf(r),
        ...(r.client?.name || r.client?.id ? { app: r.client.name ?? r.client.id } : {}),
        created: iso(born(r)),
        created_seen: r.createdAt !== undefined,
        last_used: iso(r.lastUsed),
        detail: `created before the incident, last used ${iso(r.lastUsed)}: revoke and replace it`,
      });
    }
  }
  const families = new Map<string, TokenRecord[]>();
  for (const r of tokens) families.set(familyKey(r), [...(families.get(familyKey(r)) ?? []), r]);
  for (const members of families.values()) {
    const replacements = members.filter((r) => r.createdAt !== undefined && r.createdAt >= options.sinceMs);
    for (const rep of replacements) {
      const repAt = rep.createdAt as number;
      for (const old of members) {
        if (old === rep || born(old) >= repAt) continue;
        if (old.lastUsed === undefined || old.lastUsed <= repAt) continue;
        out.push({
          kind: 'predecessor_still_used',
          token: old.id,
          source: old.source,
          type: old.type,
          owner: ownerOf(old),
          ...(old.client?.name || old.client?.id ? { app: old.client.name ?? old.client.id } : {}),
          created: iso(born(old)),
          created_seen: old.createdAt !== undefined,
          last_used: iso(old.lastUsed),
          replacement: { token: rep.id, created: iso(repAt) },
          detail: `replaced by ${rep.id} at ${iso(repAt)} but used again ${iso(old.lastUsed)}: revoke it`,
        });
      }
    }
  }
  return out.sort(
    (a, b) =>
      a.owner.localeCompare(b.owner) || a.kind.localeCompare(b.kind) || a.token.localeCompare(b.token),
  );
}
