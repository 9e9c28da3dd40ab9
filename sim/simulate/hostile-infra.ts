/**
 * Attacker infrastructure: Tor exit relays, rented VPS (bulletproof and mainstream hosting) and
 * consumer VPN exits, plus the corporate SDP/VPN egress used by the N3 look-alike. None of these
 * prefixes is in {@link CLOUD_RANGES}: to the pipeline they are "new network, not a known cloud".
 * Countries are where geoip-lite 1.4 places the hosts (verified by `geography.test.ts`).
 */

export type HostileKind = 'tor' | 'vps' | 'consumer_vpn';

/** One hostile prefix. */
export interface HostileRange {
  kind: HostileKind;
  provider: string;
  asn: number;
  country: string;
  cidr: string;
}

/** Tor exits, VPS and consumer VPN prefixes. */
export const HOSTILE_RANGES: readonly HostileRange[] = [
  {
    kind: 'tor',
    provider: 'Zwiebelfreunde (Tor exits)',
    asn: 60729,
    country: 'DE',
    cidr: '185.220.101.0/24',
  },
  {
    kind: 'tor',
    provider: 'Zwiebelfreunde (Tor exits)',
    asn: 60729,
    country: 'DE',
    cidr: '185.220.100.0/24',
  },
  { kind: 'tor', provider: 'FranTech (Tor exits)', asn: 53667, country: 'LU', cidr: '104.244.72.0/21' },
  { kind: 'tor', provider: 'DFRI (Tor exits)', asn: 198093, country: 'SE', cidr: '171.25.193.0/24' },
  { kind: 'tor', provider: 'Nothing to hide (Tor exits)', asn: 1101, country: 'NL', cidr: '192.42.116.0/24' },
  {
    kind: 'tor',
    provider: 'Applied Privacy (Tor exits)',
    asn: 208323,
    country: 'AT',
    cidr: '109.70.100.0/24',
  },
  { kind: 'vps', provider: 'ALEXHOST', asn: 200019, country: 'MD', cidr: '176.123.0.0/24' },
  { kind: 'vps', provider: 'ALEXHOST', asn: 200019, country: 'MD', cidr: '176.123.8.0/24' },
  { kind: 'vps', provider: 'Hetzner', asn: 24940, country: 'FI', cidr: '65.108.0.0/24' },
  { kind: 'vps', provider: 'Hetzner', asn: 24940, country: 'DE', cidr: '5.75.128.0/24' },
  { kind: 'vps', provider: 'Scaleway', asn: 12876, country: 'FR', cidr: '195.154.0.0/24' },
  { kind: 'vps', provider: 'OVH', asn: 16276, country: 'FR', cidr: '51.38.0.0/24' },
  { kind: 'vps', provider: 'OVH', asn: 16276, country: 'CA', cidr: '54.39.0.0/24' },
  { kind: 'vps', provider: 'Vultr', asn: 20473, country: 'JP', cidr: '45.32.8.0/24' },
  { kind: 'vps', provider: 'Vultr', asn: 20473, country: 'US', cidr: '45.32.2.0/24' },
  { kind: 'vps', provider: 'Akamai Linode', asn: 63949, country: 'JP', cidr: '172.104.64.0/24' },
  {
    kind: 'consumer_vpn',
    provider: 'M247 (Mullvad exits)',
    asn: 9009,
    country: 'SE',
    cidr: '146.70.16.0/24',
  },
  {
    kind: 'consumer_vpn',
    provider: 'M247 (Mullvad exits)',
    asn: 9009,
    country: 'NL',
    cidr: '146.70.35.0/24',
  },
  {
    kind: 'consumer_vpn',
    provider: 'M247 (Mullvad exits)',
    asn: 9009,
    country: 'CH',
    cidr: '146.70.26.0/24',
  },
  { kind: 'consumer_vpn', provider: 'M247 (Mullvad exits)', asn: 9009, country: 'RO', cidr: '146.70.0.0/24' },
];

/** Corporate SDP / secure web gateway egress (N3 VPN rollout), by region. */
export interface SdpRange {
  provider: string;
  asn: number;
  country: string;
  cidr: string;
}

/** Zscaler-like egress blocks by country. */
export const SDP_RANGES: readonly SdpRange[] = [
  { provider: 'Zscaler', asn: 53813, country: 'US', cidr: '165.225.0.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'US', cidr: '165.225.2.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'GB', cidr: '165.225.16.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'DE', cidr: '165.225.24.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'IN', cidr: '165.225.104.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'JP', cidr: '165.225.96.0/24' },
];

/**
 * The secondary Zscaler data centre of each region (another /16 and often another AS than
 * {@link SDP_RANGES}): Zscaler Client Connector moves a person there when the primary node is in
 * maintenance or slow (noise.ts, node failover; ASNs as @ip-location-db/asn gives them).
 */
export const SDP_SECONDARY_RANGES: readonly SdpRange[] = [
  { provider: 'Zscaler', asn: 22616, country: 'US', cidr: '136.226.10.0/24' },
  { provider: 'Zscaler', asn: 62044, country: 'GB', cidr: '147.161.140.0/24' },
  { provider: 'Zscaler', asn: 62044, country: 'DE', cidr: '136.226.158.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'IN', cidr: '136.226.224.0/24' },
  { provider: 'Zscaler', asn: 53813, country: 'JP', cidr: '147.161.200.0/24' },
];
