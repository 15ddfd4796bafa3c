/**
 * Reflexion — "Reflexion: Language Agents with Verbal Reinforcement Learning" (Shinn et al.,
 * arXiv 2303.11366), for code generation: per-task retries with test feedback.
 *
 * Round 0 answers every task with the prompt. In each later round, for every task still failing,
 * the LLM reflects on its last implementation and the test results (a few sentences, no code);
 * the retry then continues the conversation with the previous answer, the feedback and all
 * reflections so far (its episodic memory), and the task is graded again. Bounded by `rounds`.
 *
 * Per-instance: it refines answers on the very tasks it is reported on, with their real tests as
 * feedback (the paper's "oracle" feedback setting; it also evaluates with self-written tests).
 * Its numbers are test-set optimization and are labelled so. Each retry is memoized as sample r of
 * (prompt, task), so a resumed run replays nothing.
 */
import { Rng } from '../../core/rng';
import type { KnobValue, PromptCandidate, Task } from '../../core/types';
import {
  endRound,
  finish,
  guardedStep,
  makeCandidate,
  metaRequest,
  sample,
  startState,
  tasksById,
  TrainingSetError,
} from '../common';
import { renderFeedback } from '../feedback';
import { intKnob, num, readKnobs, type KnobValues } from '../knobs';
import { fill, REFLEXION_REFLECT, REFLEXION_RETRY } from '../meta-prompts';
import type {
  BaseState,
  InstanceResult,
  MethodInfo,
  Optimizer,
  OptimizerContext,
  TaskScore,
} from '../types';

export const reflexionInfo: MethodInfo = {
  id: 'reflexion',
  name: 'Reflexion',
  summary:
    'Per task: when the code fails its tests, the LLM reflects on why and tries again, a bounded number of times.',
  paper: {
    title: 'Reflexion: Language Agents with Verbal Reinforcement Learning',
    authors: 'Shinn et al.',
    year: 2023,
    arxiv: '2303.11366',
  },
  kind: 'baseline',
  perInstance: true,
  knobs: [
    intKnob(
      'rounds',
      'Retry rounds',
      3,
      1,
      10,
      'How many times a failing task is retried after reflection.',
    ),
    intKnob(
      'tasks',
      'Tasks',
      1000,
      1,
      5000,
      "The most tasks to work on (the run's evaluation tasks, drawn by seed).",
    ),
  ],
};

export interface ReflexionTask {
  id: string;
  passed: boolean;
  /** The last answer and its feedback, for the next reflection. */
  lastAnswer: string;
  lastCode: string;
  feedback: string;
  reflections: string[];
  /** Round in which it first passed, or null. */
  solvedAt: number | null;
}

export interface ReflexionState extends BaseState {
  v: 1;
  knobs: KnobValues;
  prompt: PromptCandidate;
  tasks: ReflexionTask[];
}

function record(t: ReflexionTask, score: TaskScore, round: number, ctx: OptimizerContext): void {
  t.passed = score.passed;
  t.lastAnswer = score.completion.text;
  t.lastCode = score.code;
  // The execution feedback record: failing asserts, messages, expected vs actual, the line.
  t.feedback = renderFeedback(ctx.feedback(score));
  if (score.passed && t.solvedAt === null) t.solvedAt = round;
}

/**
 * Each task's outcome for the run report (Optimizer.instanceResults): solved if any of its rounds
 * passed. The prompt is the same for every task; what differs per task is the retried answer.
 */
export function reflexionInstanceResults(state: ReflexionState): InstanceResult[] {
  return state.tasks.map((t) => ({
    taskId: t.id,
    promptId: state.prompt.id,
    passed: t.solvedAt !== null,
  }));
}

export const reflexion: Optimizer<ReflexionState> = {
  info: reflexionInfo,
  instanceResults: reflexionInstanceResults,
  async init(args, ctx) {
    const knobs = readKnobs(reflexionInfo.knobs, args.knobs, 'Reflexion');
    const rng = Rng.seeded(args.seed);
    const chosen = sample(rng, ctx.train, num(knobs, 'tasks'));
    if (chosen.length === 0) throw new TrainingSetError('Reflexion needs tasks to work on.');
    const prompt = await makeCandidate(args.initialPrompt, [], 'seed', 0);
    const tasks = chosen.map((t) => ({
      id: t.id,
      passed: false,
      lastAnswer: '',
      lastCode: '',
      feedback: '',
      reflections: [],
      solvedAt: null,
    }));
    return { ...startState(rng), knobs, prompt, tasks };
  },
  step(state, ctx) {
    return guardedStep(state, ctx, async (s) => {
      const rng = Rng.fromState(s.rng);
      const round = s.step;
      const byId = new Map(
        tasksById(
          ctx,
          s.tasks.map((t) => t.id),
        ).map((t) => [t.id, t]),
      );
      const open = s.tasks.filter((t) => !t.passed);
      if (round > 0) {
        for (const t of open) {
          const task = byId.get(t.id) as Task;
          const c = await ctx.complete(
            metaRequest(
              fill(REFLEXION_REFLECT, {
                task: task.prompt.trim(),
                code: t.lastCode || '(no code)',
                feedback: t.feedback,
              }),
              { temperature: 0, rng, purpose: 'judge' },
            ),
          );
          t.reflections.push(c.text.trim());
        }
      }
      const current = new Map(s.tasks.map((t) => [t.id, t]));
      const score = await ctx.score(
        s.prompt,
        open.map((t) => byId.get(t.id) as Task),
        {
          firstSample: round,
          ...(round > 0
            ? {
                followUp: (task: Task) => {
                  const t = current.get(task.id) as ReflexionTask;
                  return [
                    { role: 'assistant' as const, content: t.lastAnswer },
                    {
                      role: 'user' as const,
                      content: fill(REFLEXION_RETRY, {
                        feedback: t.feedback,
                        reflection: t.reflections.join('\n'),
                      }),
                    },
                  ];
                },
              }
            : {}),
        },
      );
      for (const ts of score.perTask)
        record(current.get(ts.taskId) as ReflexionTask, ts, round, ctx);
      ctx.emit({ type: 'scored', step: round, prompt: s.prompt, score });
      if (score.stoppedBy === 'budget') return finish(s, 'budget');
      const solved = s.tasks.filter((t) => t.passed).length / s.tasks.length;
      s.best = { prompt: s.prompt, score: solved };
      ctx.emit({
        type: 'note',
        step: round,
        message: `Round ${round}: ${Math.round(solved * 100)}% of tasks solved.`,
      });
      return endRound(s, round + 1, rng, {
        solved: s.tasks.every((t) => t.passed),
        'max-steps': round >= num(s.knobs, 'rounds'),
      });
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(reflexionInfo.knobs, knobs, 'Reflexion');
    const tasks = Math.min(num(k, 'tasks'), counts.train);
    // Round 0 answers each task; each retry round costs a reflection and an answer per failing task.
    return tasks + num(k, 'rounds') * 2 * tasks;
  },
};
