/**
 * Static catalogues for the synthetic population: names, repository words, and the client
 * applications (GitHub OAuth apps and GitHub Apps, Google OAuth clients, Salesforce connected
 * apps) with their scopes, egress and client libraries. All names are fictional stand-ins
 * modelled on the integrations named in the scenarios; ids are synthetic.
 */
import type { CloudProvider } from './cloud-ranges.js';

export const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Mateo',
  'Sofia',
  'Lucas',
  'Mia',
  'Elijah',
  'Amara',
  'Hiro',
  'Yuki',
  'Priya',
  'Arjun',
  'Chen',
  'Wei',
  'Fatima',
  'Omar',
  'Lena',
  'Jonas',
  'Clara',
  'Felix',
  'Ines',
  'Diego',
  'Lucia',
  'Kofi',
  'Zanele',
  'Sven',
  'Astrid',
  'Maya',
  'Ethan',
  'Grace',
  'Leo',
  'Nora',
  'Hugo',
  'Chloe',
  'Ravi',
  'Anika',
  'Tomas',
  'Eva',
  'Marco',
  'Giulia',
  'Jae',
  'Min',
  'Aisha',
  'Samir',
  'Ingrid',
  'Pablo',
  'Rosa',
  'Daniel',
  'Sara',
] as const;

export const LAST_NAMES = [
  'Nguyen',
  'Smith',
  'Garcia',
  'Müller',
  'Rossi',
  'Tanaka',
  'Kim',
  'Patel',
  'Singh',
  'Okafor',
  'Dubois',
  'Silva',
  'Kowalski',
  'Johansson',
  'Novak',
  'Haddad',
  'Cohen',
  'Moreau',
  'Ferreira',
  'Lopez',
  'Walker',
  'Chen',
  'Wang',
  'Sato',
  'Park',
  'Ivanova',
  'Fischer',
  'Bianchi',
  'Jansen',
  'Murphy',
  "O'Brien",
  'Mensah',
  'Dlamini',
  'Costa',
  'Larsen',
  'Schmidt',
  'Romero',
  'Reyes',
  'Khan',
  'Ali',
  'Brown',
  'Taylor',
  'Lee',
  'Martin',
  'Roux',
  'Weber',
] as const;

export const REPO_WORDS_A = [
  'api',
  'billing',
  'auth',
  'web',
  'mobile',
  'data',
  'infra',
  'search',
  'payments',
  'ledger',
  'events',
  'notify',
  'catalog',
  'checkout',
  'identity',
  'metrics',
  'ml',
  'docs',
  'design',
  'edge',
  'gateway',
  'sync',
  'reports',
  'admin',
  'support',
  'ingest',
  'pricing',
  'risk',
  'growth',
  'chat',
  'media',
  'export',
  'audit',
  'crm',
  'tax',
] as const;

export const REPO_WORDS_B = [
  'service',
  'worker',
  'ui',
  'sdk',
  'cli',
  'infra',
  'terraform',
  'helm',
  'pipeline',
  'schema',
  'lib',
  'proxy',
  'jobs',
  'scripts',
  'config',
  'tools',
  'app',
  'core',
  'client',
  'server',
  'etl',
  'ops',
  'monorepo',
  'e2e',
] as const;

/** A GitHub OAuth app whose user tokens show up as `OAuth access token` with an application id. */
export interface GithubOAuthApp {
  key: 'gh_cli' | 'travis' | 'heroku' | 'legacy_ide';
  id: number;
  name: string;
  scopes: readonly string[];
  /** Where the app's calls come from: the user's machine or the vendor's cloud. */
  egress: 'user' | { provider: CloudProvider; region: string };
  userAgent: string;
}

export const GITHUB_OAUTH_APPS: readonly GithubOAuthApp[] = [
  {
    key: 'gh_cli',
    id: 178_011,
    name: 'GitHub CLI',
    scopes: ['gist', 'read:org', 'repo', 'workflow'],
    egress: 'user',
    userAgent: 'GitHub CLI 2.44.1',
  },
  {
    key: 'travis',
    id: 310_775,
    name: 'Travis CI',
    scopes: ['read:org', 'repo', 'user:email', 'write:repo_hook'],
    egress: { provider: 'gcp', region: 'us-central1' },
    userAgent: 'git/2.39.2',
  },
  {
    key: 'heroku',
    id: 209_442,
    name: 'Heroku Dashboard',
    scopes: ['read:org', 'repo'],
    egress: { provider: 'aws', region: 'us-east-1' },
    userAgent: 'Heroku-GitHub-Sync/1.9',
  },
  {
    key: 'legacy_ide',
    id: 48_213,
    name: 'CodeNest IDE (legacy)',
    scopes: ['repo', 'user'],
    egress: 'user',
    userAgent: 'CodeNest/3.1 (octokit)',
  },
];

/** A GitHub App installed on the org; its tokens are keyed by installation. */
export interface GithubAppDef {
  key: 'renovate' | 'jira' | 'deployer';
  appId: number;
  slug: string;
  egress: { provider: CloudProvider; region: string };
  userAgent: string;
}

export const GITHUB_APPS: readonly GithubAppDef[] = [
  {
    key: 'renovate',
    appId: 2740,
    slug: 'renovate',
    egress: { provider: 'azure', region: 'westus' },
    userAgent: 'Renovate Bot (https://github.com/renovatebot/renovate)',
  },
  {
    key: 'jira',
    appId: 30_715,
    slug: 'jira-cloud-sync',
    egress: { provider: 'aws', region: 'us-east-1' },
    userAgent: 'Atlassian-Jira-GitHub-App/4.2',
  },
];

/** A Google OAuth client. */
export interface GoogleClientDef {
  key: string;
  clientId: string;
  name: string;
  clientType: 'WEB' | 'NATIVE_DESKTOP' | 'NATIVE_IOS' | 'NATIVE_ANDROID' | 'TYPE_UNSPECIFIED';
  scopes: readonly string[];
  /** APIs the client calls (token `activity` api_name / method_name / product bucket). */
  apis: ReadonlyArray<{ api: string; method: string; bucket: string }>;
  egress: 'user' | 'mobile' | { provider: CloudProvider; region: string };
  /** Calls per day per grant (before the volume multiplier). */
  dailyCalls: number;
  /** Machine-driven (24x7) or follows the owner's working day. */
  pattern: 'always' | 'workday';
  /** Domain-wide delegation client (service account). */
  dwd?: boolean;
}

const G = 'https://www.googleapis.com/auth/';

export const GOOGLE_CLIENTS: readonly GoogleClientDef[] = [
  {
    key: 'drive_desktop',
    clientId: '947318989803-6bn6qk8qdgf4n4g3pfee6491hc0brc4i.apps.googleusercontent.com',
    name: 'Google Drive for desktop',
    clientType: 'NATIVE_DESKTOP',
    scopes: [`${G}drive`, `${G}userinfo.email`],
    apis: [
      { api: 'drive', method: 'drive.files.list', bucket: 'DRIVE' },
      { api: 'drive', method: 'drive.changes.list', bucket: 'DRIVE' },
      { api: 'drive', method: 'drive.files.get', bucket: 'DRIVE' },
    ],
    egress: 'user',
    dailyCalls: 10,
    pattern: 'workday',
  },
  {
    key: 'ios_mail',
    clientId: '450232826690-0rm6bs9d2fps9tifvk2oodh3tasd7vl7.apps.googleusercontent.com',
    name: 'iOS Account Manager',
    clientType: 'NATIVE_IOS',
    scopes: ['https://mail.google.com/', `${G}calendar`, `${G}contacts`],
    apis: [
      { api: 'gmail', method: 'gmail.users.messages.list', bucket: 'GMAIL' },
      { api: 'calendar', method: 'calendar.events.list', bucket: 'CALENDAR' },
    ],
    egress: 'mobile',
    dailyCalls: 6,
    pattern: 'workday',
  },
  {
    key: 'slack',
    clientId: '1075432618117-slackcal7k2n0n8bq1hq2lr7q5s0sm2v.apps.googleusercontent.com',
    name: 'Slack',
    clientType: 'WEB',
    scopes: [`${G}calendar.readonly`, `${G}drive.readonly`, `${G}userinfo.email`],
    apis: [
      { api: 'calendar', method: 'calendar.events.list', bucket: 'CALENDAR' },
      { api: 'drive', method: 'drive.files.get', bucket: 'DRIVE' },
    ],
    egress: { provider: 'aws', region: 'us-east-1' },
    dailyCalls: 12,
    pattern: 'always',
  },
  {
    key: 'zoom',
    clientId: '849883241272-zoomsch3d8ulr1j3gqf5i1o3l0l4pt0k.apps.googleusercontent.com',
    name: 'Zoom',
    clientType: 'WEB',
    scopes: [`${G}calendar.events`, `${G}userinfo.email`],
    apis: [{ api: 'calendar', method: 'calendar.events.insert', bucket: 'CALENDAR' }],
    egress: { provider: 'aws', region: 'us-west-2' },
    dailyCalls: 5,
    pattern: 'workday',
  },
  {
    key: 'calendly',
    clientId: '307719255716-calendlyq6o3f6d8s1u7l2h4k9m0n3bq.apps.googleusercontent.com',
    name: 'Calendly',
    clientType: 'WEB',
    scopes: [`${G}calendar`],
    apis: [{ api: 'calendar', method: 'calendar.freebusy.query', bucket: 'CALENDAR' }],
    egress: { provider: 'gcp', region: 'us-east1' },
    dailyCalls: 6,
    pattern: 'always',
  },
  {
    key: 'sigsync_dwd',
    clientId: '104766201388427519203',
    name: 'SignatureSync',
    clientType: 'TYPE_UNSPECIFIED',
    scopes: [`${G}gmail.settings.basic`, `${G}admin.directory.user.readonly`],
    apis: [{ api: 'gmail', method: 'gmail.users.settings.sendAs.update', bucket: 'GMAIL' }],
    egress: { provider: 'gcp', region: 'us-central1' },
    dailyCalls: 8,
    pattern: 'always',
    dwd: true,
  },
  {
    key: 'legacy_dwd',
    clientId: '112938475610293847561',
    name: 'mailsync-test (legacy)',
    clientType: 'TYPE_UNSPECIFIED',
    scopes: [`${G}userinfo.email`],
    apis: [{ api: 'gmail', method: 'gmail.users.messages.get', bucket: 'GMAIL' }],
    egress: { provider: 'gcp', region: 'europe-west1' },
    dailyCalls: 0,
    pattern: 'always',
    dwd: true,
  },
];

/** A Salesforce connected app. */
export interface ConnectedAppDef {
  key: 'drift' | 'fivetran' | 'outlook' | 'sfcli' | 'dataloader';
  name: string;
  /** REST/Bulk client library user agent. */
  userAgent: string;
  egress: 'user' | 'office' | { provider: CloudProvider; region: string };
}

export const CONNECTED_APPS: readonly ConnectedAppDef[] = [
  {
    key: 'drift',
    name: 'Drift',
    userAgent: 'Drift-Salesforce-Connector/2.8 (+https://www.drift.com)',
    egress: { provider: 'aws', region: 'us-east-1' },
  },
  {
    key: 'fivetran',
    name: 'Fivetran',
    userAgent: 'Fivetran/1.0 (salesforce-connector)',
    egress: { provider: 'gcp', region: 'us-east1' },
  },
  {
    key: 'outlook',
    name: 'Salesforce for Outlook',
    userAgent: 'SalesforceForOutlook/3.4.2 (Microsoft Outlook 16.0)',
    egress: 'user',
  },
  {
    key: 'sfcli',
    name: 'Salesforce CLI',
    userAgent: '@salesforce/cli/2.41.8 darwin-arm64 node-v20.12.2',
    egress: 'user',
  },
  { key: 'dataloader', name: 'Dataloader Bulk', userAgent: 'DataLoaderBulkUI/62.0.0', egress: 'office' },
];

/** Salesforce objects queried by integrations and attackers. */
export const SF_COMMON_OBJECTS = ['Lead', 'Contact', 'Account'] as const;
export const SF_ETL_OBJECTS = [
  'Account',
  'Contact',
  'Opportunity',
  'Lead',
  'Campaign',
  'OpportunityLineItem',
] as const;
export const SF_ALL_OBJECTS = [
  'Account',
  'Contact',
  'Lead',
  'Opportunity',
  'OpportunityLineItem',
  'Case',
  'CaseComment',
  'User',
  'Campaign',
  'CampaignMember',
  'Task',
  'Event',
  'Contract',
  'Order',
  'Product2',
  'Pricebook2',
  'Quote',
  'Asset',
  'Entitlement',
  'EmailMessage',
  'Note',
  'Attachment',
  'ContentDocument',
  'ContentVersion',
  'Solution',
  'Partner',
  'Territory2',
  'UserRole',
  'Profile',
  'PermissionSet',
  'Group',
  'Report',
  'Dashboard',
  'Document',
  'Idea',
  'Knowledge__kav',
  'Invoice__c',
  'Subscription__c',
  'Usage__c',
  'Renewal__c',
  'Support_Tier__c',
  'Health_Score__c',
] as const;
