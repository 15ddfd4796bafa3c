/**
 * Prochemy's training-set augmentation (Ye et al., 2025, "Prompt Alchemy: Automatic Prompt
 * Refinement for Enhancing Code Generation", arXiv 2503.11085): from K training tasks the LLM
 * writes K related tasks, each with a description, a reference solution and tests; a written task
 * is kept only when its reference passes its own tests, and it remembers its parent.
 *
 * The answer format the LLM is asked for (and the only one accepted) is three Markdown sections:
 *
 *     ### Task
 *     <the new task's description, in prose>
 *     ### Solution
 *     ```python
 *     <a complete program defining the function>
 *     ```
 *     ### Tests
 *     ```python
 *     assert <call> == <expected>
 *     ...
 *     ```
 *
 * Headings are matched case-insensitively; each top-level `assert` statement of the Tests block
 * (with its continuation lines) is one test.
 */
import { sha256 } from '../core/hash';
import type { ExecPort, LlmPort } from '../core/ports';
import type { ChatMessage, SamplingParams, Task } from '../core/types';
import { MutationFormatError } from './errors';
import { definedFunctions, signatureOf, titleFrom } from './formats/common';
import { mbppPrompt } from './formats/mbpp';
import { describeFailure } from './validate';

export const MUTATION_SYSTEM_PROMPT =
  'You write programming exercises for training. Given an existing Python task, write ONE new task ' +
  'that is related (same skills, a different concrete problem), with a correct reference solution ' +
  'and tests. Answer in exactly this format and nothing else:\n\n' +
  '### Task\n<description of the new task>\n### Solution\n```python\n<complete Python code defining the function>\n```\n' +
  '### Tests\n```python\nassert <call of the function> == <expected value>\n```\n\n' +
  'Write at least 3 assert statements, including edge cases. Use a new function name.';

export function mutationMessages(parent: Task): ChatMessage[] {
  const parts = [`Existing task:\n${parent.prompt.trim()}`];
  if (parent.reference)
    parts.push(`Its reference solution:\n\`\`\`python\n${parent.reference.trim()}\n\`\`\``);
  parts.push('Write the new related task now.');
  return [
    { role: 'system', content: MUTATION_SYSTEM_PROMPT },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface MutatedDraft {
  description: string;
  solution: string;
  asserts: string[];
  entryPoint: string;
}

function section(answer: string, name: string): string | undefined {
  const re = new RegExp(`^#{2,4}\\s*${name}\\s*:?\\s*$`, 'im');
  const m = re.exec(answer);
  if (!m) return undefined;
  const rest = answer.slice(m.index + m[0].length);
  const next = /^#{2,4}\s*(task|solution|tests)\s*:?\s*$/im.exec(rest);
  return (next ? rest.slice(0, next.index) : rest).trim();
}

function fenced(text: string): string {
  const m = /```[\w.+-]*\s*\n([\s\S]*?)(?:```|$)/.exec(text);
  return (m ? (m[1] as string) : text).replace(/\s+$/, '') + '\n';
}

/** Top-level assert statements, each with its indented or bracket-continued lines. */
export function splitAsserts(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    if (/^assert\b/.test(line)) out.push(line);
    else if (out.length > 0 && line.trim() !== '' && /^\s/.test(line))
      out[out.length - 1] += '\n' + line;
  }
  return out.map((a) => a.trimEnd());
}

/** Parse an answer in the documented format; throws MutationFormatError saying what is missing. */
export function parseMutation(answer: string): MutatedDraft {
  const description = section(answer, 'task');
  const solutionText = section(answer, 'solution');
  const testsText = section(answer, 'tests');
  if (!description)
    throw new MutationFormatError('The answer has no "### Task" section with a description.');
  if (!solutionText) throw new MutationFormatError('The answer has no "### Solution" section.');
  if (!testsText) throw new MutationFormatError('The answer has no "### Tests" section.');
  const solution = fenced(solutionText);
  const asserts = splitAsserts(fenced(testsText));
  if (asserts.length === 0)
    throw new MutationFormatError('The "### Tests" section holds no assert statement.');
  const defined = definedFunctions(solution);
  const entryPoint = defined.find((name) =>
    asserts.some((a) => new RegExp(`\\b${name}\\s*\\(`).test(a)),
  );
  if (!entryPoint)
    throw new MutationFormatError('No function defined in the solution is called by the tests.');
  return { description, solution, asserts, entryPoint };
}

export interface AugmentOptions {
  /** Base of the per-request seeds (request i uses seed + i), so a rerun asks the same questions. */
  seed: number;
  /** Prochemy samples mutations at temperature 1. */
  sampling?: Partial<SamplingParams>;
  /** A written task needs at least this many tests to be kept. Default 3. */
  minTests?: number;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, kept: number) => void;
}

export interface Rejection {
  parentId: string;
  reason: string;
}

export interface AugmentResult {
  kept: Task[];
  rejected: Rejection[];
}

export async function augmentTasks(
  parents: readonly Task[],
  llm: LlmPort,
  exec: ExecPort,
  opts: AugmentOptions,
): Promise<AugmentResult> {
  const kept: Task[] = [];
  const rejected: Rejection[] = [];
  const minTests = opts.minTests ?? 3;
  for (let i = 0; i < parents.length; i++) {
    opts.signal?.throwIfAborted();
    const parent = parents[i] as Task;
    const reject = (reason: string): void => void rejected.push({ parentId: parent.id, reason });
    if (parent.style !== 'function') {
      reject('only function-style tasks are mutated');
    } else {
      const completion = await llm.complete(
        {
          messages: mutationMessages(parent),
          sampling: { temperature: 1, max_tokens: 1024, ...opts.sampling, seed: opts.seed + i },
          purpose: 'mutate',
        },
        opts.signal,
      );
      try {
        const draft = parseMutation(completion.text);
        if (draft.asserts.length < minTests)
          throw new MutationFormatError(
            `only ${draft.asserts.length} tests; at least ${minTests} are needed`,
          );
        const tests = { kind: 'asserts' as const, setup: '', asserts: draft.asserts };
        const result = await exec.run({ program: draft.solution, tests }, opts.signal);
        if (!result.passed) {
          reject(`its reference fails its own tests: ${describeFailure(result)}`);
        } else {
          const hash = (await sha256(`${parent.id}\n${completion.text}`)).slice(0, 10);
          const sourceId = `mut-${parent.sourceId}-${hash}`;
          kept.push({
            id: `${parent.datasetId}/${sourceId}`,
            datasetId: parent.datasetId,
            sourceId,
            title: titleFrom(draft.description),
            prompt: mbppPrompt(draft.description, draft.asserts[0] as string),
            style: 'function',
            completionStyle: false,
            entryPoint: draft.entryPoint,
            ...(signatureOf(draft.solution, draft.entryPoint)
              ? { signature: signatureOf(draft.solution, draft.entryPoint) as string }
              : {}),
            tests,
            reference: draft.solution,
            tags: [...parent.tags.filter((t) => t !== 'mutated'), 'mutated'],
            ...(parent.difficulty ? { difficulty: parent.difficulty } : {}),
            origin: {
              kind: 'mutated',
              parentId: parent.id,
              ...(opts.runId ? { runId: opts.runId } : {}),
            },
            source: {
              dataset: `${parent.source.dataset} (mutated by ${llm.modelId})`,
              license: parent.source.license,
            },
          });
        }
      } catch (err) {
        if (err instanceof MutationFormatError)
          reject(`the answer does not follow the format: ${err.message}`);
        else throw err;
      }
    }
    opts.onProgress?.(i + 1, parents.length, kept.length);
  }
  return { kept, rejected };
}
