/**
 * A scripted optimization landscape for optimizer tests and benches. Toy tasks each belong to a
 * topic; a prompt solves a task when it mentions the task's topic keyword (or the task is easy).
 * Meta-requests (mutate / rewrite) answer with a prompt from a fixed pool, picked by a hash of
 * the request, wrapped in whatever format the meta-prompt asked for. Everything is a pure
 * function of the request, so runs are deterministic.
 */
import type { CompletionRequest, ExecJob, ExecResult, Task } from '../../src/core/types';
import {
  fnv1a,
  lastUser,
  requestHash,
  scriptedExec,
  scriptedLlm,
  systemOf,
  type ScriptedLlm,
} from './scripted-llm';

export const TOPICS = ['edge', 'types', 'loops', 'strings', 'math'] as const;

/** What a toy task's failing assert says. */
export const topicHint = (topic: string): string => `f() is wrong on a ${topic} case`;

export function toyTask(i: number, origin: Task['origin'] = { kind: 'real' }): Task {
  const topic = TOPICS[i % TOPICS.length] as string;
  const id = origin.kind === 'mutated' ? `toy/m${i}` : `toy/${i}`;
  return {
    id,
    datasetId: 'toy',
    sourceId: String(i),
    title: `Toy ${i}`,
    prompt: `Task ${id} about ${topic}: write a function f that returns the answer.`,
    style: 'function',
    completionStyle: false,
    entryPoint: 'f',
    // The assert's message names the topic, so real failure text (Pyodide's AssertionError) and
    // the scripted grader's alike tell a reader what the code got wrong.
    tests: { kind: 'asserts', setup: '', asserts: [`assert f() == "ok", "${topicHint(topic)}"`] },
    tags: [topic],
    origin,
    source: { dataset: 'toy', license: 'MIT' },
  };
}

export const toyTasks = (n: number): Task[] => Array.from({ length: n }, (_, i) => toyTask(i));

/** The pool of prompts the landscape's meta-answers come from. */
export const PROMPT_POOL = [
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Mind the types of arguments.',
  'Write correct Python code. Think about edge cases and types.',
  'Write correct Python code. Use loops carefully and handle strings.',
  'Write correct Python code. Think about edge cases, types, loops and strings.',
  'Write correct Python code. Check the math.',
  'Write correct Python code.',
  'Write correct Python code. Think about edge cases, types, loops, strings and math.',
];

/** The topics a prompt mentions. */
export const topicsOf = (prompt: string): string[] =>
  TOPICS.filter((t) => prompt.toLowerCase().includes(t));

/** Task ids the toy grader passes for a prompt: easy tasks (index % 7 == 0) always. */
export function solves(prompt: string, task: Pick<Task, 'tags' | 'sourceId'>): boolean {
  return Number(task.sourceId) % 7 === 0 || topicsOf(prompt).includes(task.tags[0] ?? '');
}

/** Wrap a prompt in the format a meta-prompt asks for. */
export function wrapFor(meta: string, prompt: string): string {
  if (meta.includes('{{new prompt}}')) return `Here you go: {{${prompt}}}`;
  if (meta.includes('<START>')) return `<START>${prompt}<END>`;
  if (meta.includes('<INS>')) return `<INS>${prompt}</INS>`;
  if (meta.includes('<prompt>')) return `<prompt>${prompt}</prompt>`;
  // GEPA's reflection asks for the instruction inside one ``` block.
  if (meta.includes('inside one ``` block')) return 'New instruction:\n```\n' + prompt + '\n```\n';
  return prompt;
}

export interface LandscapeOptions {
  /** Share of meta answers that come back malformed (no wrapper), by request hash. */
  malformed?: number;
  pool?: readonly string[];
  /**
   * A model that reads failure text: when a meta-request quotes test messages that name topics
   * (landscapeExec with `revealTopic`), its answer adds a sentence naming them to the pool
   * prompt it would have given. Off by default, so the golden runs stay as recorded.
   */
  reflective?: boolean;
  /** The model id the scripted port reports (two-model runs need two). */
  modelId?: string;
}

/** The failure message of a toy task names its topic. */
export const topicMessage = (topic: string): string => `AssertionError: ${topicHint(topic)}`;

/** Topics named by failure messages quoted in a meta-request. */
export function topicsInFeedback(text: string): string[] {
  const found = new Set([...text.matchAll(/on an? (\w+) case/g)].map((m) => m[1] as string));
  return TOPICS.filter((t) => found.has(t));
}

export function landscapeLlm(opts: LandscapeOptions = {}): ScriptedLlm {
  const pool = opts.pool ?? PROMPT_POOL;
  return scriptedLlm((req: CompletionRequest) => {
    const user = lastUser(req);
    if (req.purpose === 'generate') {
      const taskMsg = req.messages.find((m) => m.role === 'user')?.content ?? '';
      const topic = TOPICS.find((t) => taskMsg.includes(`about ${t}`)) ?? '';
      const index = Number(/toy\/m?(\d+)/.exec(taskMsg)?.[1] ?? '1');
      const ok = solves(systemOf(req), { tags: [topic], sourceId: String(index) });
      // A retry with feedback (Reflexion) fixes the code.
      const retried = req.messages.some((m) => m.role === 'assistant');
      return ok || retried
        ? '```python\ndef f():\n    return "ok"\n```'
        : '```python\ndef f():\n    return "bad"\n```';
    }
    if (req.purpose === 'judge') return 'The function returns the wrong constant; return "ok".';
    const h = requestHash(req);
    if (opts.malformed && (h % 1000) / 1000 < opts.malformed)
      return 'I think the prompt is already good.';
    const base = pool[fnv1a(String(h)) % pool.length] as string;
    const seen = opts.reflective
      ? topicsInFeedback(req.messages.map((m) => m.content).join('\n'))
      : [];
    const answer = seen.length > 0 ? `${base} Handle ${seen.join(' and ')} cases.` : base;
    return wrapFor(user, answer);
  }, opts.modelId);
}

/**
 * Grades toy programs: `"ok"` passes, anything else fails. With `revealTopic` a failing test's
 * message names the task's topic (read from the toy task's assert), as real failure text often
 * says what the code got wrong.
 */
export const landscapeExec = (o: { revealTopic?: boolean } = {}) => {
  const exec = scriptedExec((job) => (job.program.includes('"ok"') ? 1 : 0));
  if (!o.revealTopic) return exec;
  return {
    jobs: exec.jobs,
    async run(job: ExecJob): Promise<ExecResult> {
      const r = await exec.run(job);
      if (r.passed) return r;
      const asserts = job.tests.kind === 'asserts' ? job.tests.asserts.join(' ') : '';
      const topic = TOPICS.find((t) => asserts.includes(topicHint(t))) ?? 'unknown';
      return {
        ...r,
        tests: [
          {
            name: 'assert f() == "ok"',
            outcome: 'failed',
            message: topicMessage(topic),
            errorType: 'AssertionError',
            line: 2,
          },
        ],
      };
    },
  };
};
