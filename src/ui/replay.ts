/**
 * Re-running a recorded run: a new run with the same config, tasks and seeds whose LLM is a
 * replay of the source run's call log, so it asks the same questions and gets the recorded
 * answers, while the code is graded again by this browser's Python. Matching figures confirm the
 * result; differing ones point at the grading environment.
 */
import { db } from '../store/db';
import type { RunRecord } from '../store/records';
import { RunRepository } from '../store/runs';

export async function createReplayRun(sourceId: string): Promise<string> {
  const repo = new RunRepository(db());
  const source = await repo.get(sourceId);
  const calls = await db().runCalls.where('runId').equals(sourceId).count();
  if (calls === 0) {
    throw new Error(
      `Run "${source.config.name}" has no recorded LLM calls, so there is nothing to replay.`,
    );
  }
  const id = globalThis.crypto.randomUUID();
  const now = Date.now();
  // Written directly rather than through runner.create, which would re-derive the task ids from
  // the dataset's current split; a replay must grade exactly the tasks the source run graded.
  const replay: RunRecord = {
    id,
    config: {
      ...structuredClone(source.config),
      name: `Replay of ${source.config.name}`,
      model: { engine: 'replay', modelId: source.config.model.modelId, replayOf: sourceId },
    },
    status: 'created',
    createdAt: now,
    updatedAt: now,
    ...(source.taskIds ? { taskIds: structuredClone(source.taskIds) } : {}),
    ...(source.environment ? { environment: { ...source.environment, engine: 'replay' } } : {}),
    ...(source.testSetOptimization !== undefined
      ? { testSetOptimization: source.testSetOptimization }
      : {}),
  };
  await repo.create(replay);
  return id;
}
