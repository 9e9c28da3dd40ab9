import { ScenarioError } from '../../sim/simulate/scenario.js';
import { simulate } from '../../sim/simulate/simulate.js';
import { InputError } from '../errors.js';

/** Population presets for `tokenwatch simulate --preset`. */
export const SIMULATE_PRESETS = {
  /** The committed demo: dozens of tokens, six weeks. */
  demo: { people: 20, days: 42 },
  /** CI-sized quality-gate dataset: every scenario kind, runs in seconds. */
  ci: { people: 30, days: 105, volume: 0.5 },
  /**
   * The quality gate's dataset: the world's noise (noise.ts: IPv6 and carrier addresses known only
   * to their country, phones between Wi-Fi and carrier, homes behind a VPS, logouts, failed logins,
   * re-consents, first-time admin work), 190 days so two quarterly backfills (N5) are in view,
   * sized to evaluate within about a minute on two cores.
   */
  realistic: { people: 16, days: 190, volume: 0.35, noise: true },
  /** Benchmark size: 100,000 tokens, 30 days. */
  large: { tokens: 100_000, days: 30, incidents: 'none' as const },
} as const;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InputError(`--${name} must be a number, got "${v}"`);
  return n;
}

/** `--scenarios`: `standard`, `all`, `none`, or a comma-separated list of scenario ids / module paths. */
function scenarioOption(v: string): 'standard' | 'all' | 'none' | string[] {
  if (v === 'standard' || v === 'all' || v === 'none') return v;
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new InputError('--scenarios: give standard, all, none or scenario ids');
  return list;
}

/** `tokenwatch simulate`: writes a labeled dataset and prints what it wrote. */
export async function runSimulateCommand(opts: {
  out: string;
  seed: string;
  tokens?: string;
  days?: string;
  start?: string;
  preset?: string;
  scenarios?: string;
}): Promise<void> {
  let preset: Record<string, unknown> = {};
  if (opts.preset) {
    const p = SIMULATE_PRESETS[opts.preset as keyof typeof SIMULATE_PRESETS];
    if (!p) throw new InputError(`unknown preset "${opts.preset}" (demo, ci, realistic, large)`);
    preset = { ...p };
  }
  const tokens = num('tokens', opts.tokens);
  const days = num('days', opts.days);
  const t0 = performance.now();
  let summary: Awaited<ReturnType<typeof simulate>>;
  try {
    summary = await simulate({
      ...preset,
      outDir: opts.out,
      seed: num('seed', opts.seed) ?? 42,
      ...(tokens !== undefined ? { tokens, people: undefined } : {}),
      ...(days !== undefined ? { days } : {}),
      ...(opts.start ? { start: opts.start } : {}),
      ...(opts.scenarios === undefined ? {} : { scenarios: scenarioOption(opts.scenarios) }),
    });
  } catch (cause) {
    if (cause instanceof ScenarioError) throw new InputError(cause.message, { cause });
    if (cause instanceof Error && cause.name === 'ZodError') {
      throw new InputError(`invalid simulate options: ${cause.message}`, { cause });
    }
    throw cause;
  }
  const secs = (performance.now() - t0) / 1000;
  const r = summary.records;
  process.stdout.write(
    `${[
      `simulated ${summary.start} .. ${summary.end} (seed ${summary.seed}): ${summary.orgs} org(s), ${summary.people} people, ${summary.tokens} tokens`,
      `records: github ${r.github}, google_workspace ${r.google_workspace}, salesforce ${r.salesforce} (${summary.events} events) in ${secs.toFixed(1)} s`,
      `incidents: ${summary.incidents} (${summary.maliciousEvents} malicious events), look-alikes: ${summary.lookalikes}`,
      `labels: ${summary.labelsPath}`,
      ...summary.notes.map((n) => `note: ${n}`),
      '',
      `next: tokenwatch eval ${summary.outDir}`,
    ].join('\n')}\n`,
  );
}
