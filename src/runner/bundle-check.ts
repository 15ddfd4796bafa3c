/**
 * A bundle's report must be what its own evaluations say. parseBundle (store/bundle.ts) checks
 * the bundle's shape and its references; this recomputes the report from the bundle's held-out
 * evaluations and call log (report.ts, the same code that wrote it) and refuses a bundle whose
 * figures differ: a hand-edited or damaged report must not be imported as if it were measured.
 */
import { BundleImportError, type BundleProblem, type RunBundle } from '../store/bundle';
import type { EvaluationRecord, RunCallRecord, RunReport } from '../store/records';
import { buildReport } from './report';

const TOLERANCE = 1e-9;

function compareStat(
  problems: BundleProblem[],
  path: string,
  stated: readonly number[] | undefined,
  measured: readonly number[],
): void {
  const n = Math.max(stated?.length ?? 0, measured.length);
  for (let i = 0; i < n; i++) {
    const s = stated?.[i];
    const m = measured[i];
    if (s === undefined || m === undefined || Math.abs(s - m) > TOLERANCE) {
      problems.push({
        path: `${path}.perSeed.${i}`,
        message: `the report says ${s ?? 'nothing'}, its evaluations give ${m ?? 'nothing'}`,
      });
    }
  }
}

/** Throws BundleImportError when the bundle's report contradicts its evaluations. */
export function checkBundleReport(b: RunBundle): void {
  const stated = (b.run.report ?? null) as RunReport | null;
  const statistics = b.statistics as RunReport | null;
  if (!stated && !statistics) return;
  if (JSON.stringify(stated) !== JSON.stringify(statistics)) {
    throw new BundleImportError('The bundle is inconsistent.', [
      { path: 'statistics', message: 'differs from run.report' },
    ]);
  }
  const report = stated!;
  const runId = b.run.id;
  const evaluations = b.evaluations as EvaluationRecord[];
  const testTaskIds = b.run.taskIds?.test ?? [
    ...new Set(evaluations.filter((e) => e.phase === 'heldout').map((e) => e.taskId)),
  ];
  let measured: RunReport;
  try {
    measured = buildReport({
      config: b.run.config,
      testTaskIds,
      prompts: report.prompts,
      evaluations,
      calls: b.completions.map(({ model: _m, ...c }) => ({ ...c, runId })) as RunCallRecord[],
      testSetOptimization: b.testSetOptimization,
    });
  } catch (e) {
    throw new BundleImportError('The bundle’s report is not backed by its evaluations.', [
      { path: 'run.report', message: e instanceof Error ? e.message : String(e) },
    ]);
  }
  const problems: BundleProblem[] = [];
  for (const which of ['initial', 'final'] as const) {
    const s = report[which];
    const m = measured[which];
    compareStat(problems, `run.report.${which}.strict`, s.strict.perSeed, m.strict.perSeed);
    compareStat(problems, `run.report.${which}.soft`, s.soft.perSeed, m.soft.perSeed);
    for (const [k, stat] of Object.entries(m.passAtK)) {
      compareStat(
        problems,
        `run.report.${which}.passAtK.${k}`,
        s.passAtK[k]?.perSeed,
        stat.perSeed,
      );
    }
  }
  // The task-level comparison (and, in reports made before it, the pooled McNemar counts).
  const said = report.taskLevel?.combined;
  const found = measured.taskLevel?.combined;
  if (
    said &&
    found &&
    (said.tasks !== found.tasks ||
      said.changed !== found.changed ||
      Math.abs(said.diff - found.diff) > 1e-9)
  ) {
    problems.push({
      path: 'run.report.taskLevel.combined',
      message: `the report says Δ=${said.diff} over ${said.tasks} tasks (${said.changed} changed); its evaluations give Δ=${found.diff} over ${found.tasks} (${found.changed} changed)`,
    });
  }
  const sm = report.comparison?.mcnemar;
  const mm = measured.comparison?.mcnemar;
  if (sm && mm && (sm.b !== mm.b || sm.c !== mm.c)) {
    problems.push({
      path: 'run.report.comparison.mcnemar',
      message: `the report counts b=${sm.b}, c=${sm.c}; its evaluations give b=${mm.b}, c=${mm.c}`,
    });
  }
  if (problems.length > 0) {
    throw new BundleImportError('The bundle’s report contradicts its own evaluations.', problems);
  }
}
