import type { AppVettingFact, AppVettingLookup } from '../../detectors/lookups.js';
import { UNKNOWN_VETTING } from '../../detectors/lookups.js';
import { type AppEntry, AppsRegistry } from '../inventory/apps-registry.js';

/**
 * The app vetting registry of a state directory (`<dir>/apps.json`, src/inventory/apps-registry.ts)
 * as the {@link AppVettingLookup} detectors read (`ctx.apps`). An absent file is an empty
 * registry: every app `unknown`.
 * @throws StateError when the file exists but is invalid.
 */
export async function loadAppVetting(dir: string): Promise<AppVettingLookup> {
  return appVettingOf(await AppsRegistry.load(dir));
}

/** The lookup over registry entries (also used by raw-log cases that declare an `apps` list). */
export function appVettingOf(registry: {
  get(source: string, clientId: string): AppEntry | undefined;
}): AppVettingLookup {
  return {
    vetting(source, clientId, atMs): AppVettingFact {
      const e = registry.get(source, clientId);
      if (e === undefined) return UNKNOWN_VETTING;
      if (e.status === 'revoked') return { status: 'revoked', scopes: e.scopes };
      const expired = e.expires_at !== undefined && Date.parse(e.expires_at) < atMs;
      return { status: expired ? 'expired' : 'approved', approvedBy: e.approved_by, scopes: e.scopes };
    },
  };
}
