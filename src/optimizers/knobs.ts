/**
 * Knobs as data: each method declares KnobSpecs; the UI renders them; `readKnobs` fills defaults
 * and refuses values outside a spec with a KnobError that names the knob and the allowed range.
 */
import type { KnobValue } from '../core/types';
import type { KnobSpec } from './types';

export class KnobError extends Error {
  override readonly name = 'KnobError';
}

export class UnknownMethodError extends Error {
  override readonly name = 'UnknownMethodError';
}

export type KnobValues = Record<string, KnobValue>;

export function defaultKnobs(specs: readonly KnobSpec[]): KnobValues {
  return Object.fromEntries(specs.map((s) => [s.name, s.default]));
}

/** Defaults filled in, every value checked against its spec; unknown knobs are an error. */
export function readKnobs(
  specs: readonly KnobSpec[],
  given: KnobValues,
  method = 'this method',
): KnobValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      throw new KnobError(
        `Unknown knob "${name}" for ${method}. Known knobs: ${specs.map((s) => s.name).join(', ') || 'none'}.`,
      );
    }
  }
  const out: KnobValues = {};
  for (const spec of specs) {
    const v = given[spec.name] ?? spec.default;
    switch (spec.type) {
      case 'int':
      case 'float':
        if (
          typeof v !== 'number' ||
          !Number.isFinite(v) ||
          (spec.type === 'int' && !Number.isInteger(v))
        ) {
          throw new KnobError(
            `Knob "${spec.name}" of ${method} must be ${spec.type === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}.`,
          );
        }
        if (v < spec.min || v > spec.max) {
          throw new KnobError(
            `Knob "${spec.name}" of ${method} must lie in [${spec.min}, ${spec.max}], got ${v}.`,
          );
        }
        break;
      case 'bool':
        if (typeof v !== 'boolean')
          throw new KnobError(
            `Knob "${spec.name}" of ${method} must be true or false, got ${JSON.stringify(v)}.`,
          );
        break;
      case 'enum':
        if (typeof v !== 'string' || !spec.options.includes(v)) {
          throw new KnobError(
            `Knob "${spec.name}" of ${method} must be one of ${spec.options.join(' / ')}, got ${JSON.stringify(v)}.`,
          );
        }
        break;
      case 'text':
        if (typeof v !== 'string')
          throw new KnobError(`Knob "${spec.name}" of ${method} must be text.`);
        break;
    }
    out[spec.name] = v;
  }
  return out;
}

// Typed readers for a method's own code, after readKnobs has validated the values.
export const num = (k: KnobValues, name: string): number => k[name] as number;
export const bool = (k: KnobValues, name: string): boolean => k[name] as boolean;
export const str = (k: KnobValues, name: string): string => k[name] as string;

// Spec builders keep each method's knob table short and uniform.
export const intKnob = (
  name: string,
  label: string,
  def: number,
  min: number,
  max: number,
  help: string,
): KnobSpec => ({ name, label, type: 'int', default: def, min, max, step: 1, help });
export const floatKnob = (
  name: string,
  label: string,
  def: number,
  min: number,
  max: number,
  step: number,
  help: string,
): KnobSpec => ({ name, label, type: 'float', default: def, min, max, step, help });
export const boolKnob = (name: string, label: string, def: boolean, help: string): KnobSpec => ({
  name,
  label,
  type: 'bool',
  default: def,
  help,
});
export const enumKnob = (
  name: string,
  label: string,
  def: string,
  options: readonly string[],
  help: string,
): KnobSpec => ({ name, label, type: 'enum', default: def, options, help });

/** The size of the training sample a method scores `what` on (read by startOnTraining). */
export const trainTasksKnob = (def: number, what: string): KnobSpec =>
  intKnob(
    'trainTasks',
    'Training tasks',
    def,
    1,
    1000,
    `Tasks drawn from the training split to score ${what} on.`,
  );

/** Sampling temperature of a method's own requests to the LLM (write, paraphrase, mutate). */
export const metaTemperatureKnob = (help: string): KnobSpec =>
  floatKnob('temperature', 'Meta temperature', 1.0, 0, 2, 0.1, help);
