/**
 * Re-running a recorded run: a new run with the same config, tasks and seeds whose LLM is a
 * replay of the source run's call log, so it asks the same questions and gets the recorded
 * answers, while the code is graded again by this browser's Python. Matching figures confirm the
 * result; differing ones point at the grading environment.
 */
import { appRunner } from '../app/context';
import type { Runner } from '../runner';
import { db } from '../store/db';
import { RunRepository } from '../store/runs';

export async function createReplayRun(sourceId: string, runner?: Runner): Promise<string> {
  const repo = new RunRepository(db());
  const source = await repo.get(sourceId);
  const calls = await db().runCalls.where('runId').equals(sourceId).count();
  if (calls === 0) {
    throw new Error(
      `Run "${source.config.name}" has no recorded LLM calls, so there is nothing to replay.`,
    );
  }
  const config = {
    ...structuredClone(source.config),
    name: `Replay of ${source.config.name}`,
    model: {
      engine: 'replay' as const,
      modelId: source.config.model.modelId,
      replayOf: sourceId,
    },
    // Each role replays its own model's recorded answers.
    ...(source.config.optimizerModel
      ? {
          optimizerModel: {
            engine: 'replay' as const,
            modelId: source.config.optimizerModel.modelId,
            replayOf: sourceId,
          },
        }
      : {}),
  };
  // The source's task ids, not the dataset's current split: a replay grades exactly the tasks
  // the source run graded.
  return (runner ?? (await appRunner())).create(config, {
    ...(source.taskIds ? { taskIds: source.taskIds } : {}),
    ...(source.environment
      ? {
          environment: {
            ...source.environment,
            engine: 'replay',
            ...(source.environment.optimizerEngine ? { optimizerEngine: 'replay' } : {}),
          },
        }
      : {}),
  });
}
