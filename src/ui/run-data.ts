/**
 * What the run pages show, computed from stored records: each candidate's training score, the
 * best score per step (the curve), the task × candidate verdict grid, and the budget left. Pure
 * functions of plain records, so they are unit-tested without a browser.
 */
import type { Budget } from '../core/types';
import type { EvaluationRecord, PromptRecord } from '../store/records';

export interface CandidateRow {
  id: string;
  text: string;
  operator: string;
  step: number;
  parents: string[];
  /** The execution feedback that prompted it (reflective methods). */
  feedback?: string;
  /** Mean strict pass over the training tasks graded so far (sample 0), or null if none yet. */
  score: number | null;
  soft: number | null;
  graded: number;
}

/** Candidates of one seed with their optimize-phase scores, in the order they were proposed. */
export function candidateRows(
  prompts: readonly PromptRecord[],
  evaluations: readonly EvaluationRecord[],
  seed: number,
): CandidateRow[] {
  const tally = new Map<string, { pass: number; soft: number; n: number }>();
  for (const e of evaluations) {
    if (e.seed !== seed || e.phase !== 'optimize' || e.sample !== 0) continue;
    const t = tally.get(e.promptId) ?? { pass: 0, soft: 0, n: 0 };
    t.pass += e.result.passed ? 1 : 0;
    t.soft += e.result.soft;
    t.n += 1;
    tally.set(e.promptId, t);
  }
  return prompts
    .filter((p) => p.seed === seed)
    .map((p) => {
      const t = tally.get(p.id);
      return {
        id: p.id,
        text: p.text,
        operator: p.operator,
        step: p.step,
        parents: p.parents,
        ...(p.feedback ? { feedback: p.feedback } : {}),
        score: t ? t.pass / t.n : null,
        soft: t ? t.soft / t.n : null,
        graded: t?.n ?? 0,
      };
    })
    .sort((a, b) => a.step - b.step || (a.operator === 'seed' ? -1 : 0));
}

/** Best candidate score reached by the end of each step (a non-decreasing curve). */
export function bestPerStep(rows: readonly CandidateRow[]): { x: number; y: number }[] {
  const byStep = new Map<number, number>();
  for (const r of rows) {
    if (r.score === null) continue;
    byStep.set(r.step, Math.max(byStep.get(r.step) ?? 0, r.score));
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  let best = -Infinity;
  return steps.map((step) => {
    best = Math.max(best, byStep.get(step) ?? 0);
    return { x: step, y: best };
  });
}

export type Cell = 'pass' | 'partial' | 'fail' | 'none';

export interface Heatmap {
  tasks: string[];
  candidates: CandidateRow[];
  /** cells[task][candidate] */
  cells: Cell[][];
}

/** Task × candidate verdicts for one seed (latest `maxCandidates` graded candidates). */
export function heatmap(
  rows: readonly CandidateRow[],
  evaluations: readonly EvaluationRecord[],
  seed: number,
  maxCandidates = 24,
): Heatmap {
  const candidates = rows.filter((r) => r.graded > 0).slice(-maxCandidates);
  const column = new Map(candidates.map((c, i) => [c.id, i]));
  const verdict = new Map<string, Cell>();
  const taskSet = new Set<string>();
  for (const e of evaluations) {
    if (e.seed !== seed || e.phase !== 'optimize' || e.sample !== 0 || !column.has(e.promptId))
      continue;
    taskSet.add(e.taskId);
    const cell: Cell = e.result.passed ? 'pass' : e.result.soft > 0 ? 'partial' : 'fail';
    verdict.set(`${e.taskId}\u0000${e.promptId}`, cell);
  }
  const tasks = [...taskSet].sort(naturalCompare);
  const cells = tasks.map((t) => candidates.map((c) => verdict.get(`${t}\u0000${c.id}`) ?? 'none'));
  return { tasks, candidates, cells };
}

/** `HumanEval/2` before `HumanEval/10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

export interface Spent {
  llmCalls: number;
  tokens: number;
  elapsedMs: number;
}

export interface BudgetLeft {
  /** Share of the tightest limit used, in [0, 1], or null without limits. */
  used: number | null;
  callsLeft: number | null;
  tokensLeft: number | null;
  /** Time left: the time limit left, or the call / token rate projected, whichever ends first. */
  msLeft: number | null;
}

export function budgetLeft(budget: Budget, spent: Spent): BudgetLeft {
  const shares: number[] = [];
  let msLeft: number | null = null;
  const rateLeft = (usedUnits: number, limit: number): number | null =>
    usedUnits > 0 ? ((limit - usedUnits) * spent.elapsedMs) / usedUnits : null;
  const consider = (ms: number | null): void => {
    if (ms !== null) msLeft = msLeft === null ? ms : Math.min(msLeft, ms);
  };
  let callsLeft: number | null = null;
  let tokensLeft: number | null = null;
  if (budget.maxLlmCalls) {
    shares.push(spent.llmCalls / budget.maxLlmCalls);
    callsLeft = Math.max(0, budget.maxLlmCalls - spent.llmCalls);
    consider(rateLeft(spent.llmCalls, budget.maxLlmCalls));
  }
  if (budget.maxTokens) {
    shares.push(spent.tokens / budget.maxTokens);
    tokensLeft = Math.max(0, budget.maxTokens - spent.tokens);
    consider(rateLeft(spent.tokens, budget.maxTokens));
  }
  if (budget.maxMinutes) {
    const limit = budget.maxMinutes * 60_000;
    shares.push(spent.elapsedMs / limit);
    consider(limit - spent.elapsedMs);
  }
  return {
    used: shares.length ? Math.min(1, Math.max(...shares)) : null,
    callsLeft,
    tokensLeft,
    msLeft: msLeft === null ? null : Math.max(0, msLeft),
  };
}
