/**
 * The provider range files of `data/network/`: where each provider publishes its own ranges (what
 * `npm run refresh:network` downloads and how it reads them) and what seeds the file where that
 * download cannot run (see scripts/seed-network-data.ts).
 *
 * Official feeds (as documented by each provider):
 * - AWS: https://ip-ranges.amazonaws.com/ip-ranges.json (docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html)
 * - Google Cloud: https://www.gstatic.com/ipranges/cloud.json; all Google: https://www.gstatic.com/ipranges/goog.json
 *   (support.google.com/a/answer/10026322)
 * - Azure: Service Tags JSON, linked weekly from https://www.microsoft.com/en-us/download/details.aspx?id=56519
 *   (the file name changes every week; the script follows the page's link)
 * - Oracle Cloud: https://docs.oracle.com/iaas/tools/public_ip_ranges.json
 * - DigitalOcean: https://digitalocean.com/geo/google.csv (RFC 8805 geofeed)
 * - Linode (Akamai Cloud): https://geoip.linode.com/ (RFC 8805 geofeed)
 * - Vultr: https://geofeed.constant.com/?text (RFC 8805 geofeed)
 * - Cloudflare: https://www.cloudflare.com/ips-v4 and https://www.cloudflare.com/ips-v6
 * - GitHub: https://api.github.com/meta
 * - Zscaler: https://config.zscaler.com/api/zscaler.net/cenr/json (Cloud Enforcement Node ranges)
 * - Tor exits: https://check.torproject.org/torbulkexitlist (TorDNSEL bulk exit list)
 * - Hetzner, OVHcloud and the smaller hosters publish no range file: refresh derives them from the
 *   ranges their ASNs announce in `@ip-location-db/asn` (RouteViews).
 * - Mullvad: https://api.mullvad.net/www/relays/all/ (relay list; `ipv4_addr_in`/`ipv6_addr_in`)
 * - Proton VPN: https://api.protonvpn.ch/vpn/logicals (server list; `ExitIP`)
 * - Apple iCloud Private Relay: https://mask-api.icloud.com/egress-ip-ranges.csv (RFC 8805 geofeed)
 */
import type { VpnKind } from '../schemas/token-activity.js';

/** How refresh reads a provider's official feed. */
export type FeedFormat =
  | 'aws'
  | 'google'
  | 'azure'
  | 'oracle'
  | 'geofeed'
  | 'plain'
  | 'github'
  | 'zscaler'
  | 'mullvad'
  | 'proton'
  | 'asn';

/** One provider file. */
export interface ProviderSpec {
  id: string;
  name: string;
  class: 'cloud' | 'hosting' | 'vpn' | 'tor';
  /** For class `vpn`: which kind of VPN egress (written as the file's `vpn_kind`). */
  vpnKind?: VpnKind;
  /** Official feed URLs (empty for ASN-derived providers). */
  urls: string[];
  format: FeedFormat;
  /** ASNs whose announced ranges make up the provider (format `asn`, and the Zscaler seed). */
  asns?: number[];
  /**
   * What seeds the file without internet access (feed providers only: format `asn` providers are
   * rebuilt offline by `refresh-network-data.ts --offline`).
   */
  seed?: { kind: 'iporigin'; labels: string[]; upstream: string } | { kind: 'asn'; asns: number[] };
}

const iporigin = (labels: string[], upstream: string) => ({ kind: 'iporigin' as const, labels, upstream });

/** Every provider file of data/network. */
export const PROVIDERS: readonly ProviderSpec[] = [
  {
    id: 'aws',
    name: 'Amazon Web Services',
    class: 'cloud',
    urls: ['https://ip-ranges.amazonaws.com/ip-ranges.json'],
    format: 'aws',
    seed: iporigin(
      ['Amazon AWS', 'Amazonbot'],
      'ip-ranges.amazonaws.com/ip-ranges.json (Amazonbot: AWS addresses iporigin files under its crawler)',
    ),
  },
  {
    id: 'gcp',
    name: 'Google Cloud',
    class: 'cloud',
    urls: ['https://www.gstatic.com/ipranges/cloud.json'],
    format: 'google',
    seed: iporigin(['Google Cloud'], 'gstatic.com/ipranges/cloud.json'),
  },
  {
    id: 'google',
    name: 'Google (non-Cloud services, e.g. Apps Script egress)',
    class: 'cloud',
    urls: ['https://www.gstatic.com/ipranges/goog.json'],
    format: 'google',
    seed: iporigin(
      ['Google', 'Googlebot'],
      'gstatic.com/ipranges/goog.json minus cloud.json (Googlebot: Google addresses iporigin files under its crawler)',
    ),
  },
  {
    id: 'azure',
    name: 'Microsoft Azure',
    class: 'cloud',
    urls: ['https://www.microsoft.com/en-us/download/details.aspx?id=56519'],
    format: 'azure',
    seed: iporigin(['Microsoft Azure'], 'the Azure Service Tags JSON'),
  },
  {
    id: 'oracle',
    name: 'Oracle Cloud Infrastructure',
    class: 'cloud',
    urls: ['https://docs.oracle.com/iaas/tools/public_ip_ranges.json'],
    format: 'oracle',
    seed: iporigin(['Oracle Cloud'], 'docs.oracle.com/iaas/tools/public_ip_ranges.json'),
  },
  {
    id: 'digitalocean',
    name: 'DigitalOcean',
    class: 'hosting',
    urls: ['https://digitalocean.com/geo/google.csv'],
    format: 'geofeed',
    seed: iporigin(['DigitalOcean'], 'digitalocean.com/geo/google.csv'),
  },
  {
    id: 'linode',
    name: 'Linode (Akamai Cloud)',
    class: 'hosting',
    urls: ['https://geoip.linode.com/'],
    format: 'geofeed',
    seed: iporigin(['Linode'], "Linode's RFC 8805 geofeed"),
  },
  {
    id: 'vultr',
    name: 'Vultr',
    class: 'hosting',
    urls: ['https://geofeed.constant.com/?text'],
    format: 'geofeed',
    seed: iporigin(['Vultr'], 'geofeed.constant.com'),
  },
  {
    id: 'hetzner',
    name: 'Hetzner Online',
    class: 'hosting',
    urls: [],
    format: 'asn',
    asns: [24940, 213230, 212317],
  },
  {
    id: 'ovh',
    name: 'OVHcloud',
    class: 'hosting',
    urls: [],
    format: 'asn',
    asns: [16276, 35540],
  },
  {
    id: 'cloudflare',
    name: 'Cloudflare (edge and Workers egress)',
    class: 'cloud',
    urls: ['https://www.cloudflare.com/ips-v4', 'https://www.cloudflare.com/ips-v6'],
    format: 'plain',
    seed: iporigin(['Cloudflare'], 'cloudflare.com/ips-v4 and ips-v6'),
  },
  {
    id: 'github',
    name: 'GitHub (hooks, Actions, Codespaces egress)',
    class: 'cloud',
    urls: ['https://api.github.com/meta'],
    format: 'github',
    seed: iporigin(['GitHub'], 'api.github.com/meta'),
  },
  {
    id: 'ibm',
    name: 'IBM Cloud',
    class: 'cloud',
    urls: [],
    format: 'asn',
    asns: [36351],
  },
  {
    id: 'alibaba',
    name: 'Alibaba Cloud',
    class: 'cloud',
    urls: [],
    format: 'asn',
    asns: [45102],
  },
  {
    id: 'scaleway',
    name: 'Scaleway',
    class: 'hosting',
    urls: [],
    format: 'asn',
    asns: [12876],
  },
  {
    id: 'hosting-other',
    name: 'Other hosting providers (Leaseweb, Contabo, UpCloud, Rackspace, Tencent Cloud, Huawei Cloud, BuyVM, Melbicom, GTHost, Scalaxy, GleSYS, Vercel, DataCamp)',
    class: 'hosting',
    urls: [],
    format: 'asn',
    asns: [
      60781, 16265, 28753, 51167, 40021, 202053, 27357, 132203, 136907, 53667, 8849, 63023, 58061, 42708,
      212238,
    ],
  },
  {
    id: 'zscaler',
    name: 'Zscaler (Internet Access cloud enforcement nodes)',
    class: 'vpn',
    vpnKind: 'enterprise_gateway',
    urls: ['https://config.zscaler.com/api/zscaler.net/cenr/json'],
    format: 'zscaler',
    seed: { kind: 'asn', asns: [22616, 53813, 62044] },
  },
  {
    id: 'mullvad',
    name: 'Mullvad VPN exits',
    class: 'vpn',
    vpnKind: 'consumer',
    urls: ['https://api.mullvad.net/www/relays/all/'],
    format: 'mullvad',
    seed: iporigin(['Mullvad'], 'the Mullvad relay list (via lord-alfred/ipranges, CC0)'),
  },
  {
    id: 'protonvpn',
    name: 'Proton VPN exits',
    class: 'vpn',
    vpnKind: 'consumer',
    urls: ['https://api.protonvpn.ch/vpn/logicals'],
    format: 'proton',
    seed: iporigin(['ProtonVPN'], 'the Proton VPN server list (via lord-alfred/ipranges, CC0)'),
  },
  {
    id: 'apple-private-relay',
    name: 'Apple iCloud Private Relay egress',
    class: 'vpn',
    vpnKind: 'relay',
    urls: ['https://mask-api.icloud.com/egress-ip-ranges.csv'],
    format: 'geofeed',
    seed: iporigin(['Apple Private Relay'], 'mask-api.icloud.com/egress-ip-ranges.csv'),
  },
  {
    id: 'tor',
    name: 'Tor exit relays',
    class: 'tor',
    urls: ['https://check.torproject.org/torbulkexitlist'],
    format: 'plain',
    seed: iporigin(['Tor'], 'check.torproject.org exit lists'),
  },
];
