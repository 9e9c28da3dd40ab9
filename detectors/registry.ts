import { z } from 'zod';
import { accountPasswordSpray } from './account-password-spray/detector.js';
import { appConsentWave } from './app-consent-wave/detector.js';
import { appFirstSeenInOrg } from './app-first-seen-in-org/detector.js';
import { appImpersonationFanout } from './app-impersonation-fanout/detector.js';
import { appScopeBeyondApproved } from './app-scope-beyond-approved/detector.js';
import { networkSourceManyOwners } from './network-source-many-owners/detector.js';
import { secretExposedInLog } from './secret-exposed-in-log/detector.js';
import type { SettingsById } from './settings.js';
import { tokenBehaviorFirstSeenAction } from './token-behavior-first-seen-action/detector.js';
import { tokenBehaviorResourceBreadth } from './token-behavior-resource-breadth/detector.js';
import { tokenClientNewUaFamily } from './token-client-new-ua-family/detector.js';
import { tokenGeoFirstSeenCountry } from './token-geo-first-seen-country/detector.js';
import { tokenGeoImpossibleTravel } from './token-geo-impossible-travel/detector.js';
import { tokenLifecycleDormantReactivated } from './token-lifecycle-dormant-reactivated/detector.js';
import { tokenLifecycleRapidFirstUseNewNetwork } from './token-lifecycle-rapid-first-use-new-network/detector.js';
import { tokenLifecycleUsedAfterOwnerOffboarded } from './token-lifecycle-used-after-owner-offboarded/detector.js';
import { tokenLifecycleUsedAfterRevocation } from './token-lifecycle-used-after-revocation/detector.js';
import { tokenMultivariateOutlier } from './token-multivariate-outlier/detector.js';
import { tokenNetworkFirstSeenPrefix } from './token-network-first-seen-prefix/detector.js';
import { tokenScopeBroadOrEscalated } from './token-scope-broad-or-escalated/detector.js';
import { tokenSessionConcurrentNetworks } from './token-session-concurrent-networks/detector.js';
import { tokenTimeUnusualHour } from './token-time-unusual-hour/detector.js';
import { tokenVolumeActivitySpike } from './token-volume-activity-spike/detector.js';
import { tokenVolumeDataSpike } from './token-volume-data-spike/detector.js';
import type { Detector } from './types.js';

/**
 * Every detector, explicitly (no discovery magic): adding a detector is one import and one line
 * here. `registry.test.ts` checks the invariants over this list (unique ids, file names, severity
 * bands, MITRE, runbooks) and that every `detectors/*.ts` detector file is registered.
 */
export const detectors: readonly Detector[] = Object.freeze([
  // network and geography
  tokenNetworkFirstSeenPrefix,
  tokenGeoFirstSeenCountry,
  tokenGeoImpossibleTravel,
  // volume and time
  tokenVolumeActivitySpike,
  tokenVolumeDataSpike,
  tokenTimeUnusualHour,
  // behaviour
  tokenBehaviorResourceBreadth,
  tokenBehaviorFirstSeenAction,
  tokenClientNewUaFamily,
  // lifecycle and posture
  tokenLifecycleDormantReactivated,
  tokenLifecycleUsedAfterRevocation,
  tokenLifecycleRapidFirstUseNewNetwork,
  tokenScopeBroadOrEscalated,
  appImpersonationFanout,
  accountPasswordSpray,
  secretExposedInLog,
  // multivariate (peer-group isolation forest)
  tokenMultivariateOutlier,
  // app vetting and offboarding (folder layout)
  appConsentWave,
  tokenLifecycleUsedAfterOwnerOffboarded,
  appFirstSeenInOrg,
  appScopeBeyondApproved,
  networkSourceManyOwners,
  tokenSessionConcurrentNetworks,
]);

/** Detectors by id. */
export const detectorsById: ReadonlyMap<string, Detector> = new Map(detectors.map((d) => [d.id, d]));

/** Ids of every registered detector, sorted (for error messages and `disabledDetectors`). */
export const detectorIds: readonly string[] = Object.freeze(detectors.map((d) => d.id).sort());

/**
 * The config schema of detector settings, derived from each detector's `settings`:
 * `{ "<detector id>": { <setting>: value, ... }, ... }`. Any subset may be given (defaults fill
 * the rest); unknown detector ids and unknown settings are errors (strict objects).
 */
export function detectorSettingsSchema(list: readonly Detector[] = detectors) {
  const shape: Record<string, z.ZodType> = {};
  for (const d of list) shape[d.id] = d.settings.default(d.defaultSettings as never);
  return z.strictObject(shape);
}

/**
 * Effective settings by detector id from a partial input (`{ id: { key: value } }`), validated
 * against each detector's schema.
 * @throws ZodError when an id or key is unknown or a value is out of bounds.
 */
export function resolveSettings(
  input: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  list: readonly Detector[] = detectors,
): SettingsById {
  return Object.freeze(detectorSettingsSchema(list).parse(input) as SettingsById);
}
