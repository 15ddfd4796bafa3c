/**
 * Part 1 of bench:real: zero-shot on a whole EvalPlus set through the server engine, each answer
 * graded by Athanor (Pyodide) and the EvalPlus export graded again by the official evalplus 0.3.1
 * evaluator (bench/evalplus-grade.py). Prints pass@1 base and plus from both, the agreement task by
 * task, the Qwen2.5-Coder report's figure beside ours, and the model time.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecPort, LlmPort } from '../../src/core/ports';
import type { Task } from '../../src/core/types';
import { buildProgram } from '../../src/core/extract';
import { makeCandidate } from '../../src/optimizers/common';
import { createScorer, memoryEvaluationLog } from '../../src/optimizers/scoring';
import { evalplusTaskId } from '../../src/runner/exports';
import { basePlus } from './tasks';

export interface ZeroShotResult {
  set: string;
  tasks: number;
  ours: { base: number; plus: number };
  official: { base: number; plus: number };
  agree: { base: number; plus: number };
  disagreements: string[];
  modelMs: number;
  wallMs: number;
  answerTokens: number;
  cachedAnswers: number;
  /** Task id → plus verdict (0/1), for the task-level tests. */
  perTask: Record<string, number>;
}

export async function zeroShot(o: {
  set: 'humaneval' | 'mbpp';
  label: string;
  dataFile: string;
  tasks: Task[];
  llm: LlmPort;
  exec: ExecPort;
  prompt: string;
  maxTokens: number;
  outDir: string;
  python: string;
  log: (s: string) => void;
}): Promise<ZeroShotResult> {
  const { tasks, log } = o;
  const t0 = performance.now();
  let modelMs = 0;
  let answerTokens = 0;
  let cached = 0;
  let done = 0;
  const score = createScorer({
    llm: o.llm,
    exec: o.exec,
    generate: { temperature: 0, max_tokens: o.maxTokens },
    log: memoryEvaluationLog(),
    racing: false,
    codeOnly: true,
    onEvaluation: ({ score: s }) => {
      done++;
      const c = s.completion!;
      if (c.cached) cached++;
      else {
        modelMs += c.latencyMs;
        answerTokens += c.usage.completionTokens;
      }
      if (done % 10 === 0 || done === tasks.length)
        log(
          `  ${o.label}: ${done}/${tasks.length} graded, ${cached} from the cache, model ${(modelMs / 60000).toFixed(1)} min, wall ${((performance.now() - t0) / 60000).toFixed(1)} min`,
        );
    },
  });
  const prompt = await makeCandidate(o.prompt, [], 'seed', 0);
  const graded = await score(prompt, tasks);
  const byId = new Map(graded.perTask.map((p) => [p.taskId, p]));

  // The EvalPlus export: the program Athanor graded, per task (src/runner/exports.ts's rule).
  const samples = join(o.outDir, `zero-shot-${o.set}${tasks.length < 100 ? '-quick' : ''}.jsonl`);
  const rows = tasks.map((t) => {
    const s = byId.get(t.id)!;
    return { task_id: evalplusTaskId(t), solution: buildProgram(t, s.completion!.text).program };
  });
  writeFileSync(samples, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  log(`  ${o.label}: grading ${samples} with the official evalplus evaluator…`);
  const official = JSON.parse(
    execFileSync(
      o.python,
      [join(import.meta.dirname, '..', 'evalplus-grade.py'), o.set, o.dataFile, samples],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .trim()
      .split('\n')
      .pop()!,
  ) as Record<string, { base: string; plus: string }>;

  const ours = { base: 0, plus: 0 };
  const off = { base: 0, plus: 0 };
  const agree = { base: 0, plus: 0 };
  const disagreements: string[] = [];
  const perTask: Record<string, number> = {};
  for (const t of tasks) {
    const s = byId.get(t.id)!;
    const v = basePlus(t, s.result);
    const e = official[evalplusTaskId(t)];
    if (!e) throw new Error(`evalplus returned no verdict for ${evalplusTaskId(t)}`);
    const eb = e.base === 'pass';
    const ep = e.plus === 'pass';
    // pass@1 plus is base and plus inputs together (evalplus's "base + extra tests").
    ours.base += v.base ? 1 : 0;
    ours.plus += v.base && v.plus ? 1 : 0;
    off.base += eb ? 1 : 0;
    off.plus += eb && ep ? 1 : 0;
    agree.base += v.base === eb ? 1 : 0;
    agree.plus += v.plus === ep ? 1 : 0;
    perTask[t.id] = s.passed ? 1 : 0;
    if (v.base !== eb || v.plus !== ep)
      disagreements.push(
        `${evalplusTaskId(t)}: evalplus base ${e.base} plus ${e.plus}, ours base ${v.base} plus ${v.plus}`,
      );
  }
  return {
    set: o.label,
    tasks: tasks.length,
    ours,
    official: off,
    agree,
    disagreements,
    modelMs,
    wallMs: performance.now() - t0,
    answerTokens,
    cachedAnswers: cached,
    perTask,
  };
}
