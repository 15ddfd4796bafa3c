/**
 * The LLM half of the hybrid action space: direct generation of a new prompt from the current one
 * and its test feedback (purpose `mutate`), and semantic rewriting, a paraphrase that keeps the
 * prompt's intent (purpose `rewrite`). Both ask for the answer between <prompt> tags.
 */
import type { ChatMessage } from '../../core/types';
import { parseDoubleBraces } from '../common';

const SYSTEM =
  'You improve the instructions (system prompts) given to a code model that solves Python ' +
  'programming tasks. You answer with the instruction only, between <prompt> and </prompt>.';

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)} …`;

export interface GenerateInput {
  current: string;
  strict: number;
  soft: number;
  tasks: number;
  /** Execution feedback of one failing task (optimizers/feedback.ts), when there is one. */
  feedback: string;
  /** One task of the set, so the model sees what the prompt is for. */
  example: string;
}

/** Direct generation: "write a new, better instruction" from the current one and its feedback. */
export function generateMessages(input: GenerateInput): ChatMessage[] {
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const lines = [
    'Current instruction:',
    '<prompt>',
    input.current,
    '</prompt>',
    '',
    `With this instruction the model fully solved ${pct(input.strict)} of ${input.tasks} task(s) ` +
      `and passed ${pct(input.soft)} of their unit tests.`,
  ];
  if (input.feedback)
    lines.push('', 'Test results of one task it failed:', clip(input.feedback, 800));
  if (input.example) lines.push('', 'An example task:', clip(input.example, 800));
  lines.push(
    '',
    'Write a new, better instruction that makes the model write correct code for tasks like ' +
      'this. Reply with the new instruction only, between <prompt> and </prompt>.',
  );
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: lines.join('\n') },
  ];
}

/** Semantic rewriting: a paraphrase that keeps every requirement. */
export function rewriteMessages(current: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: [
        'Paraphrase the instruction below. Keep its intent and every requirement it states; ' +
          'change the wording only. Reply with the paraphrase only, between <prompt> and </prompt>.',
        '<prompt>',
        current,
        '</prompt>',
      ].join('\n'),
    },
  ];
}

/**
 * The prompt in an LLM answer: the last non-empty <prompt>…</prompt> block (models often echo the
 * question's block first), else a `{{ … }}` block; undefined when there is neither, so the caller
 * re-asks rather than adopting chatter ("I think the prompt is already good.") as a prompt.
 */
export function parsePromptAnswer(answer: string): string | undefined {
  const tagged = [...answer.matchAll(/<prompt>([\s\S]*?)<\/prompt>/gi)].map((m) =>
    (m[1] ?? '').trim(),
  );
  const lastTagged = tagged.filter((t) => t !== '').pop();
  if (lastTagged !== undefined) return lastTagged;
  return parseDoubleBraces(answer);
}
