import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VPN_KINDS } from '../../schemas/token-activity.js';
import { NetworkDataError } from './network-data-error.js';

/**
 * Network-intelligence data files in `data/network/` (refreshed by `npm run refresh:network`, see
 * `scripts/refresh-network-data.ts`):
 * - `<provider>.json`: one provider's published address ranges ({@link ProviderRangesFile});
 * - `asn-classes.json`: autonomous systems whose address space is all hosting, VPN/SDP egress or
 *   mobile-carrier pools ({@link AsnClassesFile}), for addresses no range list covers.
 * Every file names its source and the date its content was fetched or reviewed; both are logged
 * at start-up. Files are validated with zod; a missing or invalid file is a
 * {@link NetworkDataError}, never a silent empty table.
 */

/** Folder of the bundled data files (`<repo>/data/network`). */
export const NETWORK_DATA_DIR = fileURLToPath(new URL('../../data/network/', import.meta.url));

/** Classes a range list can assign (`corporate`, `private`, `mobile`, `residential` come from elsewhere). */
export const RANGE_CLASSES = ['cloud', 'hosting', 'vpn', 'tor'] as const;

const isoDate = z.string().datetime({ offset: true });

/** Schema of one `data/network/<provider>.json` file. */
export const providerRangesFileSchema = z
  .object({
    /** Short provider id, also `tokenwatch.network.cloud_provider` for class `cloud` (`aws`, `vultr`). */
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    /** Human name (`Amazon Web Services`). */
    name: z.string().min(1),
    class: z.enum(RANGE_CLASSES),
    /** For class `vpn` (required there, absent elsewhere): which kind of VPN egress (`enterprise_gateway`, `consumer`, `relay`). */
    vpn_kind: z.enum(VPN_KINDS).optional(),
    /** Where the prefixes came from, in words (package, file, official feed it was compiled from). */
    source: z.string().min(1),
    /** The provider's own published range file(s) that `refresh:network` downloads. */
    urls: z.array(z.string().url()),
    /** When the content was fetched from its source (ISO 8601). */
    fetched_at: isoDate,
    /** CIDRs (IPv4 and IPv6). May be empty only when `source` says why. */
    prefixes: z.array(z.string().min(3)),
  })
  .strict()
  .refine((f) => (f.class === 'vpn') === (f.vpn_kind !== undefined), {
    message: 'vpn_kind is required for class vpn and only there',
    path: ['vpn_kind'],
  });
export type ProviderRangesFile = z.infer<typeof providerRangesFileSchema>;

const asnEntrySchema = z
  .object({
    asn: z.number().int().positive(),
    /** Operator as commonly known (`Zscaler`, `T-Mobile US`). */
    name: z.string().min(1),
    /** Substring expected in the ASN database's organization name (checked by tests). */
    org: z.string().min(1),
  })
  .strict();

/** A `vpn` entry of `asn-classes.json`: also says which operator and kind of VPN egress the AS carries. */
const vpnAsnEntrySchema = asnEntrySchema
  .extend({
    kind: z.enum(VPN_KINDS),
    /** The operator's id (`zscaler`), the same as its range file's `provider` where one exists. */
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  })
  .strict();

/** Schema of `data/network/asn-classes.json`. */
export const asnClassesFileSchema = z
  .object({
    source: z.string().min(1),
    /** When the table was last reviewed against its sources (ISO 8601). */
    reviewed_at: isoDate,
    vpn: z.array(vpnAsnEntrySchema),
    mobile: z.array(asnEntrySchema),
    hosting: z.array(asnEntrySchema),
  })
  .strict();
export type AsnClassesFile = z.infer<typeof asnClassesFileSchema>;

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new NetworkDataError('network_data_missing', `cannot read network data file ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new NetworkDataError('network_data_invalid', `${path} is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function validate<T>(schema: z.ZodType<T>, path: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new NetworkDataError('network_data_invalid', `${path} is invalid: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** Everything in a network data folder. */
export interface NetworkData {
  providers: ProviderRangesFile[];
  asnClasses: AsnClassesFile;
}

/** The ASN class table file name inside the data folder. */
export const ASN_CLASSES_FILE = 'asn-classes.json';

/**
 * Reads and validates every file of a network data folder (default {@link NETWORK_DATA_DIR}).
 * @throws NetworkDataError `network_data_missing` (folder or `asn-classes.json` unreadable, or no
 *   provider file), `network_data_invalid` (not JSON, schema violation, duplicate provider id).
 */
export function readNetworkData(dir: string = NETWORK_DATA_DIR): NetworkData {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (cause) {
    throw new NetworkDataError('network_data_missing', `cannot read network data folder ${dir}`, { cause });
  }
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  const asnClasses = validate(
    asnClassesFileSchema,
    base + ASN_CLASSES_FILE,
    readJson(base + ASN_CLASSES_FILE),
  );
  const providers: ProviderRangesFile[] = [];
  const seen = new Set<string>();
  for (const name of names.sort()) {
    if (name === ASN_CLASSES_FILE) continue;
    const file = validate(providerRangesFileSchema, base + name, readJson(base + name));
    if (seen.has(file.provider))
      throw new NetworkDataError(
        'network_data_invalid',
        `${base + name}: provider ${file.provider} appears twice`,
      );
    seen.add(file.provider);
    providers.push(file);
  }
  if (providers.length === 0)
    throw new NetworkDataError('network_data_missing', `no provider range file in ${dir}`);
  return { providers, asnClasses };
}
