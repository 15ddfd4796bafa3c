/**
 * A scripted LLM over real tasks (the one allowed stand-in): code generation answers right when
 * the system prompt carries the task's keyword and wrong otherwise, so the prompt a method finds
 * really changes which real tests pass; meta-requests answer with a prompt from a fixed pool,
 * picked by a hash of the request. A pure function of the request, like landscapeLlm.
 */
import type { CompletionRequest, Task } from '../../src/core/types';
import { wrapFor } from './landscape';
import {
  fnv1a,
  lastUser,
  requestHash,
  scriptedLlm,
  systemOf,
  type ScriptedLlm,
} from './scripted-llm';

export interface KeywordLlmOptions {
  /** The tasks code requests are matched against (by their prompt, sent as the user message). */
  tasks: readonly Task[];
  /** The word a system prompt must contain for the model to solve `t`. */
  keyword: (t: Task) => string | undefined;
  right: (t: Task) => string;
  wrong: (t: Task) => string;
  /** The prompts meta-answers come from. */
  pool: readonly string[];
  /** A retry that carries test feedback (Reflexion) gets the right answer. */
  retryFixes?: boolean;
  /** The answer to judge requests (reflections); without it they get a meta-answer. */
  judge?: string;
  /** How a picked prompt is wrapped; by default in the format the meta-prompt asks for. */
  wrap?: (pick: string) => string;
}

export function keywordLlm(o: KeywordLlmOptions): ScriptedLlm {
  return scriptedLlm((req: CompletionRequest) => {
    if (req.purpose === 'generate') {
      const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
      const task = o.tasks.find((t) => t.prompt === user);
      if (!task) return 'no idea';
      const retried = o.retryFixes === true && req.messages.some((m) => m.role === 'assistant');
      const knows =
        retried ||
        systemOf(req)
          .toLowerCase()
          .includes(o.keyword(task) ?? '\u0000');
      return knows ? o.right(task) : o.wrong(task);
    }
    if (req.purpose === 'judge' && o.judge !== undefined) return o.judge;
    const pick = o.pool[fnv1a(String(requestHash(req))) % o.pool.length] as string;
    return o.wrap ? o.wrap(pick) : wrapFor(lastUser(req), pick);
  });
}
