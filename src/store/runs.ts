/**
 * The runner's repository: runs, their prompts, evaluations, checkpoints and call log. Every write
 * is one small Dexie transaction, made the moment its result exists, so a closed tab loses at most
 * the call in flight. Records are plain rows, so other tabs watch them with liveQuery.
 */
import { Dexie } from 'dexie';
import type { AthanorDb } from './db';
import type {
  CheckpointRecord,
  EvalPhase,
  EvaluationRecord,
  PromptRecord,
  RunCallRecord,
  RunRecord,
} from './records';

/** The run asked for does not exist (deleted in another tab, or a stale link). */
export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`No run with id ${runId}: it may have been deleted. Pick a run from the runs list.`);
  }
}

export type EvaluationKey = [string, number, EvalPhase, string, string, number];

export function evaluationKey(
  e: Pick<EvaluationRecord, 'runId' | 'seed' | 'phase' | 'promptId' | 'taskId' | 'sample'>,
): EvaluationKey {
  return [e.runId, e.seed, e.phase, e.promptId, e.taskId, e.sample];
}

export class RunRepository {
  constructor(readonly db: AthanorDb) {}

  async create(run: RunRecord): Promise<void> {
    await this.db.runs.add(run);
  }

  async get(id: string): Promise<RunRecord> {
    const run = await this.db.runs.get(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  find(id: string): Promise<RunRecord | undefined> {
    return this.db.runs.get(id);
  }

  /** Newest activity first. */
  list(): Promise<RunRecord[]> {
    return this.db.runs.orderBy('updatedAt').reverse().toArray();
  }

  async update(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const n = await this.db.runs.update(id, { ...patch, updatedAt: Date.now() });
    if (n === 0 && !(await this.db.runs.get(id))) throw new RunNotFoundError(id);
  }

  async putPrompt(prompt: PromptRecord): Promise<void> {
    await this.db.prompts.put(prompt);
  }

  prompts(runId: string): Promise<PromptRecord[]> {
    return this.db.prompts.where('runId').equals(runId).toArray();
  }

  /** One evaluation, written as it lands, together with the run's progress counter. */
  async putEvaluation(evaluation: EvaluationRecord): Promise<void> {
    await this.db.evaluations.put(evaluation);
  }

  getEvaluation(key: EvaluationKey): Promise<EvaluationRecord | undefined> {
    return this.db.evaluations.get(key);
  }

  evaluations(runId: string, seed?: number): Promise<EvaluationRecord[]> {
    if (seed === undefined) return this.db.evaluations.where('runId').equals(runId).toArray();
    return this.db.evaluations.where('[runId+seed]').equals([runId, seed]).toArray();
  }

  countEvaluations(runId: string): Promise<number> {
    return this.db.evaluations.where('runId').equals(runId).count();
  }

  async putCheckpoint(checkpoint: CheckpointRecord): Promise<void> {
    await this.db.checkpoints.put(checkpoint);
  }

  checkpoint(runId: string, seed: number): Promise<CheckpointRecord | undefined> {
    return this.db.checkpoints.get(`${runId}:${seed}`);
  }

  async appendCall(call: RunCallRecord): Promise<void> {
    await this.db.runCalls.put(call);
  }

  call(
    runId: string,
    seed: number,
    round: number,
    key: string,
    n: number,
  ): Promise<RunCallRecord | undefined> {
    return this.db.runCalls.get([runId, seed, round, key, n]);
  }

  /** The run's calls in the order they were made (per seed, then sequence). */
  async calls(runId: string): Promise<RunCallRecord[]> {
    const rows = await this.db.runCalls.where('runId').equals(runId).toArray();
    return rows.sort((a, b) => a.seed - b.seed || a.seq - b.seq);
  }

  /** Forget a run and everything it produced, in one transaction. Shared caches stay. */
  async delete(id: string): Promise<void> {
    const d = this.db;
    await d.transaction(
      'rw',
      [d.runs, d.prompts, d.evaluations, d.checkpoints, d.runCalls],
      async () => {
        await d.prompts.where('runId').equals(id).delete();
        await d.evaluations.where('runId').equals(id).delete();
        await d.checkpoints.where('runId').equals(id).delete();
        await d.runCalls.where('runId').equals(id).delete();
        await d.runs.delete(id);
      },
    );
  }
}

/**
 * True for a storage quota error however it reaches us: the DOMException itself, Dexie's
 * QuotaExceededError, or an AbortError whose inner error is one (a transaction aborted by it).
 */
export function isQuotaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'QuotaExceededError' || name === Dexie.errnames.QuotaExceeded) return true;
    e = (e as { inner?: unknown; cause?: unknown }).inner ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
