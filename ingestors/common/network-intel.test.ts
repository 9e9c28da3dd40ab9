import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAsnDatabase } from './asn-db.js';
import { parseIp } from './ip.js';
import { ASN_CLASSES_FILE, NETWORK_DATA_DIR, readNetworkData } from './network-data.js';
import { NetworkDataError } from './network-data-error.js';
import { buildNetworkIntel, loadNetworkIntelData } from './network-intel.js';

/** Copies of the network data that tests damage live here; removed after this file. */
const work = mkdtempSync(join(tmpdir(), 'tw-netdata-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const intel = buildNetworkIntel();
const classify = (ip: string, n = intel) =>
  n.classify(parseIp(ip) as NonNullable<ReturnType<typeof parseIp>>);

// Addresses below are real hosts of the named networks as the bundled data (data/network, seeded
// 2026-10-05) and the ASN database (@ip-location-db/asn 2026-06-17) place them.
describe('cloud egress, VPN and Tor from the published lists', () => {
  it.each([
    ['54.161.10.20', 'aws'],
    ['35.198.1.1', 'gcp'],
    ['104.45.1.1', 'azure'],
  ])('%s is cloud egress of %s', (ip, provider) => {
    expect(classify(ip)).toMatchObject({ class: 'cloud', cloudProvider: provider });
  });

  // Rented VPS / dedicated-server providers are `hosting`, never `cloud`: the geo detectors treat
  // a data centre the credential never used as suspicious (detectors/network-stance.ts).
  it.each([
    ['45.32.2.9', 'vultr', 20473],
    ['172.104.64.3', 'linode', 63949],
    ['65.108.0.5', 'hetzner', 24940],
    ['51.38.0.5', 'ovh', 16276],
    ['167.99.200.3', 'digitalocean', 14061],
    ['2a01:4f8::1', 'hetzner', 24940],
  ])('%s is rented hosting of %s (AS%s), with no cloud provider', (ip, provider, asn) => {
    const facts = classify(ip);
    expect(facts).toMatchObject({ class: 'hosting', provider, as: { number: asn } });
    expect(facts.cloudProvider).toBeUndefined();
  });

  it.each([
    ['185.220.101.5', 'tor'],
    ['171.25.193.20', 'tor'],
    ['109.70.100.2', 'tor'],
  ])('%s is a Tor exit', (ip) => {
    expect(classify(ip)).toMatchObject({ class: 'tor', provider: 'tor' });
    expect(classify(ip).cloudProvider).toBeUndefined();
  });

  it('classifies Zscaler, Apple Private Relay and Cloudflare WARP egress as vpn', () => {
    expect(classify('165.225.0.1')).toMatchObject({ class: 'vpn', provider: 'zscaler' });
    expect(classify('172.225.46.2')).toMatchObject({ class: 'vpn', provider: 'apple-private-relay' });
    // Cloudflare's own published ranges are cloud; its other space (WARP egress) is vpn by ASN
    expect(classify('104.28.1.1')).toMatchObject({ class: 'vpn', as: { number: 13335 } });
    expect(classify('104.16.1.1')).toMatchObject({ class: 'cloud', cloudProvider: 'cloudflare' });
  });

  // Enterprise security gateways / SDP egress are told apart from consumer VPNs (issue 8: the
  // first people onto an organization's new SDP egress are not anonymizing themselves).
  it.each([
    ['165.225.0.1', 'enterprise_gateway', 'Zscaler, provider file'],
    ['136.226.158.10', 'enterprise_gateway', 'Zscaler Frankfurt, provider file'],
    ['104.28.1.1', 'enterprise_gateway', 'Cloudflare WARP / Zero Trust, by AS13335'],
    ['64.224.160.10', 'enterprise_gateway', 'iboss, by AS396253'],
    ['57.140.0.10', 'enterprise_gateway', 'Menlo Security, by AS62654'],
    ['45.62.176.10', 'enterprise_gateway', 'Cato Networks, by AS13150'],
    ['172.225.46.2', 'relay', 'iCloud Private Relay, provider file'],
    ['103.102.246.3', 'consumer', 'Mullvad exit, provider file'],
    ['103.108.229.18', 'consumer', 'Proton VPN exit, provider file'],
  ])('%s is a %s (%s)', (ip, kind) => {
    expect(classify(ip)).toMatchObject({ class: 'vpn', vpnKind: kind });
  });

  it('names one operator for all of its ASNs', () => {
    // Zscaler announces its ranges from AS22616, AS53813 and AS62044 (Switzerland)
    expect(classify('165.225.2.122')).toMatchObject({ vpnProvider: 'zscaler', as: { number: 22616 } });
    expect(classify('136.226.160.10')).toMatchObject({ vpnProvider: 'zscaler', as: { number: 62044 } });
    expect(classify('64.224.160.10')).toMatchObject({ vpnProvider: 'iboss' });
    expect(classify('103.108.229.18')).toMatchObject({ vpnProvider: 'protonvpn', vpnKind: 'consumer' });
  });

  it('gives no vpn kind outside class vpn', () => {
    expect(classify('54.161.10.20').vpnKind).toBeUndefined();
    expect(classify('185.220.101.5').vpnKind).toBeUndefined();
  });

  it('classifies hosting by ASN where no range list covers the address', () => {
    // ALEXHOST (AS200019, MD) publishes no range file
    expect(classify('176.123.0.5')).toEqual({
      class: 'hosting',
      as: { number: 200019, organization: 'ALEXHOST SRL' },
    });
  });
});

describe('mobile, private and residential', () => {
  it('calls CGNAT 100.64.0.0/10 mobile', () => {
    expect(classify('100.64.1.1')).toEqual({ class: 'mobile' });
    expect(classify('100.127.255.254')).toEqual({ class: 'mobile' });
    // just outside: 100.63.x is AWS, 100.0.x Verizon FiOS broadband
    expect(classify('100.63.255.1').class).toBe('cloud');
    expect(classify('100.0.0.1').class).toBe('residential');
  });

  it('calls a carrier ASN mobile (T-Mobile US AS21928)', () => {
    expect(classify('172.56.20.10')).toMatchObject({ class: 'mobile', as: { number: 21928 } });
  });

  it('calls RFC 1918, loopback, link-local and ULA private', () => {
    for (const ip of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      'fd00::1',
      'fe80::1',
    ])
      expect(classify(ip)).toEqual({ class: 'private' });
  });

  it('calls a home broadband address residential, with its AS', () => {
    expect(classify('73.15.12.5')).toEqual({
      class: 'residential',
      as: { number: 7922, organization: 'Comcast Cable Communications, LLC' },
    });
  });
});

describe('configuration', () => {
  it('corporateCidrs wins over everything (Tor, VPN, cloud, CGNAT, private)', () => {
    const n = buildNetworkIntel({
      corporateCidrs: ['185.220.101.0/24', '165.225.0.0/17', '54.161.0.0/16', '100.64.0.0/10', '10.0.0.0/8'],
      extraCloudCidrs: ['54.161.10.0/24'],
    });
    for (const ip of ['185.220.101.5', '165.225.0.1', '54.161.10.20', '100.64.1.1', '10.1.2.3'])
      expect(classify(ip, n).class).toBe('corporate');
    expect(classify('185.220.101.5', n).as?.number).toBe(60729);
    expect(classify('171.25.193.20', n).class).toBe('tor');
  });

  it('extraCloudCidrs are cloud egress of provider custom, ahead of the bundled lists', () => {
    const n = buildNetworkIntel({ extraCloudCidrs: ['73.15.12.0/24', '2001:db8:42::/48', '165.225.0.0/24'] });
    expect(classify('73.15.12.5', n)).toMatchObject({ class: 'cloud', cloudProvider: 'custom' });
    expect(classify('165.225.0.1', n)).toMatchObject({ class: 'cloud', cloudProvider: 'custom' });
    expect(classify('73.15.13.5', n).class).toBe('residential');
  });

  it('a vendor AS number replaces the database AS', () => {
    expect(intel.classify(parseIp('73.15.12.5') as NonNullable<ReturnType<typeof parseIp>>, 21928)).toEqual({
      class: 'mobile',
      as: { number: 21928, organization: 'T-Mobile USA, Inc.' },
    });
  });
});

describe('data files', () => {
  it('every provider file names its source and date, and the whole set stays small', () => {
    const data = readNetworkData();
    let prefixes = 0;
    for (const p of data.providers) {
      expect(p.source.length).toBeGreaterThan(40);
      expect(Date.parse(p.fetched_at)).toBeGreaterThan(Date.parse('2026-01-01'));
      expect(p.prefixes.length).toBeGreaterThan(0);
      prefixes += p.prefixes.length;
    }
    expect(data.providers.map((p) => p.provider)).toEqual(
      expect.arrayContaining(['aws', 'gcp', 'azure', 'oracle', 'digitalocean', 'linode', 'vultr', 'hetzner']),
    );
    expect(data.providers.map((p) => p.provider)).toEqual(
      expect.arrayContaining(['ovh', 'cloudflare', 'zscaler', 'tor']),
    );
    expect(prefixes).toBeGreaterThan(50_000);
  });

  it('every ASN in asn-classes.json belongs to the organization it names (per the ASN database)', () => {
    const db = loadAsnDatabase();
    const { asnClasses } = readNetworkData();
    const wrong: string[] = [];
    for (const cls of ['vpn', 'mobile', 'hosting'] as const) {
      for (const e of asnClasses[cls]) {
        const org = db.organization(e.asn) ?? '';
        if (!org.toLowerCase().includes(e.org.toLowerCase()))
          wrong.push(`${cls} AS${e.asn} ${e.name}: db says "${org}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  function copyData(): string {
    const dir = mkdtempSync(join(work, 'netdata-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ASN_CLASSES_FILE), readFileSync(join(NETWORK_DATA_DIR, ASN_CLASSES_FILE)));
    writeFileSync(join(dir, 'tor.json'), readFileSync(join(NETWORK_DATA_DIR, 'tor.json')));
    return dir;
  }

  it('a missing folder or file is network_data_missing', () => {
    expect(() => readNetworkData('/nonexistent/tokenwatch-network')).toThrow(
      expect.objectContaining({ name: 'NetworkDataError', code: 'network_data_missing' }),
    );
    const dir = mkdtempSync(join(work, 'netdata-empty-'));
    writeFileSync(join(dir, 'tor.json'), readFileSync(join(NETWORK_DATA_DIR, 'tor.json')));
    expect(() => readNetworkData(dir)).toThrow(expect.objectContaining({ code: 'network_data_missing' }));
  });

  it('a corrupt or schema-violating file is network_data_invalid, naming the file', () => {
    const broken = copyData();
    writeFileSync(join(broken, 'tor.json'), '{"provider": "tor", ');
    expect(() => readNetworkData(broken)).toThrow(NetworkDataError);
    expect(() => readNetworkData(broken)).toThrow(/tor\.json is not JSON/);

    const noDate = copyData();
    const tor = JSON.parse(readFileSync(join(NETWORK_DATA_DIR, 'tor.json'), 'utf8'));
    writeFileSync(join(noDate, 'tor.json'), JSON.stringify({ ...tor, fetched_at: 'yesterday' }));
    expect(() => readNetworkData(noDate)).toThrow(
      expect.objectContaining({ code: 'network_data_invalid', message: expect.stringMatching(/fetched_at/) }),
    );
    expect(() => loadNetworkIntelData(undefined, noDate)).toThrow(NetworkDataError);
  });
});
