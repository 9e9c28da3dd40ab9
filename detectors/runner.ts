import { KeyedStateStore } from '../baselines/keyed-state.js';
import type { TokenActivity } from '../schemas/token-activity.js';
import { SeenBefore } from './seen-before.js';
import type { SettingsById } from './settings.js';
import type { Detector, DetectorContext, Finding, StateContext } from './types.js';

/** The baseline part of a detector context (what `BaselineStore.contextFor` gives). */
export type BaseContext = Omit<DetectorContext, 'settings' | 'state'>;

/** Options of {@link DetectorRunner.evaluate}. */
export interface RunOptions {
  /**
   * Called when a detector throws; evaluation continues with the next detector. Without it the
   * first error is rethrown (with the detector id) after the remaining detectors ran.
   */
  onError?: (detectorId: string, error: unknown) => void;
}

/**
 * The one detector loop, used by the pipeline (`run`, `serve`), the raw-log cases
 * (`tokenwatch detectors test`), the backtests and the unit tests: for each activity,
 * {@link evaluate} every detector against the baselines and declared state as of before it, then
 * {@link observe} it into the declared state (evaluate-then-update). The runner owns the declared
 * state ({@link state}); the caller owns the baselines.
 */
export class DetectorRunner {
  /** Declared state of every detector (saved and restored with the pipeline state). */
  readonly state = new KeyedStateStore();
  private readonly observers: readonly Detector[];
  /** The summary of the activity last evaluated, for its `observe`. */
  private current: SeenBefore | undefined;

  /**
   * @param detectors the detectors to run, in order
   * @param settings effective settings by detector id (config `pipeline.detectors`); each
   *   detector falls back to its declared defaults when absent
   */
  constructor(
    readonly detectors: readonly Detector[],
    readonly settings?: SettingsById,
  ) {
    for (const d of detectors)
      for (const [name, decl] of Object.entries(d.state)) this.state.declare(`${d.id}/${name}`, decl);
    this.observers = detectors.filter((d) => d.observe !== undefined);
  }

  /** The full detector context for `base` (settings and declared state added). */
  context(base: BaseContext): DetectorContext {
    return { ...base, state: this.state, ...(this.settings ? { settings: this.settings } : {}) };
  }

  /**
   * Runs every detector on one activity (with one seen-before summary of it, seen-before.ts,
   * added to `base`); findings in detector order.
   * @throws Error naming the detector when one throws and no `onError` is given.
   */
  evaluate(activity: TokenActivity, base: DetectorContext, options: RunOptions = {}): Finding[] {
    // One seen-before summary per event, read by every detector (and by `observe` of the same
    // activity, which follows).
    const seen = new SeenBefore(activity);
    this.current = seen;
    const ctx: DetectorContext = { ...base, seen };
    const findings: Finding[] = [];
    let firstError: Error | undefined;
    for (const detector of this.detectors) {
      try {
        const found = detector.evaluate(activity, ctx);
        for (let i = 0; i < found.length; i++) findings.push(found[i] as Finding);
      } catch (error) {
        if (options.onError) options.onError(detector.id, error);
        else
          firstError ??= new Error(`detector ${detector.id} failed on event ${activity.event.id}`, {
            cause: error,
          });
      }
    }
    if (firstError) throw firstError;
    return findings;
  }

  /** Folds the activity into the declared state of every detector that has some. */
  observe(activity: TokenActivity): void {
    const seen = this.current?.activity === activity ? this.current : new SeenBefore(activity);
    this.current = undefined;
    const ctx: StateContext = { state: this.state, settings: this.settings, seen };
    for (const d of this.observers) d.observe?.(activity, ctx);
  }
}
