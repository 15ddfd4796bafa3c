/**
 * "Small-model wording" (issue 16): the same instructions as each paper's meta-prompt in
 * meta-prompts.ts, shorter, with the answer format shown by an example rather than described.
 * 0.5B–3B models forget a format that is only described and lose the task in a long preamble;
 * an example of the answer, last, is what they copy best. Opt-in per run (knob `wording`), the
 * paper's wording stays the default, and the run records which was used.
 */

/** The answer example the small wording shows; an answer that only repeats it is refused. */
export const SMALL_EXAMPLE_PROMPT =
  'You are a careful Python programmer. Read the task, handle edge cases, and reply with one complete code block.';

/** GPO, small-model wording: the same parts as GPO_META, in fewer words. */
export const GPO_META_SMALL = `Improve an instruction for a Python coding model. Its score is the % of tasks whose tests pass.

[[trajectory]]Current instruction (score [[score]]):
[[prompt]]

Some tasks it was used on:
[[examples]]

[[instruction]]
Reply with the new instruction only, between <START> and <END>, like this:
<START>${SMALL_EXAMPLE_PROMPT}<END>`;

export const GPO_GENERATE_SMALL = `Write a better instruction. Change at most [[budget]] words.`;

export const GPO_EDIT_SMALL = `Edit the current instruction: add, delete or replace at most [[budget]] words.`;

/** Prochemy, small-model wording of PROCHEMY_MUTATE. */
export const PROCHEMY_MUTATE_SMALL = `Improve this instruction for a Python coding model, so its code passes more tests. Keep it general, for any task.

Instruction:
[[prompt]]

Reply with the new instruction only, in double curly braces, like this:
{{${SMALL_EXAMPLE_PROMPT}}}`;

export const PROCHEMY_REASK_SMALL = `Reply again with only the new instruction in double curly braces, like this: {{${SMALL_EXAMPLE_PROMPT}}}`;

export const WORDINGS = ['paper', 'small-model'] as const;
export type Wording = (typeof WORDINGS)[number];
