/**
 * Is a proposal that parsed well an instruction at all? A small optimizer model answers in the
 * right format with the wrong thing, and every such "prompt" costs task gradings when it is
 * scored. Seen with Qwen2.5-Coder-0.5B as the optimizer model on HumanEval+ (docs/results.md):
 * - code: a solution to one of the tasks it was shown, or a new task with its `def` (GEPA's
 *   reflection, GPO's `<START>…<END>`);
 * - a task: a new programming task under a "Task:" label (GEPA's reflection, 6 of 27 blocks
 *   that were neither code nor copies), or one named by its signature: "a function that takes an
 *   integer and returns its square" (Prochemy's braces, where it won 11 of 20 training tasks
 *   against the seed's 9 and became the best prompt; GEPA's "Write a Python function that takes
 *   an input string and checks if it is a palindrome"). "Write a function that…" alone may open
 *   a general instruction too, so only a concrete argument type is judged; or one shown by its
 *   examples, calls with their results ("is_prime(2) ➞ True", GPO's tags);
 * - a copy of the request: the current prompt followed by the meta-prompt's own sentences or
 *   examples ("Here are some tasks the model is given…", "Write one improved version of this
 *   prompt…", "### Example 1 (passed) Task: …"), inside GPO's tags, Prochemy's braces and GEPA's
 *   block.
 * - advice to the prompt's author instead of the prompt: "To improve your prompt for improving
 *   the quality … consider adding additional context or requirements." (GPO's tags: all 10
 *   candidates it took on the fixed split, 4 distinct texts, each at 1–6 of 20 tasks).
 * The papers (written for GPT-3.5/4 as the optimizer model) leave this open; gepa 0.1.4 scores
 * whatever its backticks hold. Each method re-asks with the reason (REASK_NOT_INSTRUCTION) and
 * its own format reminder.
 */

export type NotAnInstruction = 'code' | 'task' | 'copies-request' | 'advice';

/** A proposal that opens as a program. */
const PROGRAM_START = /^(async def |def |class |import |from \S+ import |@\w)/;
/** A line that defines a function or class anywhere in the proposal: a task or its solution. */
const DEFINITION_LINE =
  /^[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(|^[ \t]*class[ \t]+\w+[ \t]*[(:]/m;

/** Whether `text` is Python code rather than an instruction in words. */
export function isCode(text: string): boolean {
  const t = text.trim();
  return PROGRAM_START.test(t) || DEFINITION_LINE.test(t);
}

/** A proposal that opens with a "Task:" label, as a heading or inline. */
const TASK_LABEL = /^(#+\s*|\*\*)?\s*task\s*:/i;

/**
 * A function named by the types it takes: "a function that takes an integer", "function to
 * calculate square that takes two strings as input". One task's signature: an instruction for
 * any task says "the arguments the task names", and advice such as "if the function takes a
 * list, …" has no "that"/"which".
 */
const TASK_SIGNATURE =
  /\bfunction\s+(?:to\s+[^.\n]{0,40}?\s)?(?:that|which)\s+(?:takes|accepts|receives)\s+(?:as\s+input\s+)?(?:an?\s+|one\s+|two\s+|three\s+|a\s+(?:list|pair)\s+of\s+)?(?:input\s+|positive\s+|non-negative\s+|single\s+)?(?:integers?|strings?|lists?|numbers?|arrays?|floats?|tuples?|dictionar(?:y|ies)|words?|sentences?)\b/i;

/**
 * A task's examples: a call of a named function and the result it gives
 * ("is_prime(4) ➞ False", "parse_nested_parens('(()())') -> [2]", `>>> f(3)`, `assert f(3) ==`).
 * An instruction for any task names no function of its own to call. Seen in GPO's tags: "Write a
 * Python code block to solve the task of determining if an integer is a prime number. … Examples
 * is_prime(2) ➞ True …" (scored, 3 of 20).
 */
const EXAMPLE_CALL =
  /(?:^[ \t]*(?:>>>|assert)[ \t]+[A-Za-z_]\w*\(|\b[A-Za-z_]\w*\((?:'[^'\n]*'|"[^"\n]*"|[^()'"\n]|\([^()\n]*\))*\)[ \t]*(?:➞|->|→|=>|==)[ \t]*\S)/m;

/**
 * Advice about the prompt ("improve your prompt", "to refine this instruction, …"): it speaks to
 * whoever writes the prompt, where an instruction speaks to the code model, which has no prompt
 * of its own to improve.
 */
const ADVICE =
  /\b(?:improve|revise|refine|enhance|rewrite|update)\s+(?:your|this|the)\s+(?:(?:system\s+)?prompt|instructions?)\b|\byour\s+(?:system\s+)?prompt\b/i;

/**
 * Runs of this many words shared with the request count as copied. Eight words of the same
 * order rarely recur by chance in a new instruction, and a meta-prompt sentence is longer.
 */
const RUN = 8;

const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];

function runs(tokens: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + RUN <= tokens.length; i++) out.add(tokens.slice(i, i + RUN).join(' '));
  return out;
}

/** Which of `tokens` lie inside a run of RUN words found in `set`. */
function covered(tokens: readonly string[], set: ReadonlySet<string>): boolean[] {
  const hit = tokens.map(() => false);
  for (let i = 0; i + RUN <= tokens.length; i++) {
    if (set.has(tokens.slice(i, i + RUN).join(' '))) hit.fill(true, i, i + RUN);
  }
  return hit;
}

/**
 * Whether `proposal` is mostly a copy of the request it answers: of its words that do not come
 * from the prompts the request showed (`shown`: the current prompt, GPO's trajectory), more than
 * half lie in runs of RUN words that the request holds. Words kept from a shown prompt are the
 * point of an edit and do not count either way; a new sentence that quotes one line of a task
 * stays an instruction.
 */
export function copiesRequest(
  proposal: string,
  request: string,
  shown: readonly string[],
): boolean {
  const tokens = words(proposal);
  // A separator between the shown prompts, so that no run spans two of them.
  const shownRuns = runs(shown.flatMap((s) => [...words(s), '\u0000']));
  const fromShown = covered(tokens, shownRuns);
  const requestOnly = new Set([...runs(words(request))].filter((r) => !shownRuns.has(r)));
  const fromRequest = covered(tokens, requestOnly);
  let own = 0;
  let copied = 0;
  tokens.forEach((_, i) => {
    if (fromShown[i]) return;
    own++;
    if (fromRequest[i]) copied++;
  });
  return copied >= RUN && copied * 2 > own;
}

/**
 * Whether `proposal` keeps a run of a shown prompt's words (RUN of them, or the whole prompt when
 * it is shorter): an edit of that prompt, not chatter or a task of the model's own.
 */
export function editsShown(proposal: string, shown: readonly string[]): boolean {
  const text = ` ${words(proposal).join(' ')} `;
  return shown.some((s) => {
    const w = words(s);
    const n = Math.min(RUN, w.length);
    for (let i = 0; n > 0 && i + n <= w.length; i++) {
      if (text.includes(` ${w.slice(i, i + n).join(' ')} `)) return true;
    }
    return false;
  });
}

/**
 * Why a well-formed proposal is no instruction, or undefined when it is one. `request` is the
 * whole text the optimizer model was sent, `shown` the prompts it quoted.
 */
export function notAnInstruction(
  proposal: string,
  request: string,
  shown: readonly string[],
): NotAnInstruction | undefined {
  if (isCode(proposal)) return 'code';
  if (TASK_LABEL.test(proposal.trim()) || TASK_SIGNATURE.test(proposal)) return 'task';
  if (copiesRequest(proposal, request, shown)) return 'copies-request';
  // After the copy check: a task's examples copied from the request stay a copy, as before.
  if (EXAMPLE_CALL.test(proposal)) return 'task';
  if (ADVICE.test(proposal)) return 'advice';
  return undefined;
}
