/**
 * Cloud egress ranges the simulator draws machine traffic from (CI runners, SaaS integrations,
 * vendor back ends). One list, exported so it can be checked against
 * `ingestors/common/cloud-ranges.ts`: every simulated "cloud" address must be classified as cloud
 * by the pipeline. Prefixes come from the providers' published range files (AWS ip-ranges.json,
 * GCP cloud.json, Azure service tags, DigitalOcean's geo feed) and are all inside the built-in
 * sample of `ingestors/common/cloud-ranges.ts` as of this writing; `country` is where geoip-lite 1.4
 * places the sample hosts (verified by `geography.test.ts`).
 */

export type CloudProvider = 'aws' | 'gcp' | 'azure' | 'digitalocean';

/** One cloud egress prefix. */
export interface CloudRange {
  provider: CloudProvider;
  region: string;
  cidr: string;
  asn: number;
  country: string;
}

/** All cloud egress prefixes used by the simulator. */
export const CLOUD_RANGES: readonly CloudRange[] = [
  { provider: 'aws', region: 'us-east-1', cidr: '52.20.0.0/14', asn: 14618, country: 'US' },
  { provider: 'aws', region: 'us-east-1', cidr: '54.144.0.0/14', asn: 14618, country: 'US' },
  { provider: 'aws', region: 'us-east-1', cidr: '100.24.0.0/13', asn: 14618, country: 'US' },
  { provider: 'aws', region: 'us-west-2', cidr: '44.224.0.0/11', asn: 16509, country: 'US' },
  { provider: 'aws', region: 'eu-west-1', cidr: '108.128.0.0/13', asn: 16509, country: 'IE' },
  { provider: 'aws', region: 'eu-central-1', cidr: '18.156.0.0/14', asn: 16509, country: 'DE' },
  { provider: 'aws', region: 'ap-northeast-1', cidr: '13.112.0.0/14', asn: 16509, country: 'JP' },
  { provider: 'gcp', region: 'us-central1', cidr: '35.184.0.0/13', asn: 396982, country: 'US' },
  { provider: 'gcp', region: 'us-central1', cidr: '104.154.0.0/15', asn: 396982, country: 'US' },
  { provider: 'gcp', region: 'us-east1', cidr: '35.196.0.0/15', asn: 396982, country: 'US' },
  { provider: 'gcp', region: 'europe-west1', cidr: '34.76.0.0/14', asn: 396982, country: 'BE' },
  { provider: 'azure', region: 'westus', cidr: '104.42.0.0/16', asn: 8075, country: 'US' },
  { provider: 'azure', region: 'westus', cidr: '13.64.0.0/16', asn: 8075, country: 'US' },
  { provider: 'azure', region: 'westeurope', cidr: '104.40.128.0/17', asn: 8075, country: 'NL' },
  { provider: 'digitalocean', region: 'nyc1', cidr: '104.131.0.0/24', asn: 14061, country: 'US' },
  { provider: 'digitalocean', region: 'ams3', cidr: '188.166.0.0/24', asn: 14061, country: 'NL' },
  { provider: 'digitalocean', region: 'fra1', cidr: '159.89.0.0/24', asn: 14061, country: 'DE' },
  { provider: 'digitalocean', region: 'sgp1', cidr: '159.65.0.0/24', asn: 14061, country: 'SG' },
];

/** The prefixes of one provider/region (throws when none). */
export function cloudRangesOf(provider: CloudProvider, region: string): CloudRange[] {
  const found = CLOUD_RANGES.filter((r) => r.provider === provider && r.region === region);
  if (found.length === 0) throw new Error(`no cloud range for ${provider} ${region}`);
  return found;
}
