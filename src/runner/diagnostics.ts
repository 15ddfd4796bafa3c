/**
 * Writing a run's diagnostics (store/records.ts RunDiagnostics): why each seed stopped, the
 * relevance measure, the wording, the context trims. Each write reads the record's current
 * diagnostics and replaces one part, so the parts written at different moments never clobber
 * each other.
 */
import { honestStopReason, type SeedStop } from '../core/stop-reasons';
import type { BaseState } from '../optimizers/types';
import type { RunDiagnostics, RunRecord } from '../store/records';
import type { RunRepository } from '../store/runs';

export async function updateDiagnostics(
  repo: RunRepository,
  runId: string,
  change: (d: RunDiagnostics) => RunDiagnostics,
): Promise<void> {
  const run = await repo.get(runId);
  await repo.update(runId, { diagnostics: change(run.diagnostics ?? {}) });
}

/** The stop of a seed whose optimization finished, from its final state and its budget. */
export function seedStop(
  seed: number,
  state: BaseState,
  limit: 'llm-calls' | 'tokens' | 'minutes' | undefined,
): SeedStop {
  return {
    seed,
    reason: honestStopReason(state.stopReason, limit, state.variants),
    methodReason: state.stopReason ?? 'done',
    step: state.step,
    ...(state.variants ? { variants: { ...state.variants } } : {}),
  };
}

export const withStop = (d: RunDiagnostics, stop: SeedStop): RunDiagnostics => ({
  ...d,
  stops: [...(d.stops ?? []).filter((s) => s.seed !== stop.seed), stop].sort(
    (a, b) => a.seed - b.seed,
  ),
});

/** The stop recorded when the user cancels: the seed being optimized then. */
export function cancelledStop(run: RunRecord): SeedStop | undefined {
  const p = run.progress;
  if (p && p.phase !== 'optimize') return undefined;
  const seed = run.config.seeds[p?.seedIndex ?? 0];
  if (seed === undefined) return undefined;
  return { seed, reason: 'cancelled', methodReason: 'cancelled', step: p?.round ?? 0 };
}

/**
 * Counts the run's answers a model server cut short before they came whole (from the call log,
 * where each keeps its `retried` note), and, for a pause, the fault that stopped the run.
 */
export async function noteServerFaults(
  repo: RunRepository,
  runId: string,
  pause?: string,
): Promise<void> {
  const retried = (await repo.calls(runId)).filter((c) => c.completion.retried);
  const lastReason = retried.at(-1)?.completion.retried?.reason;
  const before = (await repo.get(runId)).diagnostics?.serverFaults;
  if (retried.length === 0 && pause === undefined && !before) return;
  await updateDiagnostics(repo, runId, (d) => {
    const pauses = (d.serverFaults?.pauses ?? 0) + (pause !== undefined ? 1 : 0);
    const message = pause ?? d.serverFaults?.message;
    return {
      ...d,
      serverFaults: {
        retried: retried.length,
        ...(lastReason ? { lastReason } : {}),
        ...(pauses > 0 ? { pauses } : {}),
        ...(message ? { message } : {}),
      },
    };
  });
}
