/**
 * What New run's form holds that a shared link did not ask for, one sentence each, so a class
 * following one link sees at once where their run would differ from it (ui/run-link.ts).
 */
import type { RunLink } from './run-link';

export interface FormChoices {
  method: string | undefined;
  datasetId: string;
  datasetName: (id: string) => string | undefined;
  modelKey: string;
  modelLabel: (key: string) => string | undefined;
  seeds: number[] | undefined;
  maxCalls: number;
  maxMinutes: number;
  samples: number;
}

export function linkDifferences(link: RunLink, form: FormChoices): string[] {
  const out: string[] = [];
  const named = (label: string | undefined, id: string) => (label ? `${label} (${id})` : id);
  if (link.method && form.method && link.method !== form.method)
    out.push(`method ${form.method}, where the link names ${link.method}`);
  if (link.datasetId && form.datasetId !== link.datasetId)
    out.push(
      form.datasetId
        ? `task set ${named(form.datasetName(form.datasetId), form.datasetId)}, where the link names ${link.datasetId}`
        : `no task set yet, where the link names ${link.datasetId}`,
    );
  if (link.modelKey && form.modelKey !== link.modelKey)
    out.push(
      form.modelKey
        ? `model ${named(form.modelLabel(form.modelKey), form.modelKey)}, where the link names ${link.modelKey}`
        : `no model yet, where the link names ${link.modelKey}`,
    );
  if (link.seeds && form.seeds && link.seeds.join(',') !== form.seeds.join(','))
    out.push(`seeds ${form.seeds.join(', ')}, where the link names ${link.seeds.join(', ')}`);
  if (link.maxCalls !== undefined && link.maxCalls !== form.maxCalls)
    out.push(`at most ${form.maxCalls} LLM calls per seed, where the link names ${link.maxCalls}`);
  if (link.maxMinutes !== undefined && link.maxMinutes !== form.maxMinutes)
    out.push(
      `at most ${form.maxMinutes} minutes per seed, where the link names ${link.maxMinutes}`,
    );
  if (link.samples !== undefined && link.samples !== form.samples)
    out.push(`${form.samples} samples per held-out task, where the link names ${link.samples}`);
  return out;
}
