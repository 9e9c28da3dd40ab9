/**
 * `simulate(options)`: builds the population, plans incidents, then generates benign traffic hour
 * by hour (people, machines, credential lifecycle), merges the incident events, applies delivery
 * noise (late records, latent ELF duplicates) and streams everything to raw vendor files plus
 * `labels.json`. Memory is bounded by one hour of traffic plus the (small) incident events.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeIncident } from './attack-types.js';
import { planIncidents } from './attacks.js';
import { writeBadInputs } from './bad-inputs.js';
import { personHour } from './behaviour-people.js';
import { servicesHour } from './behaviour-services.js';
import { DAY_MS, HOUR_MS, isoDate, parseStartDate } from './calendar.js';
import type { GenContext } from './context.js';
import type { EmitSink, Emitted } from './emitted.js';
import { type IncidentLabel, type LabelsFile, type LookalikeLabel, labelsFileSchema } from './labels.js';
import { lifecycleEvents } from './lifecycle.js';
import { lookalikeLabels } from './lookalikes.js';
import { noisePersonHour } from './noise.js';
import { parseSimulateOptions, type SimulateOptionsInput, STANDARD_SCENARIOS } from './options.js';
import { forgetDaysBefore, personDay } from './person-day.js';
import { buildPopulation, CREDS_PER_PERSON } from './population.js';
import { rngFor } from './prng.js';
import type { ScenarioAppEntry } from './scenario.js';
import { type LoadedScenario, loadScenarios, placeScenario } from './scenarios.js';
import { type FileStat, OutputWriter } from './writer.js';

/** What {@link simulate} wrote. */
export interface SimulationSummary {
  outDir: string;
  seed: number;
  start: string;
  end: string;
  orgs: number;
  people: number;
  tokens: number;
  /** Raw records per source (GWS counts activities; one activity can hold several events). */
  records: { github: number; google_workspace: number; salesforce: number };
  /** Normalized events the records expand to (`event.id`s). */
  events: number;
  incidents: number;
  maliciousEvents: number;
  lookalikes: number;
  files: FileStat[];
  labelsPath: string;
  notes: string[];
}

/** Default population size when neither `people` nor `tokens` is given. */
export const DEFAULT_PEOPLE = 40;

/** Runs a simulation and writes it to `options.outDir`. */
export async function simulate(input: SimulateOptionsInput): Promise<SimulationSummary> {
  const options = parseSimulateOptions(input);
  const start = parseStartDate(options.start);
  const people =
    options.people ??
    (options.tokens !== undefined
      ? Math.max(4 * options.orgs, Math.round(options.tokens / CREDS_PER_PERSON))
      : DEFAULT_PEOPLE);
  const pop = buildPopulation({
    seed: options.seed,
    start,
    days: options.days,
    orgs: options.orgs,
    people,
    volume: options.volume,
    sfMonitoring: options.sfMonitoring,
    lookalikes: options.lookalikes,
  });
  if (options.noise) pop.noise = true;
  const plans = planIncidents(pop, options);
  mkdirSync(options.outDir, { recursive: true });
  const writer = new OutputWriter(options.outDir, pop, {
    split: options.split,
    gwsPageSize: options.gwsPageSize,
    seed: options.seed,
  });
  const startHour = Math.floor(pop.start / HOUR_MS);
  const endHour = Math.floor(pop.end / HOUR_MS);
  const pending = new Map<number, Emitted[]>();
  const noise = rngFor(options.seed, 'delivery-noise');
  const counts = { github: 0, google_workspace: 0, salesforce: 0 };
  let events = 0;
  const enqueue = (e: Emitted): void => {
    const h = Math.max(startHour, Math.floor(e.arrival / HOUR_MS));
    let list = pending.get(h);
    if (!list) {
      list = [];
      pending.set(h, list);
    }
    list.push(e);
  };
  const sink: EmitSink = {
    push(e) {
      if (e.source === 'salesforce' && e.channel === 'elf') {
        if (noise.chance(options.lateFraction / 2)) e.arrival += noise.int(2, 8) * HOUR_MS;
        if (noise.chance(options.duplicateFraction))
          enqueue({ ...e, arrival: e.arrival + noise.int(1, 6) * HOUR_MS });
      }
      enqueue(e);
    },
  };
  const ctx: GenContext = {
    pop,
    seed: options.seed,
    volume: options.volume,
    machineVolume: options.machineVolume ?? options.volume,
    lateFraction: options.lateFraction,
    sink,
  };
  // incidents first (they may add credentials), then lifecycle and look-alikes
  const incidents: IncidentLabel[] = [];
  let maliciousEvents = 0;
  for (const plan of plans) {
    const out = plan.generate();
    out.events = out.events.filter((e) => e.t >= pop.start && e.t < pop.end);
    if (out.events.length === 0) {
      pop.notes.push(`${plan.id}: no malicious event falls inside the span; skipped`);
      continue;
    }
    const { label, events: evs } = finalizeIncident(plan, out);
    incidents.push(label);
    maliciousEvents += label.event_ids.length;
    for (const e of evs) enqueue(e);
  }
  // scenario modules (detectors/<id>/scenarios/*.ts): placed after the built-in incidents
  const scenarioLookalikes: LookalikeLabel[] = [];
  const apps: ScenarioAppEntry[] = [];
  for (const [i, loaded] of (await scenariosToPlace(options)).entries()) {
    const placed = placeScenario(pop, loaded, i);
    if (placed === undefined) continue;
    for (const e of placed.events) enqueue(e);
    if (placed.incident) {
      incidents.push(placed.incident);
      maliciousEvents += placed.incident.event_ids.length;
    }
    if (placed.lookalike) scenarioLookalikes.push(placed.lookalike);
    apps.push(...placed.apps);
  }
  for (const e of lifecycleEvents(ctx)) enqueue(e);
  const lookalikes = [...lookalikeLabels(pop), ...scenarioLookalikes];
  const write = (batch: Emitted[]): void => {
    batch.sort((a, b) => a.arrival - b.arrival);
    for (const e of batch) {
      writer.write(e);
      counts[e.source]++;
      events += e.source === 'google_workspace' ? e.rec.events.length : 1;
    }
  };
  for (let h = startHour; h < endHour; h++) {
    const hourStart = h * HOUR_MS;
    for (const tenant of pop.tenants) servicesHour(ctx, tenant, hourStart);
    for (const p of pop.people) personHour(ctx, p, hourStart);
    if (pop.noise) {
      const day = Math.floor((hourStart - pop.start) / DAY_MS);
      for (const p of pop.people) noisePersonHour(ctx, p, personDay(pop, p, day), hourStart);
    }
    const batch = pending.get(h);
    pending.delete(h);
    if (batch) write(batch);
    const newDay = (h + 1) % 24 === 0;
    if (newDay) forgetDaysBefore(Math.floor((hourStart - pop.start) / DAY_MS) - 1);
    await writer.flush(newDay ? isoDate(hourStart - 2 * DAY_MS) : undefined);
  }
  // records still in flight when the span ends are delivered after it
  for (const h of [...pending.keys()].sort((a, b) => a - b)) {
    write(pending.get(h) as Emitted[]);
    pending.delete(h);
    await writer.flush();
  }
  const files = await writer.close();
  const labels: LabelsFile = labelsFileSchema.parse({
    version: 1,
    dataset: {
      seed: options.seed,
      start: new Date(pop.start).toISOString(),
      end: new Date(pop.end).toISOString(),
      tokens: pop.creds.length,
      people: pop.people.length,
      orgs: pop.tenants.length,
      generator: 'tokenwatch-simulate/1',
      days: options.days,
      volume: options.volume,
      intensity: options.intensity,
      orgNames: pop.tenants.map((t) => ({ slug: t.slug, salesforce: t.sf.monitoring })),
      notes: pop.notes,
    },
    incidents,
    lookalikes,
  });
  const labelsPath = join(options.outDir, 'labels.json');
  writeFileSync(labelsPath, `${JSON.stringify(labels, null, 1)}\n`);
  // the app vetting registry of the simulated organizations (`tokenwatch eval` loads it)
  if (apps.length > 0) {
    writeFileSync(join(options.outDir, 'apps.json'), `${JSON.stringify({ version: 1, apps }, null, 1)}\n`);
  }
  if (options.badInputs) writeBadInputs(join(options.outDir, 'bad'), options.seed);
  return {
    outDir: options.outDir,
    seed: options.seed,
    start: labels.dataset.start,
    end: labels.dataset.end,
    orgs: pop.tenants.length,
    people: pop.people.length,
    tokens: pop.creds.length,
    records: counts,
    events,
    incidents: incidents.length,
    maliciousEvents,
    lookalikes: lookalikes.length,
    files,
    labelsPath,
    notes: [...pop.notes],
  };
}

/**
 * The scenario modules to place: `standard` is {@link STANDARD_SCENARIOS} in its order, its attacks only when
 * every built-in incident is asked for (`incidents: 'all'`) and its look-alikes only with
 * `lookalikes`; `none`, `all` or a list as given.
 */
async function scenariosToPlace(options: ReturnType<typeof parseSimulateOptions>): Promise<LoadedScenario[]> {
  if (options.scenarios === 'none') return [];
  if (options.scenarios !== 'standard') return loadScenarios(options.scenarios);
  const order = (id: string): number => (STANDARD_SCENARIOS as readonly string[]).indexOf(id);
  return (await loadScenarios(STANDARD_SCENARIOS))
    .filter(({ scenario }) => (scenario.kind === 'attack' ? options.incidents === 'all' : options.lookalikes))
    .sort((a, b) => order(a.scenario.id) - order(b.scenario.id));
}
