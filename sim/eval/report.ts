import type { EvalReport } from './score.js';

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function dur(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Renders an {@link EvalReport} as terminal tables: per incident kind, per detector, overall. */
export function formatEvalReport(r: EvalReport): string {
  const o = r.overall;
  const out: string[] = [];
  out.push('Incidents by kind');
  out.push(
    table(
      ['kind', 'detected', 'median time to detect', 'detectors that fired'],
      r.byKind.map((k) => [
        k.kind,
        `${k.detected}/${k.incidents}`,
        dur(k.medianTimeToDetectMs),
        k.detectors.join(', ') || '-',
      ]),
    ),
  );
  const missed = r.incidents.filter((i) => !i.detected);
  if (missed.length > 0)
    out.push(`missed: ${missed.map((m) => `${m.id} (${m.kind}, ${m.entity})`).join('; ')}`);
  out.push('', 'Detectors');
  out.push(
    table(
      ['detector', 'alerts', 'TP', 'FP', 'FP on look-alikes', 'precision'],
      r.detectors.map((d) => [
        d.detector,
        String(d.alerts),
        String(d.truePositives),
        String(d.falsePositives),
        String(d.lookalikeFalsePositives),
        pct(d.precision),
      ]),
    ),
  );
  if (r.falsePositiveClasses.length > 0) {
    out.push('', 'Top false-positive classes (detector x look-alike class)');
    out.push(
      table(
        ['detector', 'look-alike class', 'false alerts', 'share of false alerts'],
        r.falsePositiveClasses
          .slice(0, 10)
          .map((c) => [
            c.detector,
            c.lookalike,
            String(c.falseAlerts),
            pct(c.falseAlerts / Math.max(1, r.overall.falsePositiveAlerts)),
          ]),
      ),
    );
  }
  out.push('', 'Overall');
  out.push(
    table(
      ['metric', 'value'],
      [
        ['incident recall', `${pct(o.recall)} (${o.detected}/${o.incidents})`],
        ['median time to detect', dur(o.medianTimeToDetectMs)],
        ['alerts (TP / FP)', `${o.alerts} (${o.truePositiveAlerts} / ${o.falsePositiveAlerts})`],
        ['alert precision', pct(o.alertPrecision)],
        ['tokens, days', `${o.tokens}, ${o.days.toFixed(1)}`],
        ['false alerts / 1,000 tokens / day', o.falseAlertsPer1000TokensPerDay.toFixed(2)],
        ['look-alikes (false alerts)', `${o.lookalikes} (${o.lookalikeFalseAlerts})`],
        [
          'false alerts / 1,000 tokens / day, look-alikes only',
          o.lookalikeFalseAlertsPer1000TokensPerDay.toFixed(2),
        ],
        [
          'benign alerts per token-week (mean, max, token-weeks with any)',
          `${o.benignAlertsPerTokenWeek.mean.toFixed(3)}, ${o.benignAlertsPerTokenWeek.max}, ${o.benignAlertsPerTokenWeek.tokenWeeksWithAlerts}`,
        ],
      ],
    ),
  );
  return out.join('\n');
}
