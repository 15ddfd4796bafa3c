/**
 * Will two in-browser models fit in memory together? An estimate from the catalogue
 * (engines/catalogue.ts): a catalogue model's own memory figure; a WebLLM model not in the static
 * list from its family's parameter count at 4.5 bits per weight plus a KV-cache allowance; a
 * custom GGUF from its file size as the catalogue computes it. The budget is half of what the
 * browser says the device has (navigator.deviceMemory, a coarse figure), since the page, Pyodide
 * and the other tabs need the rest; 4 GB when the browser does not say. A rough guard against an
 * obvious mistake, not a promise: WebLLM's weights live in GPU memory, which no API reports.
 */
import { WEBLLM_FAMILIES, WLLAMA_CATALOGUE } from '../engines/catalogue';
import type { ModelRef } from '../core/types';
import type { ModelRecord } from '../store/records';

const MB = 1024 * 1024;

/** Estimated MB to run a model, or undefined for engines that hold no model in this tab. */
export function modelMemoryMB(
  ref: ModelRef,
  records: readonly Pick<ModelRecord, 'id' | 'sizeBytes'>[],
): number | undefined {
  if (ref.engine !== 'webllm' && ref.engine !== 'wllama') return undefined;
  const listed = WLLAMA_CATALOGUE.find((e) => e.id === ref.modelId);
  if (listed) return listed.memoryMB;
  if (ref.engine === 'webllm') {
    const family = WEBLLM_FAMILIES.find((f) => ref.modelId.startsWith(f.base));
    if (family) return Math.round((family.paramsB * 1e9 * 4.5) / 8 / MB + 300);
  }
  const bytes = records.find((r) => r.id === ref.modelId)?.sizeBytes;
  return bytes !== undefined ? Math.round(bytes / MB + 64) : undefined;
}

/** MB this page may reasonably hold in models. */
export function memoryBudgetMB(): number {
  const gb = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return Math.round(((gb ?? 8) * 1024) / 2);
}

export interface FitCheck {
  /** Both models' estimates, when known. */
  taskMB?: number;
  optimizerMB?: number;
  budgetMB: number;
  /** True when two different in-browser models together exceed the budget. */
  tooBig: boolean;
}

export function checkFit(
  task: ModelRef,
  optimizer: ModelRef | undefined,
  records: readonly Pick<ModelRecord, 'id' | 'sizeBytes'>[],
  budgetMB = memoryBudgetMB(),
): FitCheck {
  const taskMB = modelMemoryMB(task, records);
  const same =
    !optimizer || (optimizer.engine === task.engine && optimizer.modelId === task.modelId);
  const optimizerMB = same || !optimizer ? undefined : modelMemoryMB(optimizer, records);
  const tooBig =
    taskMB !== undefined && optimizerMB !== undefined && taskMB + optimizerMB > budgetMB;
  return {
    ...(taskMB !== undefined ? { taskMB } : {}),
    ...(optimizerMB !== undefined ? { optimizerMB } : {}),
    budgetMB,
    tooBig,
  };
}
