/**
 * A run's results in the formats other tools read:
 * - EvalPlus samples JSONL, one `{"task_id", "solution"}` per line, `solution` being the full
 *   self-contained program (`evalplus.evaluate --samples file.jsonl`);
 * - human-eval samples JSONL, one `{"task_id", "completion"}` per line, `completion` being the
 *   text the official harness appends to the task prompt (it runs prompt + completion + test);
 * - scores as CSV, one row per held-out evaluation;
 * - the best prompt as plain text.
 */
import { passedBase, plusFromOf } from '../core/evalplus-base';
import { buildProgram } from '../core/extract';
import type { Task } from '../core/types';
import type { EvaluationRecord, PromptRecord } from '../store/records';

export interface SampleSelection {
  seed: number;
  promptId: string;
  phase?: EvaluationRecord['phase'];
  /**
   * Which held-out answers: `greedy` is sample 0 (temperature 0, behind pass@1); `sampled` the
   * samples 1..n drawn at the evaluation temperature (behind pass@k), which the official tools'
   * pass@k reads. Default: `sampled` when the run drew samples, else `greedy`.
   */
  draws?: 'greedy' | 'sampled';
}

function selected(evals: readonly EvaluationRecord[], s: SampleSelection): EvaluationRecord[] {
  const mine = evals.filter(
    (e) => e.seed === s.seed && e.promptId === s.promptId && e.phase === (s.phase ?? 'heldout'),
  );
  // Optimization-phase answers are all exported; only held-out answers split into draws.
  const heldout = (s.phase ?? 'heldout') === 'heldout';
  const draws = s.draws ?? (mine.some((e) => e.sample > 0) ? 'sampled' : 'greedy');
  return mine
    .filter((e) => !heldout || (draws === 'greedy' ? e.sample === 0 : e.sample > 0))
    .sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.sample - b.sample));
}

/** The program the executor graded, rebuilt from the stored answer (extraction is deterministic). */
export function gradedProgram(task: Task, e: EvaluationRecord): string {
  return e.completion ? buildProgram(task, e.completion.text).program : e.code;
}

/**
 * EvalPlus's task ids: HumanEval keeps `HumanEval/N`; MBPP tasks are `Mbpp/N` in EvalPlus while
 * the original MBPP files number them plainly.
 */
export function evalplusTaskId(task: Task): string {
  if (/^\d+$/.test(task.sourceId) && /mbpp/i.test(task.datasetId)) return `Mbpp/${task.sourceId}`;
  return task.sourceId;
}

const jsonl = (rows: readonly object[]): string =>
  rows.map((r) => `${JSON.stringify(r)}\n`).join('');

function taskOf(tasks: ReadonlyMap<string, Task>, id: string): Task {
  const t = tasks.get(id);
  if (!t)
    throw new Error(`Task ${id} is not in the database: import its dataset to export samples.`);
  return t;
}

export function evalplusJsonl(
  evals: readonly EvaluationRecord[],
  tasks: ReadonlyMap<string, Task>,
  s: SampleSelection,
): string {
  return jsonl(
    selected(evals, s).map((e) => {
      const task = taskOf(tasks, e.taskId);
      return { task_id: evalplusTaskId(task), solution: gradedProgram(task, e) };
    }),
  );
}

export function humanevalJsonl(
  evals: readonly EvaluationRecord[],
  tasks: ReadonlyMap<string, Task>,
  s: SampleSelection,
): string {
  return jsonl(
    selected(evals, s).map((e) => {
      const task = taskOf(tasks, e.taskId);
      const program = gradedProgram(task, e);
      // The harness runs prompt + completion. A program that already starts with the prompt
      // gives its continuation; a self-contained one follows the prompt's stub, which it then
      // redefines (a stub whose body is its docstring is valid Python).
      const completion = program.startsWith(task.prompt)
        ? program.slice(task.prompt.length)
        : `\n${program}`;
      return { task_id: task.sourceId, completion };
    }),
  );
}

function csvCell(value: string | number | boolean): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SCORE_COLUMNS = [
  'run_id',
  'seed',
  'phase',
  'prompt_id',
  'prompt_role',
  'task_id',
  'sample',
  'passed',
  'soft',
  'tests_passed',
  'tests_total',
  'duration_ms',
  'test_set_optimization',
  // EvalPlus tasks: passed every base input (`passed` is then the plus verdict); empty otherwise.
  'base_passed',
] as const;

/** One row per evaluation; `prompt_role` says initial / final / candidate for the held-out pair. */
export function scoresCsv(
  evals: readonly EvaluationRecord[],
  roles: readonly { seed: number; initialId: string; finalId: string }[],
  testSetOptimization: boolean,
  tasks?: ReadonlyMap<string, Pick<Task, 'tests'>>,
): string {
  const basePassed = (e: EvaluationRecord): boolean | '' => {
    const task = tasks?.get(e.taskId);
    const from = task ? plusFromOf(task) : undefined;
    return from === undefined ? '' : passedBase(e.result, from);
  };
  const role = (e: EvaluationRecord): string => {
    const r = roles.find((x) => x.seed === e.seed);
    if (r?.finalId === e.promptId && r.initialId === e.promptId) return 'initial+final';
    if (r?.finalId === e.promptId) return 'final';
    if (r?.initialId === e.promptId) return 'initial';
    return 'candidate';
  };
  const rows = [...evals]
    .sort(
      (a, b) =>
        a.seed - b.seed ||
        a.phase.localeCompare(b.phase) ||
        a.promptId.localeCompare(b.promptId) ||
        a.taskId.localeCompare(b.taskId) ||
        a.sample - b.sample,
    )
    .map((e) =>
      [
        e.runId,
        e.seed,
        e.phase,
        e.promptId,
        role(e),
        e.taskId,
        e.sample,
        e.result.passed,
        e.result.soft,
        e.result.tests.filter((t) => t.outcome === 'passed').length,
        e.result.tests.length,
        e.result.durationMs,
        testSetOptimization,
        basePassed(e),
      ]
        .map(csvCell)
        .join(','),
    );
  return `${[SCORE_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** The best prompt of a seed as text, headed by a comment line when it came from test-set optimization. */
export function bestPromptText(
  prompt: Pick<PromptRecord, 'text'>,
  testSetOptimization: boolean,
): string {
  return testSetOptimization
    ? `# Test-set optimization: this prompt was tuned on the tasks it is reported on.\n${prompt.text}\n`
    : `${prompt.text}\n`;
}
