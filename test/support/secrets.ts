import { rng } from './fuzz.js';

/**
 * Planted secrets for the secret corpus test (test/e2e/secret-corpus.test.ts): every credential
 * shape issue 12 lists, each with a random body (so any leaked 12-character window is found), in
 * every variant an attacker-written log field can carry it (plain, glued to other characters,
 * URL-encoded, inside a URL, behind a header name). Formats follow the vendors' published token
 * shapes (GitHub: https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/;
 * Google OAuth `ya29.` / `1//0`, API keys `AIza` + 35; AWS `AKIA`/`ASIA` + 16 and a 40-character
 * secret; Salesforce `00D` org id `!` session; Slack `xox[abpr]-`; JWT `eyJ..`.`eyJ..`.sig).
 */

/** One planted secret: `text` is what is written into the record, `secret` the part that must vanish. */
export interface Plant {
  id: number;
  shape: string;
  variant: string;
  secret: string;
  text: string;
  /** Windows of `secret` are checked from this index (a JWT's header is the same in every JWT). */
  windowFrom: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64URL = `${ALNUM}-_`;

function chars(r: () => number, set: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += set[Math.floor(r() * set.length)];
  return s;
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** Secret generators: shape name -> [secret, text it is planted as (default: the secret)]. */
function shapes(r: () => number): Record<string, () => { secret: string; text?: string }> {
  return {
    ghp: () => ({ secret: `ghp_${chars(r, ALNUM, 36)}` }),
    gho: () => ({ secret: `gho_${chars(r, ALNUM, 36)}` }),
    ghu: () => ({ secret: `ghu_${chars(r, ALNUM, 36)}` }),
    ghs: () => ({ secret: `ghs_${chars(r, ALNUM, 36)}` }),
    ghr: () => ({ secret: `ghr_${chars(r, ALNUM, 36)}` }),
    github_pat: () => ({ secret: `github_pat_11${chars(r, UPPER, 20)}_${chars(r, ALNUM, 59)}` }),
    ya29: () => ({ secret: `ya29.a0${chars(r, B64URL, 80)}` }),
    google_refresh: () => ({ secret: `1//0${chars(r, ALNUM, 2)}${chars(r, B64URL, 60)}` }),
    aiza: () => ({ secret: `AIza${chars(r, B64URL, 35)}` }),
    akia: () => ({ secret: `AKIA${chars(r, UPPER, 16)}` }),
    asia: () => ({ secret: `ASIA${chars(r, UPPER, 16)}` }),
    aws_secret: () => {
      const secret = chars(r, `${ALNUM}+/`, 40);
      return { secret, text: `AKIA${chars(r, UPPER, 16)}:${secret}` };
    },
    aws_secret_kv: () => {
      const secret = chars(r, `${ALNUM}+/`, 40);
      return { secret, text: `aws_secret_access_key=${secret}` };
    },
    salesforce_sid: () => ({
      secret: `00D${chars(r, ALNUM, 15)}!AQ${chars(r, ALNUM, 20)}.${chars(r, ALNUM, 60)}`,
    }),
    slack_b: () => ({
      secret: `xoxb-${chars(r, '0123456789', 12)}-${chars(r, '0123456789', 13)}-${chars(r, ALNUM, 24)}`,
    }),
    slack_p: () => ({ secret: `xoxp-${chars(r, '0123456789', 12)}-${chars(r, ALNUM, 32)}` }),
    slack_a: () => ({ secret: `xoxa-2-${chars(r, ALNUM, 40)}` }),
    slack_r: () => ({ secret: `xoxr-${chars(r, ALNUM, 40)}` }),
    jwt: () => ({
      secret: `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(`{"sub":"${chars(r, ALNUM, 12)}","exp":1999999999}`)}.${chars(r, B64URL, 86)}`,
    }),
    bearer_header: () => {
      const secret = chars(r, ALNUM, 40);
      return { secret, text: `Authorization: Bearer ${secret}` };
    },
    bearer_lower: () => {
      const secret = chars(r, B64URL, 32);
      return { secret, text: `authorization=bearer%20${secret}` };
    },
    basic_header: () => {
      const secret = Buffer.from(`svc-${chars(r, ALNUM, 6)}:${chars(r, ALNUM, 18)}`).toString('base64');
      return { secret, text: `Authorization: Basic ${secret}` };
    },
    url_userinfo: () => {
      const secret = `p${chars(r, ALNUM, 19)}`;
      return { secret, text: `https://deploy:${secret}@git.example.com/org/repo.git` };
    },
    url_access_token: () => {
      const secret = chars(r, B64URL, 40);
      return { secret, text: `https://api.example.com/v1/items?foo=1&access_token=${secret}` };
    },
  };
}

/** How a planted string is embedded into a field value. */
const VARIANTS: Record<string, (s: string) => string> = {
  plain: (s) => s,
  in_text: (s) => `user pasted ${s} into the form`,
  glued_prefix: (s) => `backup_${s}`,
  glued_suffix: (s) => `${s}_old`,
  glued_letters: (s) => `key${s}x`,
  url_encoded: (s) => `https://x.example/cb?token%3D${encodeURIComponent(s)}%26next%3D1`,
  form_encoded: (s) => `q=1&token=${encodeURIComponent(s)}`,
  quoted: (s) => `"${s}"`,
};

/** Every shape in every variant, with fresh random bodies; ids from `firstId`. */
export function plants(seed: number, firstId = 0): Plant[] {
  const r = rng(seed);
  const gens = shapes(r);
  const out: Plant[] = [];
  let id = firstId;
  for (const [shape, gen] of Object.entries(gens)) {
    for (const [variant, wrap] of Object.entries(VARIANTS)) {
      const g = gen();
      out.push({
        id: id++,
        shape,
        variant,
        secret: g.secret,
        text: wrap(g.text ?? g.secret),
        windowFrom: shape === 'jwt' ? g.secret.indexOf('.') + 17 : 0,
      });
    }
  }
  return out;
}

/**
 * Index of every 12-character window (and URL-encoded window) of the planted secrets, so an
 * output is scanned once for all of them: window -> plant ids.
 */
export function windowIndex(all: readonly Plant[]): Map<string, Set<number>> {
  const index = new Map<string, Set<number>>();
  const add = (w: string, id: number) => {
    const set = index.get(w) ?? new Set<number>();
    set.add(id);
    index.set(w, set);
  };
  for (const p of all) {
    for (let i = p.windowFrom; i + 12 <= p.secret.length; i++) add(p.secret.slice(i, i + 12), p.id);
  }
  return index;
}

/** Plant ids whose secret has a 12-character window in `text` (raw or URL-decoded view). */
export function leakedIds(text: string, index: Map<string, Set<number>>): Set<number> {
  const found = new Set<number>();
  const scan = (t: string) => {
    for (let i = 0; i + 12 <= t.length; i++) {
      const hit = index.get(t.slice(i, i + 12));
      if (hit) for (const id of hit) found.add(id);
    }
  };
  scan(text);
  if (/%[0-9a-f]{2}/i.test(text)) {
    scan(text.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))));
  }
  return found;
}

/** Where `plant.secret` (in full, any 12-character window, or URL-encoded) occurs in `text`. */
export function leakIn(text: string, plant: Plant): string | undefined {
  const s = plant.secret;
  if (text.includes(s)) return 'full';
  const enc = encodeURIComponent(s);
  if (enc !== s && text.includes(enc)) return 'url-encoded';
  for (let i = plant.windowFrom; i + 12 <= s.length; i++) {
    const w = s.slice(i, i + 12);
    if (text.includes(w)) return `window ${w}`;
    const we = encodeURIComponent(w);
    if (we !== w && text.includes(we)) return `url-encoded window ${we}`;
  }
  return undefined;
}
