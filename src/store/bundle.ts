/**
 * Run bundles: one JSON file holding everything a run is (config, environment, tasks, prompts,
 * evaluations, its call log, checkpoints and statistics), so it can be archived, shared, checked
 * and re-run with the replay engine. Import is all or nothing: the bundle is validated whole
 * before anything is written, and written in one transaction.
 */
import * as v from 'valibot';
import type { Task } from '../core/types';
import type { AthanorDb } from './db';
import type { RunEnvironment, TaskRecord } from './records';
import { RunNotFoundError } from './runs';
import { BUNDLE_FORMAT, BUNDLE_VERSION, bundleSchema, type RunBundle } from './bundle-schema';

export { BUNDLE_FORMAT, BUNDLE_VERSION, type RunBundle } from './bundle-schema';

/** Largest bundle file accepted (characters of JSON). */
export const MAX_BUNDLE_CHARS = 256 * 1024 * 1024;

export interface BundleProblem {
  /** Dotted path of the bad field, e.g. `evaluations.3.result.soft`; `` for the whole file. */
  path: string;
  message: string;
}

/** The bundle was refused; nothing was written. `problems` name each bad field. */
export class BundleImportError extends Error {
  override readonly name = 'BundleImportError';
  constructor(
    message: string,
    readonly problems: BundleProblem[] = [],
  ) {
    const shown = problems.slice(0, 5).map((p) => `\n  ${p.path || '(file)'}: ${p.message}`);
    const more = problems.length > 5 ? `\n  … and ${problems.length - 5} more` : '';
    super(`${message}${shown.join('')}${more}\nNothing was imported.`);
  }
}

function stripTaskRecord(t: TaskRecord): Task {
  const { valid: _v, validationError: _e, includeAnyway: _i, ...task } = t;
  return task;
}

/** Everything of a run, as one bundle object (serialize it with JSON.stringify). */
export async function exportBundle(
  db: AthanorDb,
  runId: string,
  app: { name: string; version: string } = { name: 'athanor', version: 'unknown' },
): Promise<RunBundle> {
  return db.transaction(
    'r',
    [db.runs, db.prompts, db.evaluations, db.runCalls, db.checkpoints, db.tasks],
    async () => {
      const run = await db.runs.get(runId);
      if (!run) throw new RunNotFoundError(runId);
      const [prompts, evaluations, calls, checkpoints] = await Promise.all([
        db.prompts.where('runId').equals(runId).toArray(),
        db.evaluations.where('runId').equals(runId).toArray(),
        db.runCalls.where('runId').equals(runId).toArray(),
        db.checkpoints.where('runId').equals(runId).toArray(),
      ]);
      // The run's mutated training tasks travel with it: a resumed or replayed import needs them.
      const augmented = (run.augmented ?? []).flatMap((a) => a.taskIds);
      const ids = run.taskIds
        ? [
            ...new Set([
              ...run.taskIds.train,
              ...run.taskIds.validation,
              ...run.taskIds.test,
              ...augmented,
            ]),
          ]
        : [...new Set([...evaluations.map((e) => e.taskId), ...augmented])];
      const tasks = (await db.tasks.bulkGet(ids)).filter((t): t is TaskRecord => t !== undefined);
      const environment: RunEnvironment = run.environment ?? {
        modelId: run.config.model.modelId,
        engine: run.config.model.engine,
        userAgent: 'unknown',
        appVersion: app.version,
        libraries: {},
      };
      calls.sort((a, b) => a.seed - b.seed || a.seq - b.seq);
      return {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        exportedAt: Date.now(),
        app,
        environment,
        testSetOptimization: run.testSetOptimization ?? false,
        run,
        tasks: tasks.map(stripTaskRecord),
        prompts,
        evaluations,
        completions: calls.map(({ runId: _r, ...c }) => ({ ...c, model: c.completion.model })),
        checkpoints,
        statistics: run.report ?? null,
      } as RunBundle;
    },
  );
}

function duplicates<T>(items: readonly T[], key: (t: T) => string, path: string): BundleProblem[] {
  const seen = new Set<string>();
  const out: BundleProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) out.push({ path: `${path}.${i}`, message: `duplicate id ${k.slice(0, 80)}` });
    seen.add(k);
  });
  return out;
}

/** Validate a bundle (text or parsed) and return it typed, or throw BundleImportError. */
export function parseBundle(input: string | unknown): RunBundle {
  let data: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_BUNDLE_CHARS) {
      throw new BundleImportError(
        `The file is ${input.length} characters, over the ${MAX_BUNDLE_CHARS} limit for a bundle.`,
      );
    }
    try {
      data = JSON.parse(input);
    } catch (e) {
      throw new BundleImportError(
        `The file is not valid JSON (${(e as Error).message}); it may be truncated. Export the run again.`,
      );
    }
  }
  const head = data as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== 'object' || head.format !== BUNDLE_FORMAT) {
    throw new BundleImportError(
      'This is not an Athanor run bundle (its "format" field is missing or wrong).',
      [{ path: 'format', message: `expected "${BUNDLE_FORMAT}"` }],
    );
  }
  if (head.version !== BUNDLE_VERSION) {
    throw new BundleImportError(
      `Bundle version ${String(head.version)} is not supported; this app reads version ${BUNDLE_VERSION}.`,
      [
        {
          path: 'version',
          message: `expected ${BUNDLE_VERSION}, got ${JSON.stringify(head.version)}`,
        },
      ],
    );
  }
  const parsed = v.safeParse(bundleSchema, data);
  if (!parsed.success) {
    throw new BundleImportError(
      'The bundle does not match the run bundle schema.',
      parsed.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })),
    );
  }
  const b = parsed.output;
  const runId = b.run.id;
  const problems: BundleProblem[] = [
    ...duplicates(b.tasks, (t) => t.id, 'tasks'),
    ...duplicates(b.prompts, (p) => `${p.seed}:${p.id}`, 'prompts'),
    ...duplicates(
      b.evaluations,
      (e) => JSON.stringify([e.seed, e.phase, e.promptId, e.taskId, e.sample]),
      'evaluations',
    ),
    ...duplicates(
      b.completions,
      (c) => JSON.stringify([c.seed, c.round, c.key, c.n]),
      'completions',
    ),
    ...duplicates(b.checkpoints, (c) => c.id, 'checkpoints'),
  ];
  const foreign = (items: readonly { runId: string }[], path: string): void => {
    items.forEach((item, i) => {
      if (item.runId !== runId) {
        problems.push({
          path: `${path}.${i}.runId`,
          message: `belongs to run ${item.runId}, not ${runId}`,
        });
      }
    });
  };
  foreign(b.prompts, 'prompts');
  foreign(b.evaluations, 'evaluations');
  foreign(b.checkpoints, 'checkpoints');
  if (problems.length > 0) throw new BundleImportError('The bundle is inconsistent.', problems);
  const dangling = danglingReferences(b);
  if (dangling.length > 0) {
    throw new BundleImportError(
      'The bundle refers to records it does not contain (it may have been cut or edited).',
      dangling,
    );
  }
  return b;
}

/**
 * References inside the bundle that lead nowhere: an evaluation of a prompt or task the bundle
 * lacks, or of a seed the run does not have; a report, checkpoint or call of an unknown seed or
 * prompt; a mutated task list naming absent tasks. Such a run could not be shown, resumed or
 * replayed, so it is refused whole.
 */
function danglingReferences(b: RunBundle): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const seeds = new Set(b.run.config.seeds);
  const tasks = new Set(b.tasks.map((t) => t.id));
  const prompts = new Set(b.prompts.map((p) => `${p.seed}:${p.id}`));
  const add = (path: string, message: string): void => void problems.push({ path, message });
  b.evaluations.forEach((e, i) => {
    if (!seeds.has(e.seed)) add(`evaluations.${i}.seed`, `seed ${e.seed} is not one of the run's`);
    if (!prompts.has(`${e.seed}:${e.promptId}`))
      add(`evaluations.${i}.promptId`, `no prompt ${e.promptId.slice(0, 16)}… in the bundle`);
  });
  b.prompts.forEach((p, i) => {
    if (!seeds.has(p.seed)) add(`prompts.${i}.seed`, `seed ${p.seed} is not one of the run's`);
  });
  b.completions.forEach((c, i) => {
    if (!seeds.has(c.seed)) add(`completions.${i}.seed`, `seed ${c.seed} is not one of the run's`);
  });
  b.checkpoints.forEach((c, i) => {
    if (!seeds.has(c.seed)) add(`checkpoints.${i}.seed`, `seed ${c.seed} is not one of the run's`);
  });
  (b.run.report?.prompts ?? []).forEach((p, i) => {
    for (const field of ['initialId', 'finalId'] as const) {
      if (!prompts.has(`${p.seed}:${p[field]}`))
        add(
          `run.report.prompts.${i}.${field}`,
          `no prompt ${p[field].slice(0, 16)}… in the bundle`,
        );
    }
  });
  (b.run.augmented ?? []).forEach((a, i) => {
    a.taskIds.forEach((id, j) => {
      if (!tasks.has(id)) add(`run.augmented.${i}.taskIds.${j}`, `no task ${id} in the bundle`);
    });
  });
  // Tasks of evaluations may instead be in this browser already (checked when writing).
  return problems;
}

/**
 * Import a bundle as a run of this browser. Validated whole first; then written in one
 * transaction, so a failure at any point leaves the database as it was. Tasks already present
 * are kept as they are (ids name the dataset and source task). Returns the run id.
 */
export async function importBundle(db: AthanorDb, input: string | unknown): Promise<string> {
  const b = parseBundle(input);
  const runId = b.run.id;
  await writeBundle(db, b).catch((e: unknown) => {
    if (e instanceof BundleImportError) throw e;
    // The transaction rolled back: say what failed, and that nothing stayed.
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new BundleImportError(`Writing the bundle failed (${why}).`);
  });
  return runId;
}

/** All of the bundle in one transaction: any failure inside it leaves the database as it was. */
async function writeBundle(db: AthanorDb, b: RunBundle): Promise<void> {
  const runId = b.run.id;
  await db.transaction(
    'rw',
    [db.runs, db.prompts, db.evaluations, db.runCalls, db.checkpoints, db.tasks],
    async () => {
      if (await db.runs.get(runId)) {
        throw new BundleImportError(
          `A run with id ${runId} already exists: this bundle was imported before.`,
          [
            {
              path: 'run.id',
              message: 'already in this browser; delete that run first to import it again',
            },
          ],
        );
      }
      const present = new Set(
        (await db.tasks.bulkGet(b.tasks.map((t) => t.id))).flatMap((t) => (t ? [t.id] : [])),
      );
      // Every evaluated task must be in the bundle or in this browser: else nothing could show
      // or resume the run.
      const carried = new Set(b.tasks.map((t) => t.id));
      const elsewhere = [...new Set(b.evaluations.map((e) => e.taskId))].filter(
        (id) => !carried.has(id),
      );
      const found = await db.tasks.bulkGet(elsewhere);
      const missing = elsewhere.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) {
        throw new BundleImportError(
          'The bundle refers to records it does not contain (it may have been cut or edited).',
          missing.map((id) => ({
            path: `evaluations.${b.evaluations.findIndex((e) => e.taskId === id)}.taskId`,
            message: `no task ${id} in the bundle or in this browser`,
          })),
        );
      }
      const fresh = b.tasks.filter((t) => !present.has(t.id)).map((t) => ({ ...t, valid: null }));
      await db.tasks.bulkAdd(fresh as TaskRecord[]);
      // A run exported mid-flight is not running here: it can be resumed like a paused one.
      const status = b.run.status === 'running' ? 'paused' : b.run.status;
      await db.runs.add({ ...b.run, status, environment: b.environment } as never);
      await db.prompts.bulkAdd(b.prompts);
      await db.evaluations.bulkAdd(b.evaluations);
      await db.runCalls.bulkAdd(b.completions.map(({ model: _m, ...c }) => ({ ...c, runId })));
      await db.checkpoints.bulkAdd(b.checkpoints);
    },
  );
}
