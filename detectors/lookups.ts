import type { Source } from '../schemas/token-activity.js';

/**
 * Reference data detectors read through interfaces (never files): the pipeline supplies an
 * implementation in `ctx.apps` (the app vetting registry, `<state>/apps.json`, managed with
 * `tokenwatch apps approve|revoke`); without one every app is in the `unknown` vetting state.
 */

/** How the app registry judges an app at a time. `unknown`: not in the registry (or no registry). */
export type VettingStatus = 'approved' | 'revoked' | 'expired' | 'unknown';

/** The vetting of one app. */
export interface AppVettingFact {
  status: VettingStatus;
  /** who approved it (approved / expired) */
  approvedBy?: string;
  /** scopes the approval covers; empty = any */
  scopes: readonly string[];
}

/** Looks apps up in the vetting registry. */
export interface AppVettingLookup {
  /** The vetting of app `clientId` of `source` at event time `atMs`. */
  vetting(source: Source, clientId: string, atMs: number): AppVettingFact;
}

/** The vetting when no registry is configured or the app is not in it. */
export const UNKNOWN_VETTING: AppVettingFact = Object.freeze({ status: 'unknown', scopes: [] });
