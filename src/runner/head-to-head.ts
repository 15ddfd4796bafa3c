/**
 * Methods compared head to head: runs graded on the same test tasks, split, model and seeds are
 * paired task by task with the same task-level test and interval as a run's own report
 * (core/task-stats.ts; seeds are not paired across runs: the test relabels draws within a task and
 * the interval takes each run's seed spread on its own, so no seed order matters), and the
 * p-values of all pairs shown are Holm-adjusted together (leaving out those no outcome could make
 * significant). Every plain-words verdict comes from core/task-stats `verdict`, with the
 * Holm-adjusted p for pairs. Runs that cannot be paired say why and get no test. The paper table: method × (held-out pass@1 mean ± std
 * over seeds, Δ vs its initial prompt with CI and p), then pairwise Δ with adjusted p.
 */
import {
  holmAdjustComparisons,
  compareTaskLevel,
  verdict,
  type TaskLevelComparison,
} from '../core/task-stats';
import type { EvaluationRecord, RunRecord } from '../store/records';

export interface MethodRow {
  runId: string;
  name: string;
  method: string;
  model: string;
  seeds: number;
  tasks: number;
  /** Held-out greedy pass@1 of the refined prompt: mean and sample std over seeds. */
  mean: number;
  std: number | null;
  /** Refined vs the run's own initial prompt (its report's task-level comparison). */
  vsInitial: TaskLevelComparison | null;
  testSetOptimization: boolean;
}

export interface PairRow {
  /** `second` − `first`, run ids. */
  first: string;
  second: string;
  /** Why the two runs cannot be compared task by task; no test then. */
  unpairable?: string;
  comparison?: TaskLevelComparison;
  /**
   * Holm-adjusted across every pairable pair of the table that could reject; 1 for a pair no
   * outcome could make significant (`holmAdjustComparisons`).
   */
  pAdjusted?: number;
}

export interface HeadToHead {
  methods: MethodRow[];
  pairs: PairRow[];
}

const sameSet = (a: readonly (string | number)[], b: readonly (string | number)[]): boolean => {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
};

/** Why runs a and b cannot be paired task by task, or null when they can. */
export function unpairableReason(a: RunRecord, b: RunRecord): string | null {
  if (!a.report || !b.report) return 'one of the runs has no held-out results yet';
  if (a.testSetOptimization || b.testSetOptimization) {
    return 'test-set optimization cannot be compared with held-out results';
  }
  if (a.config.datasetId !== b.config.datasetId) return 'different task sets';
  if (a.config.testSplit !== b.config.testSplit) return 'different test splits';
  const ta = a.taskIds?.test;
  const tb = b.taskIds?.test;
  if (!ta || !tb || !sameSet(ta, tb)) return 'different test tasks';
  // A replay answers with the recorded model's answers: it counts as that model.
  const ma = a.config.model.modelId;
  const mb = b.config.model.modelId;
  if (ma !== mb) return `different models (${ma} vs ${mb})`;
  if (!sameSet(a.config.seeds, b.config.seeds)) return 'different seeds';
  return null;
}

/** seeds × tasks greedy verdicts of each seed's final prompt, in the given seed and task order. */
function finalMatrix(
  run: RunRecord,
  evals: readonly EvaluationRecord[],
  seeds: readonly number[],
  tasks: readonly string[],
): Uint8Array[] {
  const finalOf = new Map(run.report?.prompts.map((p) => [p.seed, p.finalId]));
  const verdicts = new Map<string, boolean>();
  for (const e of evals) {
    if (e.phase !== 'heldout' || e.sample !== 0 || finalOf.get(e.seed) !== e.promptId) continue;
    verdicts.set(`${e.seed}\u0000${e.taskId}`, e.result.passed);
  }
  return seeds.map((seed) =>
    Uint8Array.from(tasks, (t) => {
      const v = verdicts.get(`${seed}\u0000${t}`);
      if (v === undefined) {
        throw new Error(`Run ${run.config.name}: seed ${seed} has no held-out verdict for ${t}.`);
      }
      return v ? 1 : 0;
    }),
  );
}

export function headToHead(
  runs: readonly RunRecord[],
  evaluations: ReadonlyMap<string, readonly EvaluationRecord[]>,
): HeadToHead {
  const done = runs.filter((r) => r.report);
  const methods: MethodRow[] = done.map((r) => {
    const rep = r.report!;
    return {
      runId: r.id,
      name: r.config.name,
      method: r.config.method,
      model: r.config.model.modelId,
      seeds: rep.final.strict.n,
      tasks: rep.split.testTasks,
      mean: rep.final.strict.mean,
      std: rep.final.strict.std,
      vsInitial: rep.taskLevel?.combined ?? null,
      testSetOptimization: rep.testSetOptimization,
    };
  });
  const pairs: PairRow[] = [];
  for (let i = 0; i < done.length; i++) {
    for (let j = i + 1; j < done.length; j++) {
      const a = done[i] as RunRecord;
      const b = done[j] as RunRecord;
      const why = unpairableReason(a, b);
      if (why) {
        pairs.push({ first: a.id, second: b.id, unpairable: why });
        continue;
      }
      const seeds = [...a.config.seeds].sort((x, y) => x - y);
      const tasks = [...(a.taskIds?.test ?? [])].sort();
      try {
        const comparison = compareTaskLevel(
          finalMatrix(a, evaluations.get(a.id) ?? [], seeds, tasks),
          finalMatrix(b, evaluations.get(b.id) ?? [], seeds, tasks),
        );
        pairs.push({ first: a.id, second: b.id, comparison });
      } catch (e) {
        pairs.push({ first: a.id, second: b.id, unpairable: (e as Error).message });
      }
    }
  }
  const tested = pairs.filter((p) => p.comparison);
  const { adjusted } = holmAdjustComparisons(tested.map((p) => p.comparison!));
  tested.forEach((p, k) => (p.pAdjusted = adjusted[k]));
  return { methods, pairs };
}

/** The plain words for a pair: the shared verdict, on the Holm-adjusted p (second vs first). */
export function pairVerdict(p: PairRow): string {
  return p.comparison ? verdict(p.comparison, { p: p.pAdjusted ?? p.comparison.p }) : '—';
}

const pts = (x: number): string => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const pc = (x: number): string => (x * 100).toFixed(1);
const pv = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** The paper table as Markdown: methods, then pairs (Δ = second − first, Holm-adjusted p). */
export function headToHeadMarkdown(h: HeadToHead): string {
  const name = new Map(h.methods.map((m) => [m.runId, `${m.name} (${m.method})`]));
  const lines = [
    '| Method | Held-out pass@1 (%) | Δ vs initial (points) [95% CI] | p | Refined vs initial | Tasks × seeds |',
    '| --- | --- | --- | --- | --- | --- |',
    ...h.methods.map((m) => {
      const v = m.vsInitial;
      return `| ${name.get(m.runId)}${m.testSetOptimization ? ' [test-set optimization]' : ''} | ${pc(m.mean)}${m.std === null ? '' : ` ± ${pc(m.std)}`} | ${v ? `${pts(v.diff)} [${pts(v.ci.lo)}, ${pts(v.ci.hi)}]` : '—'} | ${v ? pv(v.p) : '—'} | ${v ? verdict(v) : '—'} | ${m.tasks} × ${m.seeds} |`;
    }),
    '',
    '| Comparison | Δ (points) [95% CI] | p | Holm-adjusted p | In plain words |',
    '| --- | --- | --- | --- | --- |',
    ...h.pairs.map((p) => {
      const label = `${name.get(p.second)} − ${name.get(p.first)}`;
      const c = p.comparison;
      return c
        ? `| ${label} | ${pts(c.diff)} [${pts(c.ci.lo)}, ${pts(c.ci.hi)}] | ${pv(c.p)} | ${pv(p.pAdjusted ?? 1)} | ${pairVerdict(p)} |`
        : `| ${label} | not paired: ${p.unpairable} | — | — | — |`;
    }),
    '',
    'pass@1: greedy answer, mean ± sample std over seeds. Δ, CI and p: task as the unit (per-task ' +
      'differences averaged over seeds; exact within-task relabelling test; t interval with the ' +
      'spread between seeds). Holm-adjusted across the comparisons listed; "in plain words" reads ' +
      'the (adjusted) test and the interval together.',
  ];
  return `${lines.join('\n')}\n`;
}

const cell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The same tables as CSV (one section per table, fractions not percentages). */
export function headToHeadCsv(h: HeadToHead): string {
  const rows: (string | number)[][] = [
    [
      'run_id',
      'name',
      'method',
      'model',
      'tasks',
      'seeds',
      'pass1_mean',
      'pass1_std',
      'delta_vs_initial',
      'ci_lo',
      'ci_hi',
      'p',
      'verdict',
      'test_set_optimization',
    ],
    ...h.methods.map((m) => [
      m.runId,
      m.name,
      m.method,
      m.model,
      m.tasks,
      m.seeds,
      m.mean,
      m.std ?? '',
      m.vsInitial?.diff ?? '',
      m.vsInitial?.ci.lo ?? '',
      m.vsInitial?.ci.hi ?? '',
      m.vsInitial?.p ?? '',
      m.vsInitial ? verdict(m.vsInitial) : '',
      String(m.testSetOptimization),
    ]),
    [],
    [
      'first_run_id',
      'second_run_id',
      'delta_second_minus_first',
      'ci_lo',
      'ci_hi',
      'p',
      'p_holm',
      'verdict',
      'unpairable',
    ],
    ...h.pairs.map((p) => [
      p.first,
      p.second,
      p.comparison?.diff ?? '',
      p.comparison?.ci.lo ?? '',
      p.comparison?.ci.hi ?? '',
      p.comparison?.p ?? '',
      p.pAdjusted ?? '',
      p.comparison ? pairVerdict(p) : '',
      p.unpairable ?? '',
    ]),
  ];
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
