import { z } from 'zod';

/**
 * Detector settings: every threshold a detector exposes is a field of a zod object in its
 * metadata (`settings`), with its default (`.default(...)`), bounds (`.min/.max`) and a one-line
 * description (`.describe(...)`). The config schema (`pipeline.detectors.<id>`) is derived from
 * these objects (src/config.ts), so a config file may set any subset of them and unknown keys are
 * errors naming the valid ones.
 */

/** Shape of a settings object: each field has a default (checked by `defineDetector`). */
export type SettingsShape = z.ZodRawShape;

/** A detector's settings object. */
export type SettingsSchema<S extends SettingsShape = SettingsShape> = z.ZodObject<S>;

/** Effective settings of a detector (defaults filled). */
export type SettingsOf<S extends SettingsShape> = Readonly<z.output<z.ZodObject<S>>>;

/** Effective settings of every detector, by detector id (what the pipeline passes in `ctx.settings`). */
export type SettingsById = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Settings of a detector that has none. */
export const NO_SETTINGS = z.object({});

/** One documented field of a settings object (for docs and `config check`). */
export interface SettingField {
  key: string;
  description: string;
  default: unknown;
  min?: number;
  max?: number;
}

/** Unwraps `.default()`, `.optional()` and similar wrappers down to the value schema. */
function unwrapDefault(schema: z.ZodType): z.ZodType {
  let node: z.ZodType = schema;
  for (;;) {
    if (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
      node = node.unwrap() as z.ZodType;
    } else return node;
  }
}

/**
 * The fields of a settings object with their description, default and numeric bounds.
 * @throws Error when a field has no default or no description (a detector must document every knob).
 */
export function settingFields(schema: SettingsSchema): SettingField[] {
  const defaults = schema.safeParse({});
  if (!defaults.success) {
    throw new Error(
      `every setting needs a default: ${defaults.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return Object.entries(schema.shape).map(([key, field]) => {
    const f = field as z.ZodType;
    const description = f.description;
    if (description === undefined || description.trim() === '')
      throw new Error(`setting ${key} needs a description (.describe)`);
    const inner = unwrapDefault(f);
    const out: SettingField = { key, description, default: (defaults.data as Record<string, unknown>)[key] };
    if (inner instanceof z.ZodNumber) {
      if (inner.minValue !== null && Number.isFinite(inner.minValue)) out.min = inner.minValue;
      if (inner.maxValue !== null && Number.isFinite(inner.maxValue)) out.max = inner.maxValue;
    }
    return out;
  });
}

/** `1 h`, `14 d`, `90` : a default as written in the docs (durations for `...Ms` keys). */
export function formatSettingValue(key: string, value: unknown): string {
  if (typeof value === 'number' && key.endsWith('Ms')) {
    const units: [number, string][] = [
      [86_400_000, 'd'],
      [3_600_000, 'h'],
      [60_000, 'min'],
      [1000, 's'],
    ];
    for (const [ms, unit] of units) if (value >= ms && value % ms === 0) return `${value / ms} ${unit}`;
    return `${value} ms`;
  }
  return JSON.stringify(value);
}
