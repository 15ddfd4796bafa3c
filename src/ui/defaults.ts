/**
 * Defaults for the New-run form, set on the Settings page and kept in the settings table so that
 * every tab (and the next visit) starts from them.
 */
import type { Budget } from '../core/types';
import { db } from '../store/db';

export interface RunDefaults {
  method: string;
  seeds: number[];
  budget: Budget;
  /** Samples per held-out task (pass@k needs more than one). */
  samples: number;
}

export const FACTORY_DEFAULTS: RunDefaults = {
  method: 'prochemy',
  seeds: [1, 2, 3],
  budget: { maxLlmCalls: 2000, maxMinutes: 120 },
  samples: 1,
};

const KEY = 'ui:new-run-defaults';

export async function loadDefaults(): Promise<RunDefaults> {
  const row = await db().settings.get(KEY);
  const stored = (row?.value ?? {}) as Partial<RunDefaults>;
  return { ...FACTORY_DEFAULTS, ...stored };
}

export async function saveDefaults(d: RunDefaults): Promise<void> {
  await db().settings.put({ key: KEY, value: plainCopy(d) });
}

/** Svelte state proxies cannot be structured-cloned; a JSON round trip gives plain data. */
function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** `1, 2, 3` or `1 2 3` → [1, 2, 3]; throws a clear error for anything else. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const seeds = parts.map((p) => Number(p));
  const bad = parts.find((p, i) => !Number.isInteger(seeds[i]));
  if (bad !== undefined)
    throw new Error(`Seed "${bad}" is not a whole number. Write seeds like 1, 2, 3.`);
  if (seeds.length === 0) throw new Error('Give at least one seed, e.g. 1.');
  if (new Set(seeds).size !== seeds.length)
    throw new Error('Seeds must be different from each other.');
  return seeds;
}
