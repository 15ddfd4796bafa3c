/**
 * The scorer's memo (optimizers/scoring EvaluationLog) backed by the run's evaluations in
 * IndexedDB: every graded answer is one record written the moment it lands, and a resumed run
 * looks each (prompt, task, sample) up before asking the model again.
 *
 * Budgets stay exact across a resume: an answer graded earlier in the round being re-run cost
 * budget the first time, after the checkpoint the meter was restored from; so its first lookup
 * in the re-run charges the meter again, exactly as the uninterrupted run was charged.
 */
import type { BudgetMeter } from '../core/budget';
import type { EvaluationLog, EvalKey } from '../optimizers/scoring';
import type { TaskScore } from '../optimizers/types';
import type { EvalPhase, EvaluationRecord } from '../store/records';
import type { RunRepository } from '../store/runs';
import { isCachedVerdict } from '../store/verdict-cache';
import type { RunCallLog } from './call-log';

export interface PersistentLogOptions {
  repo: RunRepository;
  runId: string;
  seed: number;
  phase: EvalPhase;
  calls: RunCallLog;
  /** Charged for answers of the current round found in the store (see above); none for held-out. */
  meter?: BudgetMeter;
  onStored?: (record: EvaluationRecord) => void;
}

const keyString = (k: EvalKey): string => `${k.promptId}\u0000${k.taskId}\u0000${k.sample}`;

export class PersistentEvaluationLog implements EvaluationLog {
  private round = 0;
  private charged = new Set<string>();

  constructor(private readonly o: PersistentLogOptions) {}

  beginRound(round: number): void {
    this.round = round;
    this.charged.clear();
  }

  async get(key: EvalKey): Promise<TaskScore | undefined> {
    const { repo, runId, seed, phase } = this.o;
    const rec = await repo.getEvaluation([
      runId,
      seed,
      phase,
      key.promptId,
      key.taskId,
      key.sample,
    ]);
    if (!rec) return undefined;
    const k = keyString(key);
    if (rec.round === this.round && !this.charged.has(k)) {
      this.charged.add(k);
      if (rec.completion && !rec.completion.cached) this.o.meter?.record(rec.completion.usage);
    }
    return {
      taskId: rec.taskId,
      sample: rec.sample,
      passed: rec.result.passed,
      soft: rec.result.soft,
      code: rec.code,
      result: rec.result,
      completion: rec.completion ?? {
        text: '',
        usage: { promptTokens: 0, completionTokens: 0 },
        latencyMs: 0,
        model: '',
        finishReason: 'stop',
      },
    };
  }

  async has(key: EvalKey): Promise<boolean> {
    const { repo, runId, seed, phase } = this.o;
    const rec = await repo.getEvaluation([
      runId,
      seed,
      phase,
      key.promptId,
      key.taskId,
      key.sample,
    ]);
    return rec !== undefined;
  }

  async put(key: EvalKey, score: TaskScore): Promise<void> {
    const { repo, runId, seed, phase, calls } = this.o;
    this.charged.add(keyString(key));
    const record: EvaluationRecord = {
      runId,
      seed,
      phase,
      promptId: key.promptId,
      taskId: key.taskId,
      sample: key.sample,
      completionKey: calls.keyOf(score.completion) ?? '',
      code: score.code,
      result: score.result,
      createdAt: Date.now(),
      round: this.round,
      execCached: isCachedVerdict(score.result),
      completion: score.completion,
    };
    await repo.putEvaluation(record);
    this.o.onStored?.(record);
  }
}
