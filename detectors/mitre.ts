import type { MitreTechnique } from './types.js';

/**
 * The MITRE ATT&CK tactics and techniques tokenwatch detectors map to (ATT&CK v16 names; see
 * `shared/reference/alert-format.md` §5). Detectors reference them as `'<tactic id>:<technique id>'`
 * (`'TA0005:T1550.001'`), so a typo or a technique filed under a tactic it does not belong to fails
 * when the detector module loads, not in Kibana.
 */

/** Tactic id to name. */
export const TACTICS = {
  TA0001: 'Initial Access',
  TA0003: 'Persistence',
  TA0004: 'Privilege Escalation',
  TA0005: 'Defense Evasion',
  TA0006: 'Credential Access',
  TA0007: 'Discovery',
  TA0008: 'Lateral Movement',
  TA0009: 'Collection',
  TA0010: 'Exfiltration',
} as const satisfies Record<string, string>;
export type TacticId = keyof typeof TACTICS;

/** Technique id to name and the tactics ATT&CK lists it under. */
export const TECHNIQUES = {
  T1020: { name: 'Automated Exfiltration', tactics: ['TA0010'] },
  'T1078.004': { name: 'Valid Accounts: Cloud Accounts', tactics: ['TA0001', 'TA0003', 'TA0004', 'TA0005'] },
  'T1087.004': { name: 'Account Discovery: Cloud Account', tactics: ['TA0007'] },
  'T1110.003': { name: 'Brute Force: Password Spraying', tactics: ['TA0006'] },
  'T1098.001': { name: 'Account Manipulation: Additional Cloud Credentials', tactics: ['TA0003', 'TA0004'] },
  'T1098.003': { name: 'Account Manipulation: Additional Cloud Roles', tactics: ['TA0003', 'TA0004'] },
  'T1114.002': { name: 'Email Collection: Remote Email Collection', tactics: ['TA0009'] },
  T1199: { name: 'Trusted Relationship', tactics: ['TA0001'] },
  T1213: { name: 'Data from Information Repositories', tactics: ['TA0009'] },
  'T1213.003': { name: 'Data from Information Repositories: Code Repositories', tactics: ['TA0009'] },
  'T1213.004': {
    name: 'Data from Information Repositories: Customer Relationship Management Software',
    tactics: ['TA0009'],
  },
  T1528: { name: 'Steal Application Access Token', tactics: ['TA0006'] },
  T1530: { name: 'Data from Cloud Storage', tactics: ['TA0009'] },
  T1539: { name: 'Steal Web Session Cookie', tactics: ['TA0006'] },
  'T1550.001': {
    name: 'Use Alternate Authentication Material: Application Access Token',
    tactics: ['TA0005', 'TA0008'],
  },
  'T1550.004': {
    name: 'Use Alternate Authentication Material: Web Session Cookie',
    tactics: ['TA0005', 'TA0008'],
  },
  'T1552.001': { name: 'Unsecured Credentials: Credentials In Files', tactics: ['TA0006'] },
  'T1567.001': {
    name: 'Exfiltration Over Web Service: Exfiltration to Code Repository',
    tactics: ['TA0010'],
  },
} as const satisfies Record<string, { name: string; tactics: readonly TacticId[] }>;
export type TechniqueId = keyof typeof TECHNIQUES;

/** A reference to a technique under one of its tactics: `'TA0005:T1550.001'`. */
export type MitreRef = `${TacticId}:${TechniqueId}`;

/** Well-formed ATT&CK ids: `TA0001`, `T1078`, `T1078.004`. */
export const TACTIC_ID_PATTERN = /^TA\d{4}$/;
export const TECHNIQUE_ID_PATTERN = /^T\d{4}(\.\d{3})?$/;

/**
 * Resolves `'TA0005:T1550.001'` to a {@link MitreTechnique}.
 * @throws Error on an unknown tactic or technique, or a technique not listed under that tactic.
 */
export function resolveMitre(ref: string): MitreTechnique {
  const [tacticId, techniqueId, ...rest] = ref.split(':');
  if (tacticId === undefined || techniqueId === undefined || rest.length > 0) {
    throw new Error(`MITRE reference "${ref}" must be "<tactic id>:<technique id>"`);
  }
  if (!(tacticId in TACTICS)) throw new Error(`unknown MITRE tactic "${tacticId}" in "${ref}"`);
  if (!(techniqueId in TECHNIQUES)) throw new Error(`unknown MITRE technique "${techniqueId}" in "${ref}"`);
  const tactic = tacticId as TacticId;
  const technique = TECHNIQUES[techniqueId as TechniqueId];
  if (!(technique.tactics as readonly string[]).includes(tactic)) {
    throw new Error(`MITRE technique ${techniqueId} is not listed under tactic ${tacticId}`);
  }
  return { id: techniqueId, name: technique.name, tactic: { id: tactic, name: TACTICS[tactic] } };
}
