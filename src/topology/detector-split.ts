import { detectors as registered } from '../../detectors/registry.js';
import type { Detector } from '../../detectors/types.js';

/**
 * Detectors that read cross-entity state, so they run in the org stage (one task per
 * organization key) and not in the entity-partitioned detect stage, where a token's partition
 * holds only its own entity family:
 * - organization baseline (`ctx.org`: shared egress networks, failed attempts, impersonation):
 *   account-password-spray, app-impersonation-fanout, token-network-first-seen-prefix,
 *   token-geo-first-seen-country, token-geo-impossible-travel (shared-egress suppression);
 * - peer-group models over many tokens: token-multivariate-outlier.
 * A detector whose declared state is keyed by the organization, a person across sources or a
 * source address (app-consent-wave, token-lifecycle-used-after-owner-offboarded,
 * network-source-many-owners) goes to the org stage from that declaration alone, without a line
 * here. `detector-split.test.ts` checks the list against each detector's declared state and source.
 */
export const ORG_STAGE_DETECTOR_IDS: ReadonlySet<string> = new Set([
  'account.password_spray',
  'app.impersonation_fanout',
  'token.network.first_seen_prefix',
  'token.geo.first_seen_country',
  'token.geo.impossible_travel',
  'token.multivariate.outlier',
]);

/** Declared-state keys that span entities (the organization, a person across sources, an address, an ASN). */
const CROSS_ENTITY_KEYS: ReadonlySet<string> = new Set(['org', 'identity', 'source_ip', 'source_as']);

/**
 * True when a detector runs in the org stage: it is listed in {@link ORG_STAGE_DETECTOR_IDS}
 * (reads the organization baseline or peer models), or it declares state keyed by the
 * organization, a person's identity or a source address (so a new detector with such state goes
 * to the org stage without being listed).
 */
export function isOrgStageDetector(d: Detector): boolean {
  return (
    ORG_STAGE_DETECTOR_IDS.has(d.id) || Object.values(d.state).some((decl) => CROSS_ENTITY_KEYS.has(decl.key))
  );
}

/** The detectors of each stateful stage: `detect` (entity-local) and `org` (cross-entity). */
export function splitDetectors(list: readonly Detector[] = registered): {
  detect: Detector[];
  org: Detector[];
} {
  return {
    detect: list.filter((d) => !isOrgStageDetector(d)),
    org: list.filter((d) => isOrgStageDetector(d)),
  };
}
