/**
 * The meta-prompts every method sends to the LLM, as plain templates in one place so a teacher
 * can read them, a test can pin them, and an ablation can swap one. Placeholders are `[[name]]`
 * (not `{name}`: Prochemy's answers are wrapped in `{{ }}`). Wording follows each paper's
 * published template in spirit, adapted to code generation; see each method's module for the
 * paper.
 */

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\[\[(\w+)\]\]/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new RangeError(`meta-prompt placeholder [[${name}]] has no value`);
    return String(v);
  });
}

/** Prochemy (arXiv 2503.11085): one variant of the current prompt, wrapped in `{{ }}`. */
export const PROCHEMY_MUTATE = `You are an expert in prompt engineering for code generation.
Below is a prompt that is given, as the system instruction, to a language model that writes Python functions from task descriptions.

Prompt:
[[prompt]]

Write one improved version of this prompt that will make the model write code that is more likely to be correct and to pass the tests. Keep it a general instruction for any programming task, not for one specific task. Reply with the new prompt only, wrapped in double curly braces, like this: {{new prompt}}`;

/** Prochemy's answer format, said again in every re-ask. */
export const PROCHEMY_FORMAT = `Reply again with only the improved prompt, in the form {{new prompt}}.`;

/** Said after an answer that lacked the `{{ }}` wrapper. */
export const PROCHEMY_REASK = `Your answer did not contain a prompt wrapped in double curly braces. ${PROCHEMY_FORMAT}`;

/**
 * Said, before the method's own format reminder, after a well-formed answer that is no
 * instruction (optimizers/proposal-check.ts): a small optimizer model writes code or a task,
 * copies the request back, or gives advice about the prompt.
 */
export const REASK_NOT_INSTRUCTION = {
  code: 'Your answer was Python code, not an instruction. Do not solve the tasks and do not write a new task.',
  task: 'Your answer was a new programming task, not an instruction for the assistant. Do not write a task.',
  'copies-request':
    'Your answer copied my message back instead of writing a new instruction in your own words.',
  advice:
    'Your answer was advice about the prompt. Write the improved prompt itself, addressed to the assistant.',
} as const;

/** GPO (arXiv 2402.17564): the meta-prompt, with the trajectory as update direction. */
export const GPO_META = `Your task is to improve a prompt (a system instruction) that a language model uses to write Python code for programming tasks. The score of a prompt is the percentage of tasks whose tests its code passes.

[[trajectory]]Current prompt (score [[score]]):
[[prompt]]

Here are some tasks the model is given, with how the current prompt did on them:
[[examples]]

[[instruction]] Wrap the new prompt between <START> and <END>.`;

export const GPO_TRAJECTORY_HEADER = `Below are previous prompts with their scores:
`;

export const GPO_GENERATE = `Write a new improved prompt. You are allowed to change up to [[budget]] words in the current prompt.`;

export const GPO_EDIT = `Improve the current prompt by editing it: add, delete or replace words, at most [[budget]] words in total. Keep the rest unchanged.`;

/** GPO: said after an answer without a prompt between the tags. */
export const GPO_REASK = `Reply with the new prompt between <START> and <END>.`;

export const GPO_OVER_BUDGET = `Your new prompt changed [[distance]] words, more than the allowed [[budget]]. Write it again, changing at most [[budget]] words compared with the current prompt, between <START> and <END>.`;

/**
 * GPO's summarization trajectory (the official code's "real-time" momentum): the last summary
 * plus the newest results make the next summary.
 */
export const GPO_SUMMARY_UPDATE = `Your task is to keep a short summary of what makes a prompt for a code-writing language model score well. The score is the percentage of tasks solved; higher is better.

Previous summary:
[[previous]]

Newest prompts with their scores:
[[newest]]

Write the updated summary in at most five sentences: what the higher-scoring prompts do that the lower-scoring ones do not.`;

/** APE (arXiv 2211.01910): instruction induction from demonstrations (forward mode). */
export const APE_INDUCE = `I gave a friend an instruction and some programming tasks. The friend read the instruction and wrote a correct Python solution for every task. Here are the tasks and solutions:

[[demos]]

The instruction was a general guideline for writing correct Python code for such tasks. Write the instruction, wrapped in <INS> and </INS>.`;

/** APE's iterative Monte Carlo search: a paraphrase of a good candidate. */
export const APE_RESAMPLE = `Generate a variation of the following instruction while keeping the semantic meaning.

Input: [[prompt]]

Reply with the new instruction only, wrapped in <INS> and </INS>.`;

/** OPRO (arXiv 2309.03409): past prompts in ascending order of score, then exemplars. */
export const OPRO_META = `Your task is to write an instruction <INS> for a language model that writes Python code. Below are some previous instructions with their scores. The score is the percentage of programming tasks whose tests pass; higher is better.

[[history]]

Below are some of the tasks. The instruction is given before each task.

[[examples]]

Generate an instruction that is different from all the instructions above and has a higher score than all of them. The instruction should be concise, effective and general. Wrap it in <INS> and </INS>.`;

/** EvoPrompt GA (arXiv 2309.08532): crossover then mutation in one request. */
export const EVO_GA = `Please follow the instruction step by step to generate a better prompt for a language model that writes Python code.
1. Cross over the following prompts and generate a new prompt:
Prompt 1: [[parent1]]
Prompt 2: [[parent2]]
2. Mutate the prompt generated in Step 1 and generate a final prompt bracketed with <prompt> and </prompt>.`;

/** EvoPrompt's initial population: paraphrases of the seed prompt. */
export const EVO_PARAPHRASE = `Generate a variation of the following prompt while keeping the semantic meaning.

Prompt: [[prompt]]

Reply with the new prompt only, bracketed with <prompt> and </prompt>.`;

/** Chain-of-thought (Wei et al. 2022; zero-shot CoT, Kojima et al. 2022) suffix for code. */
export const COT_SUFFIX = `Let's think step by step. First explain briefly how you will solve the task, then give the complete implementation in one Python code block.`;

/** Reflexion (arXiv 2303.11366): the self-reflection request after a failed attempt. */
export const REFLEXION_REFLECT = `You are a Python programming assistant. You will be given a task, your implementation, and the results of running its unit tests. Write a few sentences explaining why the implementation is wrong, as the test results show, and what to change. Do not write code.

Task:
[[task]]

Implementation:
[[code]]

Test results:
[[feedback]]`;

/** Reflexion: the retry turn appended after the previous answer. */
export const REFLEXION_RETRY = `Your implementation failed the tests.

Test results:
[[feedback]]

Reflection:
[[reflection]]

Write an improved, complete implementation in one Python code block.`;

/**
 * GEPA (arXiv 2507.19457): reflective mutation. The reflection model reads the current
 * instruction, a minibatch of tasks with the code written for each and what its tests said, and
 * writes a new instruction. Wording is Athanor's, in the spirit of the paper's Appendix prompt.
 */
export const GEPA_REFLECT = `I gave a code-writing assistant the instruction below as its system prompt, then asked it to solve Python programming tasks.

Instruction:
\`\`\`
[[prompt]]
\`\`\`

Here are some of those tasks, the code the assistant wrote for each, and what running the unit tests on that code showed:

[[examples]]

Write a new instruction for the assistant. Read the tasks to infer what kind of problems it must solve and in what form the answer is expected. Read every test result: find the mistakes the instruction failed to prevent, and the specific facts, conventions and edge cases the tests check, and state them in the new instruction so the assistant gets them right next time. Keep any general strategy that worked. The instruction must help with any task of this kind, not only these examples.

Reply with the new instruction only, inside one \`\`\` block.`;

/** GEPA: said after an answer without a ``` block. */
export const GEPA_REASK = `Your answer had no instruction inside a \`\`\` block. Reply again with only the new instruction, inside one \`\`\` block.`;

/** GEPA's answer format, said again after a block that is no instruction (proposal-check.ts). */
export const GEPA_FORMAT = `Reply again with only the new instruction for the assistant, in your own words, inside one \`\`\` block.`;

/**
 * GEPA: said after a block that holds the current instruction unchanged (a third of Qwen2.5-
 * Coder-0.5B's reflections in one run, docs/results.md), followed by GEPA_FORMAT.
 */
export const GEPA_REASK_UNCHANGED = `Your instruction is the current one, unchanged. Change it so that the assistant avoids the mistakes in the test results above.`;

/** GEPA: said after an answer whose block was Python code rather than an instruction. */
export const GEPA_REASK_CODE = `Your answer's \`\`\` block held Python code, not an instruction. Do not solve the tasks. Reply again with only the new instruction for the assistant, in words, inside one \`\`\` block.`;
